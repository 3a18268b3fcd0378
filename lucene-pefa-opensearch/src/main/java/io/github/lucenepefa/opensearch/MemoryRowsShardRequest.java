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

  MemoryRowsShardRequest(ShardId shardId, MemoryRowsRequest request) {
    super(shardId, request);
    this.field = request.field;
    this.vector = request.vector;
    this.k = request.k;
    this.exact = request.exact;
    this.efSearch = request.efSearch;
    this.keys = request.keys;
  }

  MemoryRowsShardRequest(StreamInput in) throws IOException {
    super(in);
    field = in.readString();
    vector = in.readBoolean() ? in.readFloatArray() : null;
    k = in.readVInt();
    exact = in.readBoolean();
    efSearch = in.readVInt();
    keys = in.readBoolean() ? in.readStringList() : null;
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
  }
}
