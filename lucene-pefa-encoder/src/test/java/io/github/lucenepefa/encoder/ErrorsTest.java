package io.github.lucenepefa.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clear errors naming the problem and the file. */
class ErrorsTest {

  @TempDir static Path dir;
  private static Path miniLmModel;
  private static Path miniLmTokenizer;

  @BeforeAll
  static void extract() throws IOException {
    EncoderConfig d = EncoderConfig.defaults();
    miniLmModel = dir.resolve("minilm").resolve("model.onnx");
    Files.createDirectories(miniLmModel.getParent());
    Files.write(miniLmModel, d.model().readAllBytes("model"));
    miniLmTokenizer = dir.resolve("minilm").resolve("tokenizer.json");
    Files.write(miniLmTokenizer, d.tokenizer().readAllBytes("tokenizer"));
  }

  private static String message(Throwable t) {
    return t.getMessage();
  }

  @Test
  void customModelFromFilesWorks() throws IOException {
    EncoderConfig cfg = EncoderConfig.custom(miniLmModel, miniLmTokenizer).maxLength(256).threads(1).build();
    assertEquals("minilm", cfg.name());
    try (TextEncoder enc = TextEncoder.open(cfg)) {
      float[] v = enc.encodeQuery("hello world");
      float[] ref = TestTexts.shared(EncoderConfig.preset("all-minilm-l6-v2").threads(2).build()).encodeQuery("hello world");
      assertTrue(MiniLmReferenceTest.cosine(v, ref) > 0.999999);
      assertTrue(enc.modelId().startsWith("minilm-max256-"), enc.modelId());
    }
  }

  @Test
  void missingModelFile() {
    Path missing = dir.resolve("nope").resolve("model.onnx");
    IOException e = assertThrows(IOException.class,
        () -> TextEncoder.open(EncoderConfig.custom(missing, miniLmTokenizer).build()));
    assertTrue(message(e).contains("model file not found") && message(e).contains(missing.toString()), message(e));
  }

  @Test
  void missingTokenizerFile() {
    Path missing = dir.resolve("nope").resolve("tokenizer.json");
    IOException e = assertThrows(IOException.class,
        () -> TextEncoder.open(EncoderConfig.custom(miniLmModel, missing).build()));
    assertTrue(message(e).contains("tokenizer file not found") && message(e).contains(missing.toString()), message(e));
  }

  @Test
  void missingClasspathResourceNamesArtifact() {
    IOException e = assertThrows(IOException.class,
        () -> TextEncoder.open(EncoderConfig.defaults().toBuilder()
            .model(ModelSource.classpath("no-such-model.onnx", "add artifact x:y")).build()));
    assertTrue(message(e).contains("no-such-model.onnx") && message(e).contains("add artifact x:y"), message(e));
  }

  @Test
  void invalidTokenizerJson() throws IOException {
    Path bad = dir.resolve("bad-tokenizer.json");
    Files.writeString(bad, "{\"not\": \"a tokenizer\"}");
    IOException e = assertThrows(IOException.class,
        () -> TextEncoder.open(EncoderConfig.custom(miniLmModel, bad).build()));
    assertTrue(message(e).contains(bad.toString()) && message(e).contains("tokenizer"), message(e));
    Path garbage = dir.resolve("garbage.json");
    Files.writeString(garbage, "this is not json {{{");
    IOException e2 = assertThrows(IOException.class,
        () -> TextEncoder.open(EncoderConfig.custom(miniLmModel, garbage).build()));
    assertTrue(message(e2).contains(garbage.toString()), message(e2));
  }

  @Test
  void invalidModelFile() throws IOException {
    Path bad = dir.resolve("bad.onnx");
    Files.writeString(bad, "not an onnx model");
    IOException e = assertThrows(IOException.class,
        () -> TextEncoder.open(EncoderConfig.custom(bad, miniLmTokenizer).build()));
    assertTrue(message(e).contains("cannot load ONNX model") && message(e).contains(bad.toString()), message(e));
  }

