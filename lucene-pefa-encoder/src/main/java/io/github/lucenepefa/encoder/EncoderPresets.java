package io.github.lucenepefa.encoder;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The named presets of {@link EncoderConfig} (their files, pooling, maximum length and prefixes) and
 * the default name of a custom model.
 */
final class EncoderPresets {

  private EncoderPresets() {}

  /** The names {@link EncoderConfig#preset(String)} accepts, aliases aside. */
  static List<String> names() {
    return List.of(
        EncoderConfig.ALL_MINILM_L6_V2, EncoderConfig.BGE_SMALL_EN_V15, EncoderConfig.E5_SMALL_V2);
  }

  /**
   * Sets on {@code b} the name, files, pooling, maximum length and prefixes of the preset {@code
   * name} (case-insensitive, aliases accepted).
   *
   * @throws IllegalArgumentException for an unknown name
   */
  static void apply(String name, EncoderConfig.Builder b) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case EncoderConfig.ALL_MINILM_L6_V2,
          "all-minilm-l6-v2-fp32",
          "sentence-transformers/all-minilm-l6-v2" -> {
        b.name(EncoderConfig.ALL_MINILM_L6_V2);
        b.model(classpathOf("all-minilm-l6-v2.onnx", EncoderConfig.MINILM_ARTIFACT));
        b.tokenizer(classpathOf("all-minilm-l6-v2-tokenizer.json", EncoderConfig.MINILM_ARTIFACT));
        b.pooling(Pooling.MEAN);
        b.maxLength(256);
      }
      case EncoderConfig.BGE_SMALL_EN_V15, "bge-small-en-v15", "baai/bge-small-en-v1.5" -> {
        b.name(EncoderConfig.BGE_SMALL_EN_V15);
        b.model(classpathOf("bge-small-en-v1.5.onnx", EncoderConfig.BGE_ARTIFACT));
        b.tokenizer(classpathOf("bge-small-en-v1.5-tokenizer.json", EncoderConfig.BGE_ARTIFACT));
        b.pooling(Pooling.CLS);
        b.maxLength(512);
        b.queryPrefix(EncoderConfig.BGE_QUERY_INSTRUCTION);
      }
      case EncoderConfig.E5_SMALL_V2, "intfloat/e5-small-v2" -> {
        b.name(EncoderConfig.E5_SMALL_V2);
        b.model(classpathOf("e5-small-v2.onnx", EncoderConfig.E5_ARTIFACT));
        b.tokenizer(classpathOf("e5-small-v2-tokenizer.json", EncoderConfig.E5_ARTIFACT));
        b.pooling(Pooling.MEAN);
        b.maxLength(512);
        b.queryPrefix("query: ");
        b.documentPrefix("passage: ");
      }
      default ->
          throw new IllegalArgumentException(
              "unknown encoder preset '" + name + "'; known presets: " + names());
    }
  }

  /**
   * The default name of a custom model: the directory of a {@code model.onnx} file (its parent when
   * that directory is {@code onnx}), otherwise the file name without {@code .onnx}.
   */
  static String defaultName(ModelSource model) {
    if (model.isFile()) {
      Path parent = model.path().toAbsolutePath().getParent();
      String file = model.fileName();
      if (file.equals("model.onnx") && parent != null && parent.getFileName() != null) {
        String dir = parent.getFileName().toString();
        if (dir.equals("onnx") && parent.getParent() != null && parent.getParent().getFileName() != null) {
          dir = parent.getParent().getFileName().toString();
        }
        return dir;
      }
    }
    String f = model.fileName();
    return f.endsWith(".onnx") ? f.substring(0, f.length() - 5) : f;
  }

  private static ModelSource classpathOf(String resource, String artifact) {
    return ModelSource.classpath(resource, "add the Maven dependency " + artifact + " to the classpath");
  }
}
