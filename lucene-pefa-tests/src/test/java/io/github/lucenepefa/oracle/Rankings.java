package io.github.lucenepefa.oracle;

import java.util.HashSet;
import java.util.Set;
import org.apache.lucene.search.ScoreDoc;

/**
 * Compares a search's hits with the brute-force ranking, up to float rounding: the same number of
 * hits, every hit a candidate whose raw score (recovered from the reported non-negative score)
 * equals the oracle's, hits in oracle order except among near-ties, and no candidate missing that
 * scores clearly above the last hit.
 */
public final class Rankings {

  private Rankings() {}

  /**
   * The raw PEFA score of a reported score: the inverse of {@code x < 0 ? 1/(1-x) : x+1}
   * (docs/pefa-semantics.md), written here from the documentation, not from the library.
   */
  public static double raw(float reported) {
    return reported >= 1 ? reported - 1.0 : 1.0 - 1.0 / reported;
  }

  /** The reported score of a raw score. */
  public static double reported(double raw) {
    return raw < 0 ? 1 / (1 - raw) : raw + 1;
  }

  /**
   * Asserts that {@code hits} is the oracle's ranking.
   *
   * @param ctx a description for failure messages
   * @param expected the oracle's ranking
   * @param hits the search's hits (non-negative reported scores)
   * @param n the number of results asked for
   */
  public static void assertSame(String ctx, BruteForce.Ranking expected, ScoreDoc[] hits, int n) {
    String detail = ctx + "\n expected " + expected.top() + "\n got " + describe(hits);
    int want = Math.min(n, expected.candidates().size());
    if (hits.length != want) {
      throw new AssertionError("hit count " + hits.length + " != " + want + ": " + detail);
    }
    Set<Integer> returned = new HashSet<>();
    double lowest = Double.POSITIVE_INFINITY;
    for (int i = 0; i < hits.length; i++) {
      Double o = expected.candidates().get(hits[i].doc);
      if (o == null) {
        throw new AssertionError("doc " + hits[i].doc + " is not a candidate: " + detail);
      }
      if (hits[i].score < 0) {
        throw new AssertionError("negative score at rank " + i + ": " + detail);
      }
      double raw = raw(hits[i].score);
      if (BruteForce.near(raw, o) == false) {
        throw new AssertionError(
            "rank " + i + " doc " + hits[i].doc + ": raw score " + raw + " != " + o + ": " + detail);
      }
      if (i > 0) {
        double prev = expected.candidates().get(hits[i - 1].doc);
        if (o > prev && BruteForce.near(o, prev) == false) {
          throw new AssertionError("ranks " + (i - 1) + " and " + i + " are out of order: " + detail);
        }
        if (hits[i].score > hits[i - 1].score) {
          throw new AssertionError("reported scores increase at rank " + i + ": " + detail);
        }
      }
      returned.add(hits[i].doc);
      lowest = Math.min(lowest, o);
    }
    for (var e : expected.candidates().entrySet()) {
      if (returned.contains(e.getKey()) == false
          && e.getValue() > lowest
          && BruteForce.near(e.getValue(), lowest) == false) {
        throw new AssertionError(
            "doc " + e.getKey() + " (score " + e.getValue() + ") is missing: " + detail);
      }
    }
  }

  static String describe(ScoreDoc[] hits) {
    StringBuilder sb = new StringBuilder("[");
    for (ScoreDoc h : hits) {
      sb.append(h.doc).append('=').append(raw(h.score)).append(' ');
    }
    return sb.append(']').toString();
  }
}
