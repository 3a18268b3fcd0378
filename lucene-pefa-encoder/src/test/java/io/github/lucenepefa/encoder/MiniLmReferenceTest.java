package io.github.lucenepefa.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our all-MiniLM-L6-v2 vectors against langchain4j's own {@link AllMiniLmL6V2EmbeddingModel}.
 *
 * <p>langchain4j keeps the truncation of the tokenizer file (128 tokens), so the comparison uses an
 * encoder with {@code maxLength(128)}. It mean-pools over all tokens including [CLS]/[SEP] and
 * normalises, like we do. It rejects blank text, so the empty string is compared with a bare ONNX
 * Runtime run of "[CLS] [SEP]" instead.
 */
class MiniLmReferenceTest {

  private static AllMiniLmL6V2EmbeddingModel reference;
  private static TextEncoder enc128;
  private static TextEncoder enc256;

  @BeforeAll
  static void open() {
    reference = new AllMiniLmL6V2EmbeddingModel();
    enc128 = TestTexts.shared(EncoderConfig.preset("all-minilm-l6-v2").maxLength(128).threads(2).build());
    enc256 = TestTexts.shared(EncoderConfig.preset("all-minilm-l6-v2").threads(2).build());
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void matchesLangchain4jOnVariedTexts() {
    List<String> texts = TestTexts.varied();
    assertTrue(texts.size() >= 50, "need at least 50 texts, have " + texts.size());
    float[][] ours = enc128.encodeTexts(texts);
    double worst = 1;
    String worstText = null;
    for (int i = 0; i < texts.size(); i++) {
      float[] ref = reference.embed(texts.get(i)).content().vector();
      assertEquals(384, ours[i].length);
      double cos = cosine(ours[i], ref);
      if (cos < worst) {
        worst = cos;
        worstText = texts.get(i);
      }
      assertTrue(cos >= 0.99999, "cosine " + cos + " for text #" + i + ": " + texts.get(i));
    }
    System.out.printf("MiniLM vs langchain4j: %d texts, worst cosine %.9f (%s)%n",
        texts.size(), worst, worstText.length() > 40 ? worstText.substring(0, 40) + "..." : worstText);
  }

  @Test
  void documentsAndQueriesHaveNoPrefixForMiniLm() {
    String text = "Vitamin D deficiency is associated with higher mortality.";
    float[] ref = reference.embed(text).content().vector();
    assertTrue(cosine(enc128.encodeQuery(text), ref) >= 0.99999);
    assertTrue(cosine(enc128.encodeDocuments(List.of(Passage.of(text)))[0], ref) >= 0.99999);
    float[] titled = enc128.encodeDocuments(List.of(new Passage("Vitamin D", text)))[0];
    float[] refTitled = reference.embed("Vitamin D " + text).content().vector();
    assertTrue(cosine(titled, refTitled) >= 0.99999);
  }

  @Test
  void emptyStringMatchesBareOnnxRuntimeMeanOfClsSep() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> reference.embed(""), "langchain4j rejects blank text");
    float[] ours = enc256.encodeTexts(List.of(""))[0];
    assertEquals(2, enc256.tokenCount(""));
    // Bare ONNX Runtime: [CLS]=101 [SEP]=102, mean over both tokens, L2-normalised.
    long[] ids = {101, 102};
    long[] shape = {1, 2};
    var env = enc256.environment();
    byte[] model = EncoderConfig.defaults().model().readAllBytes("model");
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        OrtSession s = env.createSession(model, o);
        OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
        OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {1, 1}), shape);
        OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {0, 0}), shape);
        OrtSession.Result r = s.run(Map.of("input_ids", a, "attention_mask", m, "token_type_ids", t))) {
      float[][] h = ((float[][][]) r.get("last_hidden_state").get().getValue())[0];
      float[] mean = new float[h[0].length];
      for (float[] tok : h) {
        for (int d = 0; d < mean.length; d++) {
          mean[d] += tok[d] / 2;
        }
      }
      assertTrue(cosine(ours, mean) >= 0.999999, "cosine " + cosine(ours, mean));
      double norm = 0;
      for (float x : ours) {
        norm += x * x;
      }
      assertEquals(1.0, norm, 1e-5);
    }
  }

  @Test
  void default256TokenPathUsesTokensBeyond128() {
    String text = TestTexts.words(new Random(7), 190);
    int tokens = enc256.tokenCount(text);
    assertTrue(tokens > 150 && tokens <= 256, "want ~200 tokens, got " + tokens);
    assertEquals(128, enc128.tokenCount(text));
    float[] full = enc256.encodeTexts(List.of(text))[0];
    float[] trunc = enc128.encodeTexts(List.of(text))[0];
    float[] ref = reference.embed(text).content().vector();
    double cosFullTrunc = cosine(full, trunc);
    assertTrue(cosFullTrunc < 0.9999, "256-token vector should differ from the 128 truncation: " + cosFullTrunc);
    assertTrue(cosine(trunc, ref) >= 0.99999, "maxLength=128 must equal langchain4j");
    assertTrue(cosine(full, ref) < 0.9999);
    System.out.printf("~200-token text: %d tokens, cos(256 vs 128 truncation) = %.6f%n", tokens, cosFullTrunc);
  }

  @Test
  void truncationIsAtMaxLength() {
    String longText = TestTexts.words(new Random(3), 600);
    assertEquals(256, enc256.tokenCount(longText));
    // Words beyond the limit do not change the vector.
    List<String> one = new ArrayList<>(List.of(longText));
    one.add(longText + " extra words at the end that fall beyond the limit");
    float[][] v = enc256.encodeTexts(one);
    assertArrayEquals(v[0], v[1], 1e-6f);
  }
}
