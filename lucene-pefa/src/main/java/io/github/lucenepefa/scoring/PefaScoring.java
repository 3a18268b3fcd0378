package io.github.lucenepefa.scoring;

import java.util.ArrayList;
import java.util.Arrays;
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
 *       stored at the index-time lambda {@code lam0}; at another lambda it is computed in float
 *       from the stored {@code p_d} and {@code e_d(lam0)} by {@link #xsDocumentVector(float[],
 *       float[], float, float, float[])} (the one place that does), and the score is {@code <q,
 *       e_d>} either way.
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
   * The K-th best ERM score of an index split into shards, from every shard's own ERM top-K scores
   * (in any order): the boundary of the whole index's ERM top-K.
   *
   * @param shardScores every shard's ERM top-K scores
   * @param topK {@code K}, > 0
   * @return the K-th largest of all scores, or {@code -Infinity} when there are fewer than K
   */
  public static float ermTopKThreshold(List<float[]> shardScores, int topK) {
    PefaChecks.positive("K (topK)", topK);
    int total = 0;
    for (float[] s : shardScores) {
      total += s.length;
    }
    if (total < topK) {
      return Float.NEGATIVE_INFINITY;
    }
    float[] all = new float[total];
    int at = 0;
    for (float[] s : shardScores) {
      System.arraycopy(s, 0, all, at, s.length);
      at += s.length;
    }
    Arrays.sort(all);
    return all[total - topK];
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
   * The PEFA-XS document vector {@code e_d = lam * p_d + (1 - lam) * u_d}, as stored at the
   * index-time lambda.
   *
   * @param p the ERM document vector
   * @param u the label centroid ({@link #labelCentroid})
   * @param lambda the mixing weight of {@code p}, in [0,1]
   * @return a new array holding {@code e_d}
   */
  public static float[] xsDocumentVector(float[] p, float[] u, float lambda) {
    float[] e = new float[p.length];
    float mu = 1f - lambda;
    for (int j = 0; j < e.length; j++) {
      e[j] = lambda * p[j] + mu * u[j];
    }
    return e;
  }

  /**
   * The PEFA-XS document vector {@code e_d(lam)} at a search-time lambda, from the stored {@code
   * p_d} and {@code e0 = e_d(lam0)} ({@link #xsDocumentVector(float[], float[], float)} at the
   * index-time {@code lam0}): since {@code u_d = (e0 - lam0 p_d) / (1 - lam0)}, {@code e_d(lam) = a
   * p_d + b e0} with {@code b = (1 - lam) / (1 - lam0)} and {@code a = lam - lam0 b}, computed in
   * float. At {@code lam = lam0} it is {@code e0} exactly ({@code a = 0}, {@code b = 1}); at {@code
   * lam = 1} it is {@code p_d} exactly. The float error of a component is at most about {@code
   * (|a| + |b|)} times that of {@code e0}'s, so it grows as {@code lam0} nears 1.
   *
   * @param p the stored ERM document vector {@code p_d}
   * @param e0 the stored PEFA-XS document vector at the index-time lambda
   * @param indexLambda the index-time lambda {@code lam0}, in [0,1]
   * @param lambda the search-time lambda, in [0,1]
   * @param out receives {@code e_d(lam)} (length {@code d})
   * @return {@code out}
   * @throws IllegalArgumentException when {@code lam0 = 1} and {@code lam != 1}: then {@code e0 =
   *     p_d} and {@code u_d} cannot be recovered
   */
  public static float[] xsDocumentVector(
      float[] p, float[] e0, float indexLambda, float lambda, float[] out) {
    checkXsLambdas(indexLambda, lambda);
    float b = (1f - lambda) / (1f - indexLambda);
    float a = lambda - indexLambda * b;
    if (lambda == 1f) { // b = 0 / (1 - lam0): e_d(1) = p_d, also when lam0 = 1 (0 / 0)
      System.arraycopy(p, 0, out, 0, out.length);
      return out;
    }
    for (int j = 0; j < out.length; j++) {
      out[j] = a * p[j] + b * e0[j];
    }
    return out;
  }

  /**
   * Checks that PEFA-XS at {@code lambda} can be computed from {@code p_d} and {@code e_d} stored at
   * {@code indexLambda}: always, unless {@code indexLambda = 1} (then {@code e_d = p_d} holds no
   * label part) and {@code lambda != 1}.
   *
   * @param indexLambda the index-time lambda
   * @param lambda the search-time lambda
   * @throws IllegalArgumentException naming both lambdas when it cannot
   */
  public static void checkXsLambdas(float indexLambda, float lambda) {
    if (indexLambda == 1f && lambda != 1f) {
      throw new IllegalArgumentException(
          "PEFA-XS lambda="
              + lambda
              + ": the index stores e_d at index-time lambda 1, which is p_d alone, so the label"
              + " part u_d cannot be recovered; rebuild with an index-time lambda below 1");
    }
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
