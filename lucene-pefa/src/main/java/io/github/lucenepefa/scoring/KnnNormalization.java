package io.github.lucenepefa.scoring;

/**
 * How PEFA-XL scales the kNN part {@code s_knn(q,d) = c * sum_{i in N_k(q)} <q,x_i> * Y[i,d]}.
 *
 * <p>{@link #SUM} is the paper's "v1" ({@code c = 1}); {@link #MEAN} is "v0" ({@code c = 1/k}, with
 * {@code k} the requested number of neighbours, also when the memory holds fewer rows).
 */
public enum KnnNormalization {
  /** {@code c = 1}. */
  SUM,
  /** {@code c = 1/k}. */
  MEAN;

  /**
   * Returns the constant {@code c} for the requested neighbour count.
   *
   * @param k the requested number of neighbours (not the number found)
   * @return {@code 1} for {@link #SUM}, {@code 1/k} for {@link #MEAN}
   */
  public float factor(int k) {
    return this == SUM ? 1f : 1f / k;
  }
}
