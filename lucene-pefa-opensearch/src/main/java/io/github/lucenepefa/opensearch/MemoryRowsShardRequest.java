package io.github.lucenepefa.opensearch;

import java.io.IOException;
import org.opensearch.action.support.broadcast.BroadcastShardRequest;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.index.shard.ShardId;

/** The part of a {@link MemoryRowsRequest} one memory shard answers. */
final class MemoryRowsShardRequest extends BroadcastShardRequest {

  final MemoryRowsParams params;

  MemoryRowsShardRequest(ShardId shardId, MemoryRowsRequest request) {
    super(shardId, request);
    this.params = request.params;
  }

  MemoryRowsShardRequest(StreamInput in) throws IOException {
    super(in);
    params = new MemoryRowsParams(in);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    params.writeTo(out);
  }
}
