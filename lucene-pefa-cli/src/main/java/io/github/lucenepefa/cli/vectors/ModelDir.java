package io.github.lucenepefa.cli.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.lucenepefa.cli.data.DatasetException;
import io.github.lucenepefa.encoder.EncoderConfig;
import io.github.lucenepefa.encoder.Pooling;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * A sentence-transformers style model exported to ONNX, in a folder ({@code --model-dir DIR}):
 *
 * <pre>
 * DIR/model.onnx        (or DIR/onnx/model.onnx, as optimum exports it)
 * DIR/tokenizer.json    the HuggingFace fast-tokenizer file
 * DIR/pefa-model.json   optional, all keys optional:
 *   {"name": "gte-small", "pooling": "mean" | "cls", "max_length": 512, "normalize": true,
 *    "query_prefix": "", "document_prefix": "", "output": "last_hidden_state"}
 * </pre>
 *
 * <p>Without {@code pefa-model.json} (or for a key it lacks) the sentence-transformers files of the export are read
 * when present: {@code 1_Pooling/config.json} ({@code pooling_mode_cls_token} or {@code pooling_mode_mean_tokens}),
 * {@code sentence_bert_config.json} ({@code max_seq_length}); otherwise mean pooling, 512 tokens, L2 normalisation,
 * no prefixes and the output tensor found automatically. The model id (the vector cache key) is the name, a hash of
 * the model and tokenizer files' contents, the maximum length and a hash of the other settings, so two different
 * exports never share cached vectors.
 */
public final class ModelDir {

  /** The optional configuration file. */
  public static final String CONFIG = "pefa-model.json";

  private static final Set<String> KEYS =
      Set.of("name", "pooling", "max_length", "normalize", "query_prefix", "document_prefix", "output");

  private ModelDir() {}

  /**
   * @param dir the model folder
   * @return the encoder configuration
   * @throws DatasetException naming the file when a file is missing or the configuration is malformed
   * @throws IOException on read errors
   */
  public static EncoderConfig config(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(abs)) {
      throw new DatasetException(abs.toString(), 0, "--model-dir folder does not exist");
    }
    Path model = abs.resolve("model.onnx");
    if (!Files.isRegularFile(model) && Files.isRegularFile(abs.resolve("onnx/model.onnx"))) {
      model = abs.resolve("onnx/model.onnx");
    }
    if (!Files.isRegularFile(model)) {
      throw new DatasetException(abs.resolve("model.onnx").toString(), 0, "missing file (nor onnx/model.onnx)");
    }
    Path tokenizer = abs.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizer)) {
      throw new DatasetException(tokenizer.toString(), 0, "missing file");
    }
    JsonMapper json = new JsonMapper();
    JsonNode cfg = json.createObjectNode();
    Path cfgFile = abs.resolve(CONFIG);
    if (Files.isRegularFile(cfgFile)) {
      try {
        cfg = json.readTree(cfgFile.toFile());
      } catch (IOException e) {
        throw new DatasetException(cfgFile.toString(), 0, "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
      }
      if (cfg == null || !cfg.isObject()) {
        throw new DatasetException(cfgFile.toString(), 0, "expected one JSON object");
      }
      for (Iterator<String> it = cfg.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!KEYS.contains(k)) {
          throw new DatasetException(cfgFile.toString(), 0, "unknown key \"" + k + "\" (known: " + KEYS + ")");
        }
      }
    }
    String name = text(cfgFile, cfg, "name", abs.getFileName().toString());
    if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
      throw new DatasetException(cfgFile.toString(), 0, "\"name\" must be letters, digits, '.', '_' or '-', got \"" + name + "\"");
    }
    String pooling = text(cfgFile, cfg, "pooling", stPooling(abs, json));
    Pooling p = switch (pooling.toLowerCase(Locale.ROOT)) {
      case "mean" -> Pooling.MEAN;
      case "cls" -> Pooling.CLS;
      default -> throw new DatasetException(cfgFile.toString(), 0, "\"pooling\" must be \"mean\" or \"cls\", got \"" + pooling + "\"");
    };
    int maxLength = stMaxLength(abs, json);
    if (cfg.has("max_length")) {
      if (!cfg.get("max_length").canConvertToInt() || cfg.get("max_length").asInt() < 2) {
        throw new DatasetException(cfgFile.toString(), 0, "\"max_length\" must be an integer >= 2");
      }
      maxLength = cfg.get("max_length").asInt();
    }
    boolean normalize = true;
    if (cfg.has("normalize")) {
      if (!cfg.get("normalize").isBoolean()) {
        throw new DatasetException(cfgFile.toString(), 0, "\"normalize\" must be true or false");
      }
      normalize = cfg.get("normalize").asBoolean();
    }
    String hash = sha256(model, tokenizer).substring(0, 8);
    return EncoderConfig.custom(model, tokenizer)
        .name(name + "-" + hash)
        .pooling(p)
        .maxLength(maxLength)
        .normalize(normalize)
        .queryPrefix(text(cfgFile, cfg, "query_prefix", ""))
        .documentPrefix(text(cfgFile, cfg, "document_prefix", ""))
        .outputName(cfg.has("output") ? text(cfgFile, cfg, "output", null) : null)
        .build();
  }

  private static String text(Path file, JsonNode cfg, String key, String def) throws DatasetException {
    JsonNode v = cfg.get(key);
    if (v == null || v.isNull()) {
      return def;
    }
    if (!v.isTextual()) {
      throw new DatasetException(file.toString(), 0, "\"" + key + "\" must be a string");
    }
    return v.textValue();
  }

  private static String stPooling(Path dir, JsonMapper json) throws IOException {
    Path f = dir.resolve("1_Pooling/config.json");
    if (Files.isRegularFile(f)) {
      JsonNode n = json.readTree(f.toFile());
      if (n.path("pooling_mode_cls_token").asBoolean(false)) {
        return "cls";
      }
    }
    return "mean";
  }

  private static int stMaxLength(Path dir, JsonMapper json) throws IOException {
    Path f = dir.resolve("sentence_bert_config.json");
    if (Files.isRegularFile(f)) {
      JsonNode n = json.readTree(f.toFile());
      if (n.path("max_seq_length").canConvertToInt() && n.path("max_seq_length").asInt() >= 2) {
        return n.path("max_seq_length").asInt();
      }
    }
    return 512;
  }

  private static String sha256(Path... files) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (Path f : files) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
          while (in.read(buf) >= 0) {
            // digesting
          }
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
