package io.github.lucenepefa.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded synthetic clustered data set: {@code docs} unit vectors around {@code sqrt(docs)}
 * random cluster centres, {@code memoryRows} training queries drawn near their labelled documents
 * (1 to 3 labels from one cluster; one row in 500 has 100 to 300 labels) and {@code queries} test
 * queries drawn near a random document. The same arguments always give the same vectors.
 */
public final class SyntheticData {

  private SyntheticData() {}

  /**
   * Generates the data set.
   *
   * @param docs number of documents
   * @param memoryRows number of training-memory rows
   * @param queries number of query vectors
   * @param dim dimension
   * @param seed random seed
   * @return the data
   */
  public static BenchData generate(int docs, int memoryRows, int queries, int dim, long seed) {
    if (docs < 1 || memoryRows < 0 || queries < 1 || dim < 2) {
      throw new IllegalArgumentException("bad sizes");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    int clusters = Math.max(1, (int) Math.round(Math.sqrt(docs)));
    float[][] centres = new float[clusters][];
    for (int c = 0; c < clusters; c++) {
      centres[c] = gaussianUnit(rnd, dim);
    }
    float[][] docVectors = new float[docs][];
    String[] keys = new String[docs];
    int[] clusterOf = new int[docs];
    List<List<Integer>> members = new ArrayList<>(clusters);
    for (int c = 0; c < clusters; c++) {
      members.add(new ArrayList<>());
    }
    for (int i = 0; i < docs; i++) {
      int c = rnd.nextInt(clusters);
      clusterOf[i] = c;
      members.get(c).add(i);
      docVectors[i] = near(rnd, centres[c], 0.9f);
      keys[i] = "d" + i;
    }
    List<BenchData.Row> rows = new ArrayList<>(memoryRows);
    for (int r = 0; r < memoryRows; r++) {
      int first = rnd.nextInt(docs);
      List<Integer> cluster = members.get(clusterOf[first]);
      int labels = rnd.nextInt(500) == 0 ? 100 + rnd.nextInt(201) : 1 + rnd.nextInt(3);
      labels = Math.min(labels, cluster.size());
      java.util.LinkedHashSet<Integer> chosen = new java.util.LinkedHashSet<>();
      chosen.add(first);
      while (chosen.size() < labels) {
        chosen.add(cluster.get(rnd.nextInt(cluster.size())));
      }
      int[] ld = new int[chosen.size()];
      float[] w = new float[ld.length];
      float[] mean = new float[dim];
      int j = 0;
      for (int d : chosen) {
        ld[j] = d;
        w[j++] = 1f;
        for (int t = 0; t < dim; t++) {
          mean[t] += docVectors[d][t];
        }
      }
      rows.add(new BenchData.Row("r" + r, near(rnd, normalize(mean), 0.7f), ld, w));
    }
    float[][] qs = new float[queries][];
    for (int q = 0; q < queries; q++) {
      qs[q] = near(rnd, docVectors[rnd.nextInt(docs)], 0.7f);
    }
    return new BenchData(
        "synthetic-" + docs + "d-" + memoryRows + "r-" + dim + "dim-seed" + seed,
        docVectors,
        keys,
        rows,
        qs);
  }

  /** {@code normalize(base + noise * g / sqrt(dim))} with g standard Gaussian. */
  private static float[] near(SplittableRandom rnd, float[] base, float noise) {
    int dim = base.length;
    float scale = (float) (noise / Math.sqrt(dim));
    float[] v = new float[dim];
    for (int t = 0; t < dim; t++) {
      v[t] = base[t] + scale * (float) gaussian(rnd);
    }
    return normalize(v);
  }

  /** A vector drawn uniformly on the unit sphere: a standard Gaussian vector, normalised. */
  static float[] gaussianUnit(SplittableRandom rnd, int dim) {
    float[] v = new float[dim];
    for (int t = 0; t < dim; t++) {
      v[t] = (float) gaussian(rnd);
    }
    return normalize(v);
  }

  private static double gaussian(SplittableRandom rnd) {
    // Box-Muller (one value)
    double u = 1.0 - rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  static float[] normalize(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    float inv = (float) (1 / Math.sqrt(s));
    for (int t = 0; t < v.length; t++) {
      v[t] *= inv;
    }
    return v;
  }
}
