package io.github.lucenepefa.scoring;

/**
 * How much each of the {@code k} nearest training queries counts in PEFA-XL's kNN part {@code
 * s_knn(q,d) = c * sum_{i in N_k(q)} v_i * Y[i,d]}.
 */
public enum KnnWeighting {
  /**
   * The paper's vote: {@code v_i = <q,x_i>}, the neighbour's raw similarity, scaled by the {@link
   * KnnNormalization} constant {@code c}.
   */
  SIMILARITY,
  /**
   * A sharper vote: {@code v_i = exp((s_i - s_1)/T) / sum_{j in N_k(q)} exp((s_j - s_1)/T)} with
   * {@code s_i = <q,x_i>}, {@code s_1} the largest and {@code T} the temperature; {@code c = 1}.
   * With sentence encoders the top similarities lie close together, so under {@link #SIMILARITY}
   * the k-th neighbour votes almost as loudly as the first; a small {@code T} lets the nearest
   * neighbours dominate.
   */
  SOFTMAX
}