  @Test
  void tokenizerVocabularyLargerThanModel() throws IOException {
    // A tokenizer whose added token has id 40000: the 30522-row embedding table cannot take it.
    String json = Files.readString(miniLmTokenizer, StandardCharsets.UTF_8);
    String patched = json.replaceFirst("\"added_tokens\"\\s*:\\s*\\[",
        "\"added_tokens\":[{\"id\":40000,\"content\":\"[BIGTOKEN]\",\"single_word\":false,\"lstrip\":false,"
            + "\"rstrip\":false,\"normalized\":false,\"special\":true},");
    Path big = dir.resolve("big-tokenizer.json");
    Files.writeString(big, patched);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TextEncoder.open(EncoderConfig.custom(miniLmModel, big).maxLength(128).build()));
    assertTrue(message(e).contains("40001") && message(e).contains(big.toString())
        && message(e).contains(miniLmModel.toString()), message(e));
  }

  @Test
  void maxLengthBeyondModelPositions() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TextEncoder.open(EncoderConfig.custom(miniLmModel, miniLmTokenizer).maxLength(1024).build()));
    assertTrue(message(e).contains("maxLength=1024") && message(e).contains(miniLmModel.toString()), message(e));
  }

  @Test
  void modelWithoutAttentionMaskInput() throws IOException {
    Path m = dir.resolve("ids-only.onnx");
    Files.write(m, TinyOnnx.identityModel(List.of("input_ids")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TextEncoder.open(EncoderConfig.custom(m, miniLmTokenizer).build()));
    assertTrue(message(e).contains("no input 'attention_mask'") && message(e).contains(m.toString()), message(e));
  }

  @Test
  void modelWithUnsupportedInput() throws IOException {
    Path m = dir.resolve("positions.onnx");
    Files.write(m, TinyOnnx.identityModel(List.of("input_ids", "attention_mask", "position_ids")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TextEncoder.open(EncoderConfig.custom(m, miniLmTokenizer).build()));
    assertTrue(message(e).contains("'position_ids'") && message(e).contains(m.toString()), message(e));
  }

  @Test
  void modelWithoutTokenEmbeddingOutputOrUnknownOutput() throws IOException {
    // Outputs are int64 identities of rank 2: auto-detection finds no rank-3 output.
    Path m = dir.resolve("no-hidden.onnx");
    Files.write(m, TinyOnnx.identityModel(List.of("input_ids", "attention_mask")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TextEncoder.open(EncoderConfig.custom(m, miniLmTokenizer).build()));
    assertTrue(message(e).contains("no token-embedding output") && message(e).contains(m.toString()), message(e));
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
        () -> TextEncoder.open(EncoderConfig.custom(miniLmModel, miniLmTokenizer).outputName("sentence_embedding").build()));
    assertTrue(message(e2).contains("no output 'sentence_embedding'") && message(e2).contains("last_hidden_state"), message(e2));
  }

  @Test
  void badInputs() {
    TextEncoder enc = TestTexts.shared(EncoderConfig.preset("all-minilm-l6-v2").threads(2).build());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> enc.encodeQueries(List.of()));
    assertTrue(message(empty).contains("empty input list"), message(empty));
    assertThrows(IllegalArgumentException.class, () -> enc.encodeDocuments(List.of()));
    assertThrows(IllegalArgumentException.class, () -> enc.encodeQueries(null));
    IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
        () -> enc.encodeQueries(Arrays.asList("ok", null)));
    assertTrue(message(nul).contains("index 1") && message(nul).contains("null"), message(nul));
    assertThrows(IllegalArgumentException.class, () -> enc.encodeQuery(null));
    IllegalArgumentException nulDoc = assertThrows(IllegalArgumentException.class,
        () -> enc.encodeDocuments(List.of(Passage.of("ok"), new Passage("title", null))));
    assertTrue(message(nulDoc).contains("index 1"), message(nulDoc));
    List<Passage> withNull = new ArrayList<>();
    withNull.add(null);
    assertThrows(IllegalArgumentException.class, () -> enc.encodeDocuments(withNull));
    assertThrows(IllegalArgumentException.class, () -> enc.encodeDocuments(List.of("a", "b"), List.of("x")));
    assertThrows(IllegalArgumentException.class, () -> EncoderConfig.preset("no-such-model"));
    assertThrows(IllegalArgumentException.class, () -> EncoderConfig.defaults().toBuilder().batchSize(0));
    assertThrows(IllegalArgumentException.class, () -> EncoderConfig.defaults().toBuilder().threads(0));
    assertThrows(IllegalArgumentException.class, () -> EncoderConfig.defaults().toBuilder().maxLength(1));
  }

  @Test
  void closedEncoderRefusesWork() throws IOException {
    TextEncoder enc = TextEncoder.open(EncoderConfig.custom(miniLmModel, miniLmTokenizer).maxLength(64).threads(1).build());
    enc.close();
    enc.close();
    assertThrows(IllegalStateException.class, () -> enc.encodeQuery("x"));
  }
}
