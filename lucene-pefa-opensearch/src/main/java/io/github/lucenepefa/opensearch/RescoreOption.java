package io.github.lucenepefa.opensearch;

import java.io.IOException;
import org.opensearch.core.ParseField;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;

/**
 * The {@code pefa} query's {@code "rescore": {"oversample_factor": F}} option, named as the k-NN
 * plugin's {@code knn} query names it: a walk of a quantized graph (a field mapped with a {@code
 * compression_level} above {@code 1x}) collects {@code F} times the candidates it needs, and every
 * one is rescored with the float vectors. Without it each graph uses its quantization's default
 * (1 for {@code 1x} and {@code 4x}, 2 for {@code 8x}, 3 for {@code 32x}). PEFA always rescores
 * with the float vectors, so {@code "rescore": false} is refused.
 */
final class RescoreOption {

  static final ParseField RESCORE = new ParseField("rescore");
  static final ParseField OVERSAMPLE_FACTOR = new ParseField("oversample_factor");

  private RescoreOption() {}

  /**
   * Parses the option's value, the parser on its first token.
   *
   * @return the oversample factor, or null for the quantization's default
   * @throws IllegalArgumentException naming the parameter when the value is not valid
   */
  static Float parse(XContentParser parser) throws IOException {
    XContentParser.Token token = parser.currentToken();
    if (token == XContentParser.Token.VALUE_BOOLEAN && parser.booleanValue()) {
      return null;
    }
    if (token != XContentParser.Token.START_OBJECT) {
      throw new IllegalArgumentException(
          "[pefa] [rescore] must be an object {\"oversample_factor\": F} (PEFA always rescores the"
              + " candidates of a quantized graph with the float vectors), got "
              + token);
    }
    Float factor = null;
    while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
      String name = parser.currentName();
      token = parser.nextToken();
      if (OVERSAMPLE_FACTOR.match(name, parser.getDeprecationHandler()) == false) {
        throw new IllegalArgumentException(
            "[pefa] [rescore] does not support [" + name + "], only [oversample_factor]");
      }
      if (token != XContentParser.Token.VALUE_NUMBER && token != XContentParser.Token.VALUE_STRING) {
        throw new IllegalArgumentException(
            "[pefa] [rescore] [oversample_factor] must be a number, got " + token);
      }
      float value;
      try {
        value = parser.floatValue();
      } catch (IllegalArgumentException e) { // a string that is not a number
        throw new IllegalArgumentException(
            "[pefa] [rescore] [oversample_factor] must be a number, got [" + parser.text() + "]", e);
      }
      factor = check(value);
    }
    return factor;
  }

  /** Checks an oversample factor as the core does (finite, {@code >= 1}), naming the parameter. */
  static float check(float factor) {
    return PefaCore.checkOversample("[pefa] [rescore] [oversample_factor]", factor);
  }

  /** Writes the option, when set. */
  static void toXContent(XContentBuilder builder, Float factor) throws IOException {
    if (factor != null) {
      builder.startObject(RESCORE.getPreferredName());
      builder.field(OVERSAMPLE_FACTOR.getPreferredName(), factor.floatValue());
      builder.endObject();
    }
  }
}
