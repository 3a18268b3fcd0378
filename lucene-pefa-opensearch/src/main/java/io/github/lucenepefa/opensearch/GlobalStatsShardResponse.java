package io.github.lucenepefa.opensearch;

import java.io.IOException;
import org.opensearch.action.support.broadcast.BroadcastShardResponse;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.index.shard.ShardId;

/**
 * What one shard contributes to {@link GlobalStats}: in the first round of a query with a lexical
 * clause, the clause's term statistics; otherwise its own ERM top-K scores and, with a lexical
 * clause, its top lexical score and its lexical candidates' scores.
 */
final class GlobalStatsShardResponse extends BroadcastShardResponse {

  final LexicalTermStats terms;
  final float[] ermTopKScores;
  final float lexicalMax;
  final float[] lexicalTopScores;

  GlobalStatsShardResponse(
      ShardId shardId,
      LexicalTermStats terms,
      float[] ermTopKScores,
      float lexicalMax,
      float[] lexicalTopScores) {
    super(shardId);
    this.terms = terms;
    this.ermTopKScores = ermTopKScores;
    this.lexicalMax = lexicalMax;
    this.lexicalTopScores = lexicalTopScores;
  }

  GlobalStatsShardResponse(StreamInput in) throws IOException {
    super(in);
    terms = in.readOptionalWriteable(LexicalTermStats::new);
    ermTopKScores = in.readFloatArray();
    lexicalMax = in.readFloat();
    lexicalTopScores = in.readFloatArray();
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    out.writeOptionalWriteable(terms);
    out.writeFloatArray(ermTopKScores);
    out.writeFloat(lexicalMax);
    out.writeFloatArray(lexicalTopScores);
  }
}
