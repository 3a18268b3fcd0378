package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.util.List;
import org.opensearch.action.support.IndicesOptions;
import org.opensearch.action.support.broadcast.BroadcastRequest;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;

/**
 * A {@link MemoryRowsAction} request: with a vector, the {@code k} nearest rows of every shard;
 * with document keys, every row labelling one of them (with the rows' vectors).
 */
final class MemoryRowsRequest extends BroadcastRequest<MemoryRowsRequest> {

  final String field;
  final float[] vector;
  final int k;
  final boolean exact;
  /** The query's HNSW beam; the memory graphs are walked with the core's memory beam of it. */
  final int efSearch;
  final List<String> keys;
  /** The oversample factor of a quantized memory graph's walk, or 0 for its default. */
  final float oversample;

  private MemoryRowsRequest(
      String index,
      String field,
      float[] vector,
      int k,
      boolean exact,
      int efSearch,
      float oversample,
      List<String> keys) {
    super(new String[] {index}, IndicesOptions.strictSingleIndexNoExpandForbidClosed());
    this.field = field;
    this.vector = vector;
    this.k = k;
    this.exact = exact;
    this.efSearch = efSearch;
    this.keys = keys;
    this.oversample = oversample;
  }

  /**
   * The {@code k} nearest rows of {@code vector} on every shard of {@code index}; a quantized
   * memory graph is walked with {@code oversample} ({@code >= 1}, or 0 for its default).
   */
  static MemoryRowsRequest nearest(
      String index,
      String field,
      float[] vector,
      int k,
      boolean exact,
      int efSearch,
      float oversample) {
    return new MemoryRowsRequest(index, field, vector, k, exact, efSearch, oversample, null);
  }

  /** Every row of {@code index} labelling one of {@code keys}, with its vector. */
  static MemoryRowsRequest labelling(String index, String field, List<String> keys) {
    return new MemoryRowsRequest(index, field, null, 0, true, 1, 0f, List.copyOf(keys));
  }

  MemoryRowsRequest(StreamInput in) throws IOException {
    super(in);
    field = in.readString();
    vector = in.readBoolean() ? in.readFloatArray() : null;
    k = in.readVInt();
    exact = in.readBoolean();
    efSearch = in.readVInt();
    keys = in.readBoolean() ? in.readStringList() : null;
    oversample = in.readFloat();
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    out.writeString(field);
    out.writeBoolean(vector != null);
    if (vector != null) {
      out.writeFloatArray(vector);
    }
    out.writeVInt(k);
    out.writeBoolean(exact);
    out.writeVInt(efSearch);
    out.writeBoolean(keys != null);
    if (keys != null) {
      out.writeStringCollection(keys);
    }
    out.writeFloat(oversample);
  }
}
