package io.github.lucenepefa.cli.eval;

import java.util.SplittableRandom;

/**
 * The paired randomisation (permutation) test of two systems' per-query scores: under the null hypothesis the two
 * scores of a query are exchangeable, so each query's difference keeps or flips its sign with probability 1/2. The
 * two-sided p-value is the share of {@code trials} random sign assignments whose mean difference is at least as far
 * from zero as the observed one, counting the observed assignment itself: {@code (hits + 1) / (trials + 1)} (Smucker,
 * Allan and Carterette, CIKM 2007, recommend this test for IR evaluation).
 */
public final class PairedTest {

  /** Random sign assignments of {@link #randomisation(double[], double[])}. */
  public static final int DEFAULT_TRIALS = 100_000;

  /** Seed of {@link #randomisation(double[], double[])}, so that a report is reproducible. */
  public static final long DEFAULT_SEED = 42;

  private PairedTest() {}

  /**
   * @param a per-query scores of system A
   * @param b per-query scores of system B, same queries in the same order
   * @return the two-sided p-value with {@link #DEFAULT_TRIALS} trials and {@link #DEFAULT_SEED}
   */
  public static double randomisation(double[] a, double[] b) {
    return randomisation(a, b, DEFAULT_TRIALS, DEFAULT_SEED);
  }

  /**
   * @param a per-query scores of system A
   * @param b per-query scores of system B, same queries in the same order
   * @param trials random sign assignments, at least 1
   * @param seed random seed
   * @return the two-sided p-value, in (0, 1]
   * @throws IllegalArgumentException for arrays of different lengths, no queries, or {@code trials < 1}
   */
  public static double randomisation(double[] a, double[] b, int trials, long seed) {
    if (a.length != b.length || a.length == 0) {
      throw new IllegalArgumentException("need the same, non-zero number of queries, got " + a.length + " and " + b.length);
    }
    if (trials < 1) {
      throw new IllegalArgumentException("trials must be >= 1, got " + trials);
    }
    int n = a.length;
    double[] d = new double[n];
    double observed = 0;
    for (int i = 0; i < n; i++) {
      d[i] = a[i] - b[i];
      observed += d[i];
    }
    double limit = Math.abs(observed) - 1e-9 * Math.max(1, Math.abs(observed)); // float noise counts as "as far"
    SplittableRandom r = new SplittableRandom(seed);
    long hits = 0;
    for (int t = 0; t < trials; t++) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        s += r.nextBoolean() ? d[i] : -d[i];
      }
      if (Math.abs(s) >= limit) {
        hits++;
      }
    }
    return (hits + 1.0) / (trials + 1.0);
  }
}
