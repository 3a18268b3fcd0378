package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.util.List;
import org.opensearch.action.support.broadcast.BroadcastShardRequest;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.index.shard.ShardId;

/** The part of a {@link MemoryRowsRequest} one memory shard answers. */
final class MemoryRowsShardRequest extends BroadcastShardRequest {

  final String field;
  final float[] vector;
  final int k;
  final boolean exact;
  final int efSearch;
  final List<String> keys;
  /** The oversample factor of a quantized memory graph's walk, or 0 for its default. */
  final float oversample;

  MemoryRowsShardRequest(ShardId shardId, MemoryRowsRequest request) {
    super(shardId, request);
    this.field = request.field;
    this.vector = request.vector;
    this.k = request.k;
    this.exact = request.exact;
    this.efSearch = request.efSearch;
    this.keys = request.keys;
    this.oversample = request.oversample;
  }

  MemoryRowsShardRequest(StreamInput in) throws IOException {
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
