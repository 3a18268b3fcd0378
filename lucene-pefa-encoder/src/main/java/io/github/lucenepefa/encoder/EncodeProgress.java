package io.github.lucenepefa.encoder;

/**
 * Progress callback of a long encoding call, so that a command line tool can show texts/s and an ETA.
 *
 * <p>Called from the encoding thread after every model batch, with a monotonically growing {@code
 * done}; the last call has {@code done == total}. Implementations should be cheap and must not call
 * back into the encoder.
 */
@FunctionalInterface
public interface EncodeProgress {

  /** A callback that ignores all progress. */
  EncodeProgress NONE = (done, total) -> {};

  /**
   * Reports progress.
   *
   * @param done number of texts encoded so far in this call
   * @param total number of texts of this call
   */
  void onProgress(int done, int total);
}
