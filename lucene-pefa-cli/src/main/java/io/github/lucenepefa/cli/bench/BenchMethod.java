package io.github.lucenepefa.cli.bench;

import java.io.IOException;
import org.apache.lucene.search.ScoreDoc;

/**
 * One timed method of {@code pefa bench} ({@link BenchMethods}): its search, the map of its doc ids
 * to data indexes, its exact reference and its count of vectors scored per query.
 *
 * @param name the method name (the {@code method} of its {@link BenchRunner.Record})
 * @param ef efSearch (0 for exact methods)
 * @param topK PEFA-XL's K (0 otherwise)
 * @param search the timed search
 * @param map doc id to data index of the hits of {@code search}, or null where they are data indexes
 * @param exact the exact reference its overlap is taken with
 * @param visited the vectors it scores per query
 */
record BenchMethod(
    String name, int ef, int topK, Search search, int[] map, Search exact, Visited visited) {

  /** One timed search: returns hits whose doc ids are mapped by {@link BenchMethod#map}. */
  interface Search {
    ScoreDoc[] run(float[] q) throws IOException;
  }

  /** Mean visited vectors of one query. */
  interface Visited {
    long count(float[] q) throws IOException;
  }
}
