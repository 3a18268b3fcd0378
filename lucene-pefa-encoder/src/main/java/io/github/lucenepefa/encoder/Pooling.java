package io.github.lucenepefa.encoder;

/**
 * How the per-token output of a transformer is turned into one sentence vector.
 *
 * <p>{@link #MEAN} averages the token vectors of the real (attention-mask = 1) tokens, special tokens
 * included, exactly as sentence-transformers' {@code Pooling(pooling_mode_mean_tokens=True)} does for
 * all-MiniLM-L6-v2 and e5. {@link #CLS} takes the vector of the first token ({@code [CLS]}), as BGE does.
 */
public enum Pooling {
  /** Mean of the token vectors under the attention mask. */
  MEAN,
  /** Vector of the first ({@code [CLS]}) token. */
  CLS
}
