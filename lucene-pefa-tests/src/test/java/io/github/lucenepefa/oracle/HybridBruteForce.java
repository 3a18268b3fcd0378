package io.github.lucenepefa.oracle;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;

/**
 * The hybrid lexical + PEFA score computed by brute force, in double, from the formula of issue 28
 * and docs/pefa-semantics.md: {@code h = a * bm25 / max + (1 - a) * s}, {@code max} the largest
 * lexical score over every live document (the lexical part is 0 when nothing matches). The lexical
 * score of every document comes from Lucene's own {@link IndexSearcher#explain} of the lexical
 * query, the PEFA score {@code s} of every document from {@link BruteForce}: nothing of the
 * library's hybrid code is called.
 */
public final class HybridBruteForce {

  private HybridBruteForce() {}

  /**
   * @param searcher a searcher over the index
   * @param content its live documents
   * @param lexical the lexical query
   * @return global doc id to its lexical score (absent: no match), over every live document
   */
  public static Map<Integer, Double> lexicalScores(
      IndexSearcher searcher, Content content, Query lexical) throws IOException {
    Map<Integer, Double> out = new HashMap<>();
    for (Content.Doc d : content.docs()) {
      Explanation e = searcher.explain(lexical, d.globalDoc());
      if (e.isMatch()) {
        out.put(d.globalDoc(), e.getValue().doubleValue());
      }
    }
    return out;
  }

  /**
   * @param pefa every candidate's raw PEFA score (every accepted document with a vector)
   * @param lexical every live document's lexical score ({@link #lexicalScores})
   * @param a the lexical weight
   * @param n the number of results
   * @param ambiguous whether the PEFA side had a near-tie at a boundary
   * @return the hybrid ranking
   */
  public static BruteForce.Ranking rank(
      BruteForce.Ranking pefa, Map<Integer, Double> lexical, double a, int n, boolean ambiguous) {
    double max = 0;
    for (double v : lexical.values()) {
      max = Math.max(max, v);
    }
    return rank(pefa, lexical, a, n, ambiguous, max);
  }

  /**
   * Like {@link #rank(BruteForce.Ranking, Map, double, int, boolean)} with the normaliser given
   * (the top lexical score of a whole sharded index, for one shard).
   */
  public static BruteForce.Ranking rank(
      BruteForce.Ranking pefa,
      Map<Integer, Double> lexical,
      double a,
      int n,
      boolean ambiguous,
      double max) {
    Map<Integer, Double> h = new HashMap<>();
    for (Map.Entry<Integer, Double> e : pefa.candidates().entrySet()) {
      double bm25 = lexical.getOrDefault(e.getKey(), 0.0);
      double norm = max > 0 ? bm25 / max : 0;
      h.put(e.getKey(), a * norm + (1 - a) * e.getValue());
    }
    return BruteForce.rank(h, n, ambiguous);
  }
}
