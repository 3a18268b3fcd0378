package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.opensearch.core.xcontent.XContentParser;

/** Reading vectors from JSON, and the exact text form of a stored label centroid. */
final class Vectors {

  private Vectors() {}

  /**
   * Reads a JSON array of numbers at the parser's current token as float32 values.
   *
   * @param what the vector's name in error messages, e.g. {@code "[embedding] vector"}
   */
  static float[] parseArray(XContentParser parser, String what) throws IOException {
    if (parser.currentToken() != XContentParser.Token.START_ARRAY) {
      throw new IllegalArgumentException(
          what + " must be an array of numbers, got " + parser.currentToken());
    }
    List<Float> values = new ArrayList<>();
    XContentParser.Token token;
    while ((token = parser.nextToken()) != XContentParser.Token.END_ARRAY) {
      if (token != XContentParser.Token.VALUE_NUMBER) {
        throw new IllegalArgumentException(
            what + " must be an array of numbers, found " + token + " at index " + values.size());
      }
      values.add(parser.floatValue());
    }
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  /** Reads a list of numbers (a parsed JSON array) as float32 values. */
  static float[] fromList(List<?> list, String what) {
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (list.get(i) instanceof Number n) {
        out[i] = n.floatValue();
      } else {
        throw new IllegalArgumentException(what + " must be an array of numbers");
      }
    }
    return out;
  }

  /**
   * The exact text form of a label centroid: base64 of its float32 values, little endian. JSON
   * numbers would round-trip too, but base64 makes the bits explicit and is shorter.
   */
  static String encode(float[] vector) {
    ByteBuffer buf = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(vector);
    return Base64.getEncoder().encodeToString(buf.array());
  }

  /** Decodes {@link #encode}; {@code what} names the value in error messages. */
  static float[] decode(String text, int dimension, String what) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not base64: " + e.getMessage());
    }
    if (bytes.length != dimension * Float.BYTES) {
      throw new IllegalArgumentException(
          what
              + " holds "
              + bytes.length / Float.BYTES
              + " floats, expected "
              + dimension
              + " (base64 of float32 little endian)");
    }
    float[] out = new float[dimension];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  /** Whether every component is zero. */
  static boolean isZero(float[] v) {
    for (float f : v) {
      if (f != 0f) {
        return false;
      }
    }
    return true;
  }
}
