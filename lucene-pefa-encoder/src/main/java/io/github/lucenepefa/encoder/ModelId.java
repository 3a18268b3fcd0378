package io.github.lucenepefa.encoder;

import java.util.Locale;
import java.util.Objects;

/**
 * The stable identifier of the vectors an {@link EncoderConfig} produces ({@link
 * EncoderConfig#modelId()}), for cache keys.
 */
final class ModelId {

  private ModelId() {}

  /**
   * The name and the maximum length, e.g. {@code all-minilm-l6-v2-max256}, plus the FNV-1a hash of
   * pooling, normalisation, prefixes, output and file names when one of them differs from the
   * preset's (always for custom models).
   */
  static String of(EncoderConfig config) {
    EncoderConfig preset = config.presetDefaults();
    String id = config.name() + "-max" + config.maxLength();
    boolean deviates =
        preset == null
            || preset.pooling() != config.pooling()
            || preset.normalize() != config.normalize()
            || !preset.queryPrefix().equals(config.queryPrefix())
            || !preset.documentPrefix().equals(config.documentPrefix())
            || !Objects.equals(preset.outputName(), config.outputName())
            || !preset.model().equals(config.model())
            || !preset.tokenizer().equals(config.tokenizer());
    if (deviates) {
      String key =
          config.pooling()
              + "|"
              + config.normalize()
              + "|"
              + config.queryPrefix()
              + "|"
              + config.documentPrefix()
              + "|"
              + config.outputName()
              + "|"
              + config.model().fileName()
              + "|"
              + config.tokenizer().fileName();
      id += "-" + String.format(Locale.ROOT, "%08x", fnv1a(key));
    }
    return id;
  }

  private static int fnv1a(String s) {
    int h = 0x811c9dc5;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x01000193;
    }
    return h;
  }
}
