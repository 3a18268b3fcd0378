package io.github.lucenepefa.opensearch;

import java.io.IOException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;

/**
 * The whole-search statistics of a {@code pefa} query, computed once by the coordinating node
 * ({@link GlobalStatsAction}) and sent to every shard inside the rewritten query, so that every
 * shard ranks as one index holding all of the searched documents would.
 *
 * @param ermThreshold the K-th best ERM score {@code <q,p_d>} over every shard ({@code -Infinity}
 *     when fewer than K documents have one): a document is in the ERM top-K iff a shard finds it
 *     among its own K and its ERM score is at least this
 */
record GlobalStats(float ermThreshold) implements Writeable {

  GlobalStats(StreamInput in) throws IOException {
    this(in.readFloat());
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeFloat(ermThreshold);
  }
}
