package io.github.lucenepefa.scoring;

import java.util.List;
import java.util.Objects;

/**
 * How PEFA-XL's nearest training queries vote: {@code s_knn(q,d) = c * sum_{i in N_k(q)} v_i *
 * Y[i,d]}, with the vote {@code v_i} of {@link #weighting()} and {@code c} of {@link
 * #normalization()} (which applies to {@link KnnWeighting#SIMILARITY} only; a softmax vote sums to
 * one by itself). The one place where these parameters are checked.
 *
 * @param k the number of neighbours {@code |N_k(q)|} requested, {@code > 0}
 * @param weighting the vote of one neighbour
 * @param normalization {@code c = 1} or {@code c = 1/k} for {@link KnnWeighting#SIMILARITY}
 * @param temperature {@code T} of {@link KnnWeighting#SOFTMAX}, finite and {@code > 0}
 */
public record KnnVote(
    int k, KnnWeighting weighting, KnnNormalization normalization, float temperature) {

  /** Default softmax temperature. */
  public static final float DEFAULT_TEMPERATURE = 0.05f;

  /**
   * Checks every parameter.
   *
   * @param k neighbours, {@code > 0}
   * @param weighting the vote
   * @param normalization SUM or MEAN
   * @param temperature softmax temperature, finite and {@code > 0}
   */
  public KnnVote {
    if (k <= 0) {
      throw new IllegalArgumentException("k must be > 0, got " + k);
    }
    Objects.requireNonNull(weighting, "weighting");
    Objects.requireNonNull(normalization, "normalization");
    if (!(temperature > 0f) || Float.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
    }
  }

  /**
   * The paper's vote: each neighbour votes with its similarity, the sum scaled by {@code c}.
   *
   * @param k neighbours
   * @param normalization SUM ({@code c = 1}) or MEAN ({@code c = 1/k})
   * @return the vote
   */
  public static KnnVote similarity(int k, KnnNormalization normalization) {
    return new KnnVote(k, KnnWeighting.SIMILARITY, normalization, DEFAULT_TEMPERATURE);
  }

  /**
   * The softmax vote over the neighbours' similarities.
   *
   * @param k neighbours
   * @param temperature {@code T}, finite and {@code > 0}
   * @return the vote
   */
  public static KnnVote softmax(int k, float temperature) {
    return new KnnVote(k, KnnWeighting.SOFTMAX, KnnNormalization.SUM, temperature);
  }

  /**
   * The constant {@code c} the vote sum is multiplied by.
   *
   * @return {@link KnnNormalization#factor} of {@code k} for {@link KnnWeighting#SIMILARITY}, 1
   *     for {@link KnnWeighting#SOFTMAX}
   */
  public float factor() {
    return weighting == KnnWeighting.SIMILARITY ? normalization.factor(k) : 1f;
  }

  /**
   * The vote {@code v_i} of each neighbour.
   *
   * @param neighbours {@code N_k(q)} in {@link PefaScoring#NEIGHBOUR_ORDER} (the first has the
   *     largest similarity)
   * @return {@code v_i} in the same order
   */
  public float[] votes(List<? extends PefaScoring.RankedRow> neighbours) {
    float[] v = new float[neighbours.size()];
    if (weighting == KnnWeighting.SIMILARITY) {
      for (int i = 0; i < v.length; i++) {
        v[i] = neighbours.get(i).similarity();
      }
      return v;
    }
    if (v.length == 0) {
      return v;
    }
    double top = neighbours.get(0).similarity();
    double[] e = new double[v.length];
    double sum = 0;
    for (int i = 0; i < v.length; i++) {
      e[i] = Math.exp((neighbours.get(i).similarity() - top) / temperature);
      sum += e[i];
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (e[i] / sum);
    }
    return v;
  }

  @Override
  public String toString() {
    return weighting == KnnWeighting.SIMILARITY
        ? "k=" + k + ", similarity vote, " + normalization
        : "k=" + k + ", softmax vote, T=" + temperature;
  }
}
