package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.codec.PefaQuantization;
import java.util.Locale;
import java.util.function.Function;
import org.opensearch.index.mapper.FieldMapper;
import org.opensearch.index.mapper.ParametrizedFieldMapper.Parameter;

/**
 * The quantization mapping parameters of {@code pefa_vector} and {@code pefa_memory} fields, named
 * as the k-NN plugin's {@code knn_vector} names them: {@code compression_level} chooses the vectors
 * the field's HNSW graphs walk, {@code 1x} (float, the default), {@code 4x} (int8), {@code 8x}
 * (int4) or {@code 32x} (binary: 1 bit a dimension, Lucene's BBQ); {@code mode} is {@code
 * in_memory} (default) or {@code on_disk}, which, as in k-NN, makes {@code 32x} the default
 * compression. The float vectors are always kept: every graph candidate is rescored with them and
 * exact searches read only them ({@code PefaQuantization}). k-NN's {@code 2x} (fp16) and {@code
 * 16x} (2 bits) have no PEFA format and are refused.
 */
final class Compression {

  static final String COMPRESSION_LEVEL = "compression_level";
  static final String MODE = "mode";
  static final String IN_MEMORY = "in_memory";
  static final String ON_DISK = "on_disk";

  private static final String LEVELS = "[1x, 4x, 8x, 32x]";

  private Compression() {}

  /** The {@code compression_level} parameter: null when the mapping sets none. */
  static Parameter<String> levelParam(Function<FieldMapper, String> initializer) {
    return Parameter.stringParam(COMPRESSION_LEVEL, false, initializer, null)
        .setValidator(Compression::checkLevel);
  }

  /** The {@code mode} parameter ({@code in_memory} or {@code on_disk}). */
  static Parameter<String> modeParam(Function<FieldMapper, String> initializer) {
    return Parameter.stringParam(MODE, false, initializer, IN_MEMORY)
        .setValidator(Compression::checkMode);
  }

  private static void checkLevel(String level) {
    if (level != null) {
      quantization(level, IN_MEMORY);
    }
  }

  private static void checkMode(String mode) {
    if (IN_MEMORY.equals(mode) == false && ON_DISK.equals(mode) == false) {
      throw new IllegalArgumentException(
          "[" + MODE + "] must be [" + IN_MEMORY + "] or [" + ON_DISK + "], got [" + mode + "]");
    }
  }

  /**
   * The quantization of a field's graphs.
   *
   * @param level the mapping's {@code compression_level}, or null for the mode's default
   * @param mode the mapping's {@code mode}
   * @throws IllegalArgumentException naming the parameter when a value is not supported
   */
  static PefaQuantization quantization(String level, String mode) {
    checkMode(mode);
    if (level == null) {
      return ON_DISK.equals(mode) ? PefaQuantization.BINARY : PefaQuantization.NONE;
    }
    return switch (level.toLowerCase(Locale.ROOT)) {
      case "1x" -> PefaQuantization.NONE;
      case "4x" -> PefaQuantization.INT8;
      case "8x" -> PefaQuantization.INT4;
      case "32x" -> PefaQuantization.BINARY;
      case "2x", "16x" ->
          throw new IllegalArgumentException(
              "["
                  + COMPRESSION_LEVEL
                  + "] ["
                  + level
                  + "] is not supported by PEFA fields (no fp16 or 2-bit graphs); supported: "
                  + LEVELS);
      default ->
          throw new IllegalArgumentException(
              "[" + COMPRESSION_LEVEL + "] must be one of " + LEVELS + ", got [" + level + "]");
    };
  }
}
