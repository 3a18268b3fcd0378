package io.github.lucenepefa.scoring;

/** Which ERM score {@code s_erm(q,d)} a PEFA-XL candidate gets. */
public enum ErmScoreMode {
  /** Every candidate gets its true {@code <q,p_d>} (the default). */
  EXACT,
  /**
   * Candidates outside the ERM top-K get {@code s_erm = 0}, as in the paper's code (its sparse
   * top-K matrix has no entry there). Offered to reproduce published numbers.
   */
  TOP_K_ONLY
}
