package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.util.Map;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;

/**
 * One training-memory row as a memory shard returns it: its id, its exact similarity to the query
 * (PEFA-XL's neighbour search), its labels, and its vector when asked for (PEFA-XS refresh).
 *
 * @param rowId the memory document's {@code _id}
 * @param similarity {@code <q, x_i>} as the core computed it, or 0 when no query was given
 * @param labels document {@code _id} to weight {@code Y[i,d]}
 * @param vector {@code x_i}, or null
 */
record MemoryRow(String rowId, float similarity, Map<String, Float> labels, float[] vector)
    implements Writeable {

  MemoryRow(StreamInput in) throws IOException {
    this(
        in.readString(),
        in.readFloat(),
        in.readMap(StreamInput::readString, StreamInput::readFloat),
        in.readBoolean() ? in.readFloatArray() : null);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeString(rowId);
    out.writeFloat(similarity);
    out.writeMap(labels, StreamOutput::writeString, StreamOutput::writeFloat);
    out.writeBoolean(vector != null);
    if (vector != null) {
      out.writeFloatArray(vector);
    }
  }
}
