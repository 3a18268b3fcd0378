package io.github.lucenepefa.scoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.lucene.util.VectorUtil;

/**
 * The one implementation of PEFA's formulas. The query, the index writer, the tools and the
 * brute-force oracle of the tests all call these methods, so that a score computed through the
 * index is the same float as one computed by hand from the raw vectors.
 *
 * <ul>
 *   <li>similarity: {@code <a,b>} (inner product of L2-normalised vectors);
 *   <li>PEFA-XL: {@code lam * s_erm + (1 - lam) * s_knn}, with {@code s_knn(q,d) = c * sum_{i in
 *       N_k(q)} v_i * Y[i,d]} accumulated over neighbours in {@link #NEIGHBOUR_ORDER}, the vote
 *       {@code v_i} being {@code <q,x_i>} or its softmax ({@link KnnVote});
 *   <li>PEFA-XS: {@code <q, e_d>} with {@code e_d = lam * p_d + (1 - lam) * u_d} and {@code u_d =
 *       normalize(sum_i Y[i,d] * x_i)} (zero when no row labels {@code d}). {@code e_d} is
 *       computed in float by {@link #xsDocumentVector} and the score is {@code <q, e_d>}, whether
 *       {@code e_d} was stored at index time (the index-time lambda) or is mixed at search time
 *       from the stored pair {@code [p_d, u_d]} (any other lambda): both give the same float.
 * </ul>
 */
public final class PefaScoring {

  /**
   * The order in which neighbours are ranked and their kNN contributions summed: similarity
   * descending, then row id ascending. Shared by the query and the oracle so that sums are
   * bit-identical.
   */
  public static final Comparator<RankedRow> NEIGHBOUR_ORDER =
      Comparator.comparingDouble((RankedRow r) -> -r.similarity()).thenComparing(RankedRow::rowId);

  private PefaScoring() {}

  /** A training-memory row with its similarity to the query. */
  public interface RankedRow {
    /**
     * @return the row's id
     */
    String rowId();

    /**
     * @return {@code <q, x_i>}
     */
    float similarity();
  }

  /** A ranked training-memory row with its labels {@code Y[i,.]}. */
  public interface LabelledRow extends RankedRow {
    /**
     * @return document key to weight {@code Y[i,d]}
     */
    java.util.Map<String, Float> labels();
  }

  /**
   * The kNN part {@code s_knn(q,d) = c * sum_{i in N_k(q)} v_i * Y[i,d]} of every document labelled
   * by a neighbour, keyed by document key, with the votes {@code v_i} and constant {@code c} of
   * {@code vote}. Contributions {@code v_i * Y[i,d]} are summed in the order of {@code neighbours},
   * which must already be in {@link #NEIGHBOUR_ORDER}; the sum is then multiplied by {@code c}.
   *
   * @param neighbours {@code N_k(q)} in {@link #NEIGHBOUR_ORDER}, at most {@code vote.k()}
   * @param vote how the neighbours vote
   * @return document key to {@code s_knn}
   */
  public static java.util.Map<String, Float> knnScores(
      List<? extends LabelledRow> neighbours, KnnVote vote) {
    int labels = 0;
    for (LabelledRow row : neighbours) {
      labels += row.labels().size();
    }
    float[] votes = vote.votes(neighbours);
    java.util.Map<String, Float> sums = java.util.HashMap.newHashMap(labels);
    for (int i = 0; i < votes.length; i++) {
      float v = votes[i];
      for (java.util.Map.Entry<String, Float> e : neighbours.get(i).labels().entrySet()) {
        sums.merge(e.getKey(), knnContribution(v, e.getValue()), Float::sum);
      }
    }
    float c = vote.factor();
    if (c != 1f) { // 1 * sum is sum, bit for bit
      sums.replaceAll((key, sum) -> c * sum);
    }
    return sums;
  }

  /** A training-memory row vector with the weight {@code Y[i,d]} it gives one document. */
  public record WeightedRow(String rowId, float[] vector, float weight) {}

  /**
   * Inner-product similarity of two vectors of equal length.
   *
   * @param a first vector
   * @param b second vector
   * @return {@code <a,b>}
   */
  public static float similarity(float[] a, float[] b) {
    return VectorUtil.dotProduct(a, b);
  }

