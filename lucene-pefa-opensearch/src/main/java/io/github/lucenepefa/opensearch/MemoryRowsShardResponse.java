package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.util.List;
import org.opensearch.action.support.broadcast.BroadcastShardResponse;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.index.shard.ShardId;

/** The rows one memory shard returns. */
final class MemoryRowsShardResponse extends BroadcastShardResponse {

  final List<MemoryRow> rows;

  MemoryRowsShardResponse(ShardId shardId, List<MemoryRow> rows) {
    super(shardId);
    this.rows = rows;
  }

  MemoryRowsShardResponse(StreamInput in) throws IOException {
    super(in);
    rows = in.readList(MemoryRow::new);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    out.writeList(rows);
  }
}
