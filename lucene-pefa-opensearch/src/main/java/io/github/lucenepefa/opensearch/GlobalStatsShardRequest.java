package io.github.lucenepefa.opensearch;

import java.io.IOException;
import org.opensearch.action.support.broadcast.BroadcastShardRequest;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.index.shard.ShardId;

/** The part of a {@link GlobalStatsRequest} one shard answers. */
final class GlobalStatsShardRequest extends BroadcastShardRequest {

  final PefaQueryBuilder query;
  final long nowInMillis;
  final LexicalTermStats terms;

  GlobalStatsShardRequest(ShardId shardId, GlobalStatsRequest request) {
    super(shardId, request);
    this.query = request.query;
    this.nowInMillis = request.nowInMillis;
    this.terms = request.terms;
  }

  GlobalStatsShardRequest(StreamInput in) throws IOException {
    super(in);
    query = new PefaQueryBuilder(in);
    nowInMillis = in.readLong();
    terms = in.readOptionalWriteable(LexicalTermStats::new);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    query.writeTo(out);
    out.writeLong(nowInMillis);
    out.writeOptionalWriteable(terms);
  }
}
