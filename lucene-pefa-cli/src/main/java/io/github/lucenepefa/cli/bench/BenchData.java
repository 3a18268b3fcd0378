package io.github.lucenepefa.cli.bench;

import java.util.List;
import java.util.Objects;

/**
 * The vectors of one benchmark: documents (ERM vectors, in corpus order; document {@code i} has the
 * key {@code keys[i]}), training-memory rows (vector + labelled document indexes with weights) and
 * the query vectors to time. Every vector is unit length. A data set from a corpus also has the texts
 * of its documents and queries, the lexical side of hybrid search; a synthetic one has none.
 *
 * @param name a short name for reports ("scifact", "synthetic-100k", ...)
 * @param docs the document vectors
 * @param keys the document keys (same length as docs)
 * @param rows the training-memory rows
 * @param queries the query vectors to time
 * @param docTexts the text of each document for its BM25 field ({@code title + " " + text}), or null
 * @param queryTexts the text of each query (same length as queries), or null
 */
public record BenchData(
    String name,
    float[][] docs,
    String[] keys,
    List<Row> rows,
    float[][] queries,
    String[] docTexts,
    String[] queryTexts) {

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
    if ((docTexts == null) != (queryTexts == null)
        || (docTexts != null && (docTexts.length != docs.length || queryTexts.length != queries.length))) {
      throw new IllegalArgumentException("texts: one per document and one per query, or none");
    }
  }

  /**
   * Data without texts.
   *
   * @param name a short name for reports
   * @param docs the document vectors
   * @param keys the document keys
   * @param rows the training-memory rows
   * @param queries the query vectors to time
   */
  public BenchData(String name, float[][] docs, String[] keys, List<Row> rows, float[][] queries) {
    this(name, docs, keys, rows, queries, null, null);
  }

  /**
   * @return whether the documents and queries have texts (hybrid search can be timed)
   */
  public boolean hasText() {
    return docTexts != null;
  }

  /**
   * The same documents and memory with other query vectors: as many as there are now, drawn
   * uniformly on the unit sphere (normalised Gaussian vectors). Such queries lie far from every
   * document and memory row, the hard case for a graph search. They have no texts, so the result
   * has none.
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
