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
 * @param oneShard the search reads one shard ({@link #ONE_SHARD}): that shard's own statistics are
 *     the whole search's, none were gathered, and the shard ranks with its own
 */
record GlobalStats(
    float ermThreshold,
    LexicalTermStats terms,
    float lexicalMax,
    float lexicalThreshold,
    boolean oneShard)
    implements Writeable {

  /**
   * The statistics of a search that reads one shard, known without asking it: the shard's own
   * ERM top-K and lexical statistics are the whole search's.
   */
  static final GlobalStats ONE_SHARD =
      new GlobalStats(Float.NEGATIVE_INFINITY, null, Float.NaN, Float.NaN, true);

  /** Statistics gathered from every shard the search reads. */
  GlobalStats(float ermThreshold, LexicalTermStats terms, float lexicalMax, float lexicalThreshold) {
    this(ermThreshold, terms, lexicalMax, lexicalThreshold, false);
  }

  /** The first round's result of a query with a lexical clause: term statistics only. */
  static GlobalStats termsOnly(LexicalTermStats terms) {
    return new GlobalStats(Float.NaN, terms, Float.NaN, Float.NaN);
  }

  GlobalStats(StreamInput in) throws IOException {
    this(
        in.readFloat(),
        in.readOptionalWriteable(LexicalTermStats::new),
        in.readFloat(),
        in.readFloat(),
        in.readBoolean());
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeFloat(ermThreshold);
    out.writeOptionalWriteable(terms);
    out.writeFloat(lexicalMax);
    out.writeFloat(lexicalThreshold);
    out.writeBoolean(oneShard);
  }

  /**
   * Whether the scores' round ran, or the search reads one shard (otherwise only the term
   * statistics are known).
   */
  boolean complete() {
    return Float.isNaN(ermThreshold) == false;
  }
}
