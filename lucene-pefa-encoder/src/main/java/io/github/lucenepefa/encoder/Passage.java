package io.github.lucenepefa.encoder;

/**
 * A document to encode: an optional title and a body text.
 *
 * <p>Following the BEIR convention the encoder embeds {@code title + " " + text} when the title is
 * non-empty and just {@code text} otherwise, preceded by the model's document prefix (e.g. {@code
 * "passage: "} for e5).
 *
 * @param title the title, may be {@code null} or empty
 * @param text the body, must not be {@code null} (may be empty)
 */
public record Passage(String title, String text) {

  /**
   * A passage without a title.
   *
   * @param text the body text
   * @return a passage with a {@code null} title
   */
  public static Passage of(String text) {
    return new Passage(null, text);
  }

  /**
   * The text the model sees before the document prefix is added.
   *
   * @return {@code title + " " + text} when the title is non-empty, otherwise {@code text}
   * @throws IllegalArgumentException if {@code text} is {@code null}
   */
  public String joined() {
    if (text == null) {
      throw new IllegalArgumentException("passage text must not be null (title=" + title + ")");
    }
    return title == null || title.isEmpty() ? text : title + " " + text;
  }
}