  /**
   * Maps a raw PEFA score to the non-negative score a Lucene {@code Scorer} reports, the way
   * Lucene's {@code MAXIMUM_INNER_PRODUCT} similarity maps an inner product: {@code x < 0 ? 1 / (1 -
   * x) : x + 1}. It is increasing, so it keeps the rank order; the raw score is in the explanation.
   *
   * @param raw a PEFA-XL or PEFA-XS score
   * @return the score in {@code (0, +inf)}
   */
  public static float nonNegativeScore(float raw) {
    return raw < 0 ? 1 / (1 - raw) : raw + 1;
  }

  /**
   * PEFA-XL's convex combination.
   *
   * @param lambda weight of the ERM part, in [0,1]
   * @param erm {@code s_erm(q,d)}
   * @param knn {@code s_knn(q,d)}
   * @return {@code lambda * erm + (1 - lambda) * knn}
   */
  public static float xlScore(float lambda, float erm, float knn) {
    return lambda * erm + (1f - lambda) * knn;
  }

  /**
   * The hybrid lexical + PEFA score {@code h = a * bm25 / max + (1 - a) * s}, on PEFA's raw (cosine)
   * scale. The lexical part is 0 when {@code max} is not positive (no document matches).
   *
   * @param weight {@code a}, in [0,1]
   * @param lexical {@code bm25(q,d)}, the lexical query's score of the document (0 if it does not
   *     match)
   * @param lexicalMax {@code max_d' bm25(q,d')}, the normaliser
   * @param pefa {@code s_m(q,d)}, the raw score of the PEFA method
   * @return {@code h(q,d)}
   */
  public static float hybridScore(float weight, float lexical, float lexicalMax, float pefa) {
    float normalised = lexicalMax > 0f ? lexical / lexicalMax : 0f;
    return weight * normalised + (1f - weight) * pefa;
  }

  /**
   * The contribution of one neighbour to one document's kNN sum (before {@code c}).
   *
   * @param vote the neighbour's vote {@code v_i} ({@link KnnVote#votes})
   * @param weight {@code Y[i,d]}
   * @return {@code v_i * Y[i,d]}
   */
  public static float knnContribution(float vote, float weight) {
    return vote * weight;
  }

  /**
   * Sorts neighbours into {@link #NEIGHBOUR_ORDER} and keeps the first {@code k}.
   *
   * @param rows candidate rows with their similarities (not modified)
   * @param k number to keep
   * @return a new list of at most {@code k} rows
   */
  public static <T extends RankedRow> List<T> topNeighbours(List<T> rows, int k) {
    List<T> sorted = new ArrayList<>(rows);
    sorted.sort(NEIGHBOUR_ORDER);
    return sorted.size() > k ? new ArrayList<>(sorted.subList(0, k)) : sorted;
  }

