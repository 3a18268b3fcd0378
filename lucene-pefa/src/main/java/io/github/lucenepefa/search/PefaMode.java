package io.github.lucenepefa.search;

/** Which PEFA variant a {@link PefaQuery} runs. */
public enum PefaMode {
  /** PEFA-XL: ERM top-K plus the documents labelled by the k nearest training queries. */
  XL,
  /** PEFA-XS: one graph over {@code e_d = lam*p_d + (1-lam)*u_d}. */
  XS
}
