package io.github.lucenepefa.cli.bench;

import java.util.List;
import java.util.Objects;

/**
 * The vectors of one benchmark: documents (ERM vectors, in corpus order; document {@code i} has the
 * key {@code keys[i]}), training-memory rows (vector + labelled document indexes with weights) and
 * the query vectors to time. Every vector is unit length.
 *
 * @param name a short name for reports ("scifact", "synthetic-100k", ...)
 * @param docs the document vectors
 * @param keys the document keys (same length as docs)
 * @param rows the training-memory rows
 * @param queries the query vectors to time
 */
public record BenchData(
    String name, float[][] docs, String[] keys, List<Row> rows, float[][] queries) {

  /**
   * One training-memory row.
   *
   * @param rowId the row id
   * @param vector {@code x_i}
   * @param docs the labelled document indexes
   * @param weights {@code Y[i,d]} for each labelled document (same length as docs)
   */
  public record Row(String rowId, float[] vector, int[] docs, float[] weights) {
    /** Checks the lengths. */
    public Row {
      if (docs.length != weights.length || docs.length == 0) {
        throw new IllegalArgumentException("row " + rowId + ": bad labels");
      }
    }
  }

  /** Checks the shapes. */
  public BenchData {
    Objects.requireNonNull(name);
    if (docs.length == 0 || docs.length != keys.length) {
      throw new IllegalArgumentException("docs and keys must be non-empty and of equal length");
    }
    if (queries.length == 0) {
      throw new IllegalArgumentException("no queries");
    }
  }

  /**
   * The same documents and memory with other query vectors: as many as there are now, drawn
   * uniformly on the unit sphere (normalised Gaussian vectors). Such queries lie far from every
   * document and memory row, the hard case for a graph search.
   *
   * @param seed the random seed
   * @return the data named {@code name + "-random-queries"}
   */
  public BenchData withRandomQueries(long seed) {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    float[][] random = new float[queries.length][];
    for (int i = 0; i < random.length; i++) {
      random[i] = SyntheticData.gaussianUnit(rnd, dim());
    }
    return new BenchData(name + "-random-queries", docs, keys, rows, random);
  }

  /**
   * @return the vector dimension
   */
  public int dim() {
    return docs[0].length;
  }

  /**
   * @return the number of labels over all rows
   */
  public long labelCount() {
    long n = 0;
    for (Row r : rows) {
      n += r.docs().length;
    }
    return n;
  }
}
