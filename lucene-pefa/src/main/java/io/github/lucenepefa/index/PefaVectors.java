package io.github.lucenepefa.index;

/**
 * Validation of the vectors PEFA works with. PEFA assumes L2-normalised vectors compared by inner
 * product; the library <b>rejects</b> (rather than silently normalises) a vector that is not of
 * unit length, because a wrong norm usually means a wrong encoder or pooling and silently fixing it
 * would hide that. Use {@link #normalize} to normalise explicitly.
 */
public final class PefaVectors {

  /** Largest accepted deviation of a vector's L2 norm from 1. */
  public static final float UNIT_NORM_TOLERANCE = 1e-3f;

  private PefaVectors() {}

  /**
   * Checks length, finiteness and unit norm.
   *
   * @param what a name for the vector in messages, e.g. {@code "query vector"}
   * @param vector the vector
   * @param dim the expected dimension
   * @return {@code vector}
   * @throws IllegalArgumentException naming {@code what} and the problem
   */
  public static float[] checkUnit(String what, float[] vector, int dim) {
    checkFinite(what, vector, dim);
    double norm = 0;
    for (float v : vector) {
      norm += (double) v * v;
    }
    norm = Math.sqrt(norm);
    if (Math.abs(norm - 1) > UNIT_NORM_TOLERANCE) {
      throw new IllegalArgumentException(
          what
              + " must be L2-normalised (norm 1 ± "
              + UNIT_NORM_TOLERANCE
              + "), got norm "
              + (float) norm
              + "; use PefaVectors.normalize()");
    }
    return vector;
  }

  /**
   * Checks length and that every component is finite.
   *
   * @param what a name for the vector in messages
   * @param vector the vector
   * @param dim the expected dimension
   * @return {@code vector}
   * @throws IllegalArgumentException naming {@code what} and the problem
   */
  public static float[] checkFinite(String what, float[] vector, int dim) {
    if (vector == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (vector.length != dim) {
      throw new IllegalArgumentException(
          what + " has dimension " + vector.length + ", expected " + dim);
    }
    for (int i = 0; i < vector.length; i++) {
      if (Float.isFinite(vector[i]) == false) {
        throw new IllegalArgumentException(
            what + " has a non-finite component at index " + i + ": " + vector[i]);
      }
    }
    return vector;
  }

  /**
   * Returns an L2-normalised copy.
   *
   * @param vector a finite, non-zero vector
   * @return a new unit vector
   * @throws IllegalArgumentException for a zero or non-finite vector
   */
  public static float[] normalize(float[] vector) {
    checkFinite("vector", vector, vector.length);
    double norm = 0;
    for (float v : vector) {
      norm += (double) v * v;
    }
    if (norm == 0) {
      throw new IllegalArgumentException("cannot normalise a zero vector");
    }
    float inv = (float) (1.0 / Math.sqrt(norm));
    float[] out = new float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      out[i] = vector[i] * inv;
    }
    return out;
  }
}
