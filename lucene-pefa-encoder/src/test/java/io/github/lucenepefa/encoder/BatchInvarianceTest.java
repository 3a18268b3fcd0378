package io.github.lucenepefa.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Vectors must not depend on batch size, batch neighbours, padding or input order: bitwise for MiniLM, cosine
 * >= 0.9999 for every preset.
 */
class BatchInvarianceTest {

  static List<String> mixedLengths() {
    List<String> texts = new ArrayList<>(TestTexts.varied().subList(0, 30));
    Random r = new Random(11);
    for (int i = 0; i < 10; i++) {
      texts.add(TestTexts.words(r, 5 + r.nextInt(150)));
    }
    texts.add("");
    return texts;
  }

  static double maxAbsDiff(float[][] a, float[][] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i].length, b[i].length);
      for (int d = 0; d < a[i].length; d++) {
        max = Math.max(max, Math.abs(a[i][d] - b[i][d]));
      }
    }
    return max;
  }

  static double minCosine(float[][] a, float[][] b) {
    double min = 1;
    for (int i = 0; i < a.length; i++) {
      min = Math.min(min, MiniLmReferenceTest.cosine(a[i], b[i]));
    }
    return min;
  }

  static float[][] encode(EncoderConfig.Builder base, int batch, boolean sort, List<String> texts) {
    return TestTexts.shared(base.threads(2).build()).encodeTexts(texts, batch, sort);
  }

  @Test
  void fp32VectorsDoNotDependOnBatching() {
    List<String> texts = mixedLengths();
    float[][] single = encode(EncoderConfig.preset("all-minilm-l6-v2"), 1, false, texts);
    double worst = 0;
    for (int batch : new int[] {8, 32, 64}) {
      for (boolean sort : new boolean[] {false, true}) {
        float[][] batched = encode(EncoderConfig.preset("all-minilm-l6-v2"), batch, sort, texts);
        double diff = maxAbsDiff(single, batched);
        worst = Math.max(worst, diff);
        assertTrue(diff <= 1e-6, "batch " + batch + " sort " + sort + ": max |diff| " + diff);
      }
    }
    // Shuffled order (different neighbours) gives the same vectors.
    List<Integer> perm = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      perm.add(i);
    }
    Collections.shuffle(perm, new Random(5));
    List<String> shuffled = new ArrayList<>();
    for (int i : perm) {
      shuffled.add(texts.get(i));
    }
    float[][] sv = encode(EncoderConfig.preset("all-minilm-l6-v2"), 32, false, shuffled);
    float[][] back = new float[texts.size()][];
    for (int i = 0; i < perm.size(); i++) {
      back[perm.get(i)] = sv[i];
    }
    double diff = maxAbsDiff(single, back);
    worst = Math.max(worst, diff);
    assertTrue(diff <= 1e-6, "shuffled: max |diff| " + diff);
    System.out.printf("fp32 all-minilm-l6-v2: max |diff| batch 1 vs 8/32/64 (sorted or not, shuffled) = %.3g%n", worst);
  }

  /**
   * Every preset (all fp32): a text's vector does not depend on the other texts of its batch, its padding or its
   * position; cosine to the batch-1 vector >= 0.9999 at the default batch size and at 8, sorted by length or not.
   */
  @Test
  void everyPresetIsBatchIndependent() {
    List<String> texts = mixedLengths();
    for (String preset : EncoderConfig.presetNames()) {
      EncoderConfig cfg = EncoderConfig.preset(preset).build();
      assertTrue(cfg.batchSize() > 1, preset + ": default batch size " + cfg.batchSize());
      float[][] single = encode(EncoderConfig.preset(preset), 1, false, texts);
      double worstCos = 1;
      double worstDiff = 0;
      for (int batch : new int[] {8, cfg.batchSize()}) {
        for (boolean sort : new boolean[] {false, true}) {
          float[][] batched = encode(EncoderConfig.preset(preset), batch, sort, texts);
          worstCos = Math.min(worstCos, minCosine(single, batched));
          worstDiff = Math.max(worstDiff, maxAbsDiff(single, batched));
        }
      }
      System.out.printf("%s: batch 8/%d (sorted or not) vs batch 1 on %d texts: min cosine %.9f, max |diff| %.3g%n",
          preset, cfg.batchSize(), texts.size(), worstCos, worstDiff);
      assertTrue(worstCos >= 0.9999, preset + ": min cosine " + worstCos + " between batch 1 and batched");
    }
  }
}
