package io.github.lucenepefa.opensearch;

import java.io.IOException;
import org.opensearch.action.support.broadcast.BroadcastShardResponse;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.index.shard.ShardId;

/** What one shard contributes to {@link GlobalStats}: its own ERM top-K scores. */
final class GlobalStatsShardResponse extends BroadcastShardResponse {

  final float[] ermTopKScores;

  GlobalStatsShardResponse(ShardId shardId, float[] ermTopKScores) {
    super(shardId);
    this.ermTopKScores = ermTopKScores;
  }

  GlobalStatsShardResponse(StreamInput in) throws IOException {
    super(in);
    ermTopKScores = in.readFloatArray();
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    out.writeFloatArray(ermTopKScores);
  }
}
