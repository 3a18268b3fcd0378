package io.github.lucenepefa.encoder;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The size of a {@code tokenizer.json}'s vocabulary, read from its JSON without loading it. */
final class TokenizerVocabulary {

  private TokenizerVocabulary() {}

  /** Number of token ids of a tokenizer.json: max(id) + 1 over the model vocabulary and added tokens. */
  static int size(byte[] json, ModelSource src) throws IOException {
    try {
      JsonObject root = JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
      long maxId = -1;
      JsonElement model = root.get("model");
      JsonElement vocab = model != null && model.isJsonObject() ? model.getAsJsonObject().get("vocab") : null;
      if (vocab == null) {
        throw new IOException("tokenizer file " + src + " has no model.vocab: not a tokenizer.json");
      }
      if (vocab.isJsonObject()) {
        for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) {
          maxId = Math.max(maxId, e.getValue().getAsLong());
        }
      } else if (vocab.isJsonArray()) {
        maxId = vocab.getAsJsonArray().size() - 1L;
      }
      JsonElement added = root.get("added_tokens");
      if (added != null && added.isJsonArray()) {
        JsonArray arr = added.getAsJsonArray();
        for (JsonElement t : arr) {
          if (t.isJsonObject() && t.getAsJsonObject().has("id")) {
            maxId = Math.max(maxId, t.getAsJsonObject().get("id").getAsLong());
          }
        }
      }
      if (maxId < 0) {
        throw new IOException("tokenizer file " + src + " has an empty vocabulary");
      }
      return Math.toIntExact(maxId + 1);
    } catch (RuntimeException e) {
      throw new IOException("tokenizer file " + src + " is not a valid tokenizer.json: " + e.getMessage(), e);
    }
  }
}