  /**
   * The normalised label centroid {@code u_d = normalize(sum_i Y[i,d] * x_i)}, summed in row-id
   * order so that the result does not depend on the order rows were found in.
   *
   * @param rows the rows labelling one document with their weights
   * @param dim the vector dimension
   * @return {@code u_d}, or the zero vector when {@code rows} is empty or the sum is zero
   */
  public static float[] labelCentroid(List<WeightedRow> rows, int dim) {
    float[] sum = new float[dim];
    if (rows.isEmpty()) {
      return sum;
    }
    List<WeightedRow> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(WeightedRow::rowId));
    for (WeightedRow row : sorted) {
      float w = row.weight();
      float[] x = row.vector();
      for (int j = 0; j < dim; j++) {
        sum[j] += w * x[j];
      }
    }
    double norm = 0;
    for (float v : sum) {
      norm += (double) v * v;
    }
    if (Double.isFinite(norm) == false) {
      return labelCentroidInDouble(sorted, dim); // float sums overflowed: huge weights
    }
    if (norm == 0) {
      return sum;
    }
    float inv = (float) (1.0 / Math.sqrt(norm));
    for (int j = 0; j < dim; j++) {
      sum[j] *= inv;
    }
    return sum;
  }

  /** {@link #labelCentroid} summed in double, for weights whose float sums overflow. */
  private static float[] labelCentroidInDouble(List<WeightedRow> sorted, int dim) {
    double[] sum = new double[dim];
    for (WeightedRow row : sorted) {
      for (int j = 0; j < dim; j++) {
        sum[j] += (double) row.weight() * row.vector()[j];
      }
    }
    double max = 0;
    for (double v : sum) {
      max = Math.max(max, Math.abs(v));
    }
    if (max == 0) {
      return new float[dim];
    }
    double norm = 0;
    for (double v : sum) {
      norm += (v / max) * (v / max);
    }
    norm = max * Math.sqrt(norm);
    float[] out = new float[dim];
    for (int j = 0; j < dim; j++) {
      out[j] = (float) (sum[j] / norm);
    }
    return out;
  }

  /**
   * The stored PEFA-XS pair {@code [p_d, u_d]} (length {@code 2 * dim}).
   *
   * @param p the ERM document vector
   * @param u the label centroid ({@link #labelCentroid})
   * @return a new array holding {@code p} then {@code u}
   */
  public static float[] xsPair(float[] p, float[] u) {
    float[] pair = new float[p.length * 2];
    System.arraycopy(p, 0, pair, 0, p.length);
    System.arraycopy(u, 0, pair, p.length, u.length);
    return pair;
  }

  /**
   * The PEFA-XS document vector {@code e_d = lam * p_d + (1 - lam) * u_d} of a stored pair.
   *
   * @param pair the document's {@link #xsPair} {@code [p_d, u_d]} (length {@code 2d})
   * @param lambda the mixing weight of {@code p_d}, in [0,1]
   * @param out receives {@code e_d} (length {@code d})
   * @return {@code out}
   */
  public static float[] xsDocumentVector(float[] pair, float lambda, float[] out) {
    int d = out.length;
    float mu = 1f - lambda;
    for (int j = 0; j < d; j++) {
      out[j] = lambda * pair[j] + mu * pair[d + j];
    }
    return out;
  }

  /**
   * The PEFA-XS document vector {@code e_d = lam * p_d + (1 - lam) * u_d}.
   *
   * @param p the ERM document vector
   * @param u the label centroid ({@link #labelCentroid})
   * @param lambda the mixing weight of {@code p}, in [0,1]
   * @return a new array holding {@code e_d}
   */
  public static float[] xsDocumentVector(float[] p, float[] u, float lambda) {
    return xsDocumentVector(xsPair(p, u), lambda, new float[p.length]);
  }

  /**
   * The PEFA-XS query {@code [lam*q, (1-lam)*q]}, whose inner product with a stored pair equals
   * {@code <q, e_d>} up to rounding; used to walk the pair field's graph at a search-time lambda
   * other than the index-time one (scores are then taken with {@link #xsScore}).
   *
   * @param q the query vector
   * @param lambda the search-time lambda
   * @return a new array of length {@code 2 * q.length}
   */
  public static float[] xsQuery(float[] q, float lambda) {
    return xsQuery(q, lambda, new float[q.length * 2]);
  }

  /**
   * {@link #xsQuery(float[], float)} into an array (also used, with {@code q = e_a}, to score node
   * pairs of a PEFA-XS graph by {@code <e_a, e_b>}).
   *
   * @param q the query vector
   * @param lambda the lambda
   * @param out receives {@code [lam*q, (1-lam)*q]} (length {@code 2 * q.length})
   * @return {@code out}
   */
  public static float[] xsQuery(float[] q, float lambda, float[] out) {
    float mu = 1f - lambda;
    for (int j = 0; j < q.length; j++) {
      out[j] = lambda * q[j];
      out[q.length + j] = mu * q[j];
    }
    return out;
  }

  /**
   * The PEFA-XS score {@code <q, e_d>}.
   *
   * @param q the query vector
   * @param documentVector the document's {@link #xsDocumentVector}
   * @return the score
   */
  public static float xsScore(float[] q, float[] documentVector) {
    return VectorUtil.dotProduct(q, documentVector);
  }
}
