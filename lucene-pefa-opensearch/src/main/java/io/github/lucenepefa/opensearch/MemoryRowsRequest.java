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

  final MemoryRowsParams params;

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
    this.params = new MemoryRowsParams(field, vector, k, exact, efSearch, keys, oversample);
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
    params = new MemoryRowsParams(in);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    params.writeTo(out);
  }
}
