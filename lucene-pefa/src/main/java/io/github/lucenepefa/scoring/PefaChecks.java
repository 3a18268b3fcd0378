package io.github.lucenepefa.scoring;

/**
 * The one place where PEFA's parameters are checked, so that every class rejects a bad value with
 * the same message, naming the parameter and the value. Vectors are checked by {@code
 * io.github.lucenepefa.index.PefaVectors}.
 */
public final class PefaChecks {

  private PefaChecks() {}

  /**
   * Checks a mixing weight.
   *
   * @param name the parameter's name, for the message
   * @param lambda the value
   * @return {@code lambda}
   * @throws IllegalArgumentException unless {@code 0 <= lambda <= 1}
   */
  public static float lambda(String name, float lambda) {
    if (!(lambda >= 0f && lambda <= 1f)) {
      throw new IllegalArgumentException(name + " must be in [0,1], got " + lambda);
    }
    return lambda;
  }

  /**
   * Checks a count or size.
   *
   * @param name the parameter's name, for the message
   * @param value the value
   * @return {@code value}
   * @throws IllegalArgumentException unless {@code value > 0}
   */
  public static int positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }
    return value;
  }

  /**
   * Checks an oversample factor (how many more graph candidates than wanted are rescored).
   *
   * @param name the parameter's name, for the message
   * @param factor the value
   * @return {@code factor}
   * @throws IllegalArgumentException unless {@code factor} is finite and {@code >= 1}
   */
  public static float oversample(String name, float factor) {
    if (!(factor >= 1f) || Float.isInfinite(factor)) {
      throw new IllegalArgumentException(name + " must be >= 1 and finite, got " + factor);
    }
    return factor;
  }

  /**
   * Checks that a lexical query only reads fields the index has.
   *
   * @param queryFields the fields the lexical query reads
   * @param indexFields the fields of the index
   * @throws IllegalArgumentException naming the first missing field
   */
  public static void lexicalFields(
      java.util.Collection<String> queryFields, java.util.Set<String> indexFields) {
    for (String field : queryFields) {
      if (indexFields.contains(field) == false) {
        throw new IllegalArgumentException(
            "lexical query field '" + field + "' is not in the index");
      }
    }
  }
}
