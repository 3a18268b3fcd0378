package io.github.lucenepefa.opensearch;

import java.io.IOException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;

/**
 * The whole-search statistics of a {@code pefa} query, computed by the coordinating node ({@link
 * GlobalStatsAction}) and sent to every shard inside the rewritten query, so that every shard
 * ranks as one index holding all of the searched documents would. A query with a {@code lexical}
 * clause gets them in two rounds: first the lexical query's term statistics, then the scores,
 * computed with them.
 *
 * @param ermThreshold the K-th best ERM score {@code <q,p_d>} over every shard ({@code -Infinity}
 *     when fewer than K documents have one, or for PEFA-XS); NaN until the scores' round ran
 * @param terms the lexical query's term statistics summed over every shard, or null without a
 *     lexical clause
 * @param lexicalMax the top lexical score over every shard (0: no match), NaN without one
 * @param lexicalThreshold the {@code max(n, lexicalTopK)}-th best filtered lexical score over
 *     every shard ({@code -Infinity}: fewer), NaN without a lexical clause
 */
record GlobalStats(
    float ermThreshold, LexicalTermStats terms, float lexicalMax, float lexicalThreshold)
    implements Writeable {

  /** The first round's result of a query with a lexical clause: term statistics only. */
  static GlobalStats termsOnly(LexicalTermStats terms) {
    return new GlobalStats(Float.NaN, terms, Float.NaN, Float.NaN);
  }

  GlobalStats(StreamInput in) throws IOException {
    this(
        in.readFloat(),
        in.readOptionalWriteable(LexicalTermStats::new),
        in.readFloat(),
        in.readFloat());
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeFloat(ermThreshold);
    out.writeOptionalWriteable(terms);
    out.writeFloat(lexicalMax);
    out.writeFloat(lexicalThreshold);
  }

  /** Whether the scores' round ran (otherwise only the term statistics are known). */
  boolean complete() {
    return Float.isNaN(ermThreshold) == false;
  }
}
