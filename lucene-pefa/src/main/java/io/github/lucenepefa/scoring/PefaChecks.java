package io.github.lucenepefa.scoring;

/**
 * The one place where PEFA's parameters, document keys and memory row ids are checked, so that
 * every class rejects a bad value with the same message, naming the parameter and the value.
 * Vectors are checked by {@code io.github.lucenepefa.index.PefaVectors}.
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

  /**
   * Checks a document key or memory row id: not empty, well-formed UTF-16 (so that it has one UTF-8
   * form and one term), and at most {@link org.apache.lucene.index.IndexWriter#MAX_TERM_LENGTH}
   * bytes in UTF-8.
   *
   * @param what what the string is, for the message (e.g. "document key")
   * @param id the string
   * @return {@code id}
   * @throws IllegalArgumentException naming {@code what} and the problem
   */
  public static String id(String what, String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be null or empty");
    }
    int utf8 = 0;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == id.length() || Character.isLowSurrogate(id.charAt(i + 1)) == false) {
          throw new IllegalArgumentException(
              what + " '" + id + "' has an unpaired surrogate at index " + i);
        }
        utf8 += 4;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        throw new IllegalArgumentException(
            what + " '" + id + "' has an unpaired surrogate at index " + i);
      } else {
        utf8 += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
    }
    if (utf8 > org.apache.lucene.index.IndexWriter.MAX_TERM_LENGTH) {
      throw new IllegalArgumentException(
          what
              + " is "
              + utf8
              + " bytes long in UTF-8, more than Lucene's term limit of "
              + org.apache.lucene.index.IndexWriter.MAX_TERM_LENGTH
              + " (starts with '"
              + id.substring(0, 20)
              + "...')");
    }
    return id;
  }
}
