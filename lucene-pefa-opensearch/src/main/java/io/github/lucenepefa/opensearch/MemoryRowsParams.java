package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.util.List;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;

/**
 * What a {@link MemoryRowsRequest} asks of every memory shard, and its wire form, shared by the
 * request and its {@link MemoryRowsShardRequest}: with a {@code vector}, the {@code k} nearest rows;
 * with {@code keys}, every row labelling one of them.
 *
 * @param field the memory field
 * @param vector the query vector, or {@code null} when {@code keys} are given
 * @param k how many nearest rows
 * @param exact whether the nearest rows are found exactly rather than through the graph
 * @param efSearch the query's HNSW beam; the memory graphs are walked with the core's memory beam
 *     of it
 * @param keys the document keys, or {@code null} when a {@code vector} is given
 * @param oversample the oversample factor of a quantized memory graph's walk, or 0 for its default
 */
record MemoryRowsParams(
    String field,
    float[] vector,
    int k,
    boolean exact,
    int efSearch,
    List<String> keys,
    float oversample)
    implements Writeable {

  MemoryRowsParams(StreamInput in) throws IOException {
    this(
        in.readString(),
        in.readBoolean() ? in.readFloatArray() : null,
        in.readVInt(),
        in.readBoolean(),
        in.readVInt(),
        in.readBoolean() ? in.readStringList() : null,
        in.readFloat());
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
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
