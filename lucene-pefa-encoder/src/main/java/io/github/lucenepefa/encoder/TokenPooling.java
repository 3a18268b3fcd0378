package io.github.lucenepefa.encoder;

/** Turns a batch's model output into one vector per text: pooling (mean or CLS) and L2 normalisation. */
final class TokenPooling {

  private TokenPooling() {}

  /**
   * The vectors of a right-padded batch of {@code len} tokens per text from the flat output {@code
   * all} of shape {@code outShape}: copied when the output is already pooled ({@code pooledOutput}),
   * otherwise the first token's ({@link Pooling#CLS}) or the mean over the text's own tokens.
   */
  static float[][] pool(
      long[][] batch,
      int len,
      float[] all,
      long[] outShape,
      boolean pooledOutput,
      Pooling pooling,
      boolean normalize) {
    int bn = batch.length;
    int hidden = (int) outShape[outShape.length - 1];
    float[][] vecs = new float[bn][];
    for (int i = 0; i < bn; i++) {
      float[] v = new float[hidden];
      if (pooledOutput) {
        System.arraycopy(all, i * hidden, v, 0, hidden);
      } else if (pooling == Pooling.CLS) {
        System.arraycopy(all, i * len * hidden, v, 0, hidden);
      } else {
        int tokens = batch[i].length;
        int base = i * len * hidden;
        for (int t = 0; t < tokens; t++) {
          int off = base + t * hidden;
          for (int d = 0; d < hidden; d++) {
            v[d] += all[off + d];
          }
        }
        for (int d = 0; d < hidden; d++) {
          v[d] /= tokens;
        }
      }
      if (normalize) {
        normalizeInPlace(v);
      }
      vecs[i] = v;
    }
    return vecs;
  }

  private static void normalizeInPlace(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum > 0) {
      float inv = (float) (1.0 / Math.sqrt(sum));
      for (int d = 0; d < v.length; d++) {
        v[d] *= inv;
      }
    }
  }
}
