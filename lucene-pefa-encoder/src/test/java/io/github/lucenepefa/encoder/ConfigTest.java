package io.github.lucenepefa.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Presets, model ids, prefixes, document joining and progress reporting. */
class ConfigTest {

  @Test
  void presetsAndModelIds() {
    EncoderConfig d = EncoderConfig.defaults();
    assertEquals("all-minilm-l6-v2", d.name());
    assertEquals(256, d.maxLength());
    assertEquals(Pooling.MEAN, d.pooling());
    assertTrue(d.normalize());
    assertFalse(d.quantized());
    assertEquals("all-minilm-l6-v2-max256", d.modelId());
    assertEquals("all-minilm-l6-v2-max128", d.toBuilder().maxLength(128).build().modelId());
    assertEquals(d.modelId(), d.toBuilder().batchSize(7).threads(1).sortByLength(false).build().modelId());
    assertTrue(d.toBuilder().pooling(Pooling.CLS).build().modelId().startsWith("all-minilm-l6-v2-max256-"));
    assertNotEquals(d.toBuilder().queryPrefix("q: ").build().modelId(), d.toBuilder().queryPrefix("x: ").build().modelId());

    EncoderConfig bge = EncoderConfig.preset("BGE-small-en-v1.5").build();
    assertEquals("bge-small-en-v1.5-max512", bge.modelId());
    assertEquals(Pooling.CLS, bge.pooling());
    assertEquals("Represent this sentence for searching relevant passages: ", bge.queryPrefix());
    assertEquals("", bge.documentPrefix());
    assertFalse(bge.quantized());
    assertEquals(EncoderConfig.DEFAULT_BATCH_SIZE, bge.batchSize());

    EncoderConfig e5 = EncoderConfig.preset("e5-small-v2").build();
    assertEquals("query: ", e5.queryPrefix());
    assertEquals("passage: ", e5.documentPrefix());
    assertEquals(Pooling.MEAN, e5.pooling());
    assertFalse(e5.quantized());
    assertEquals(EncoderConfig.DEFAULT_BATCH_SIZE, e5.batchSize());
    assertEquals(List.of("all-minilm-l6-v2", "bge-small-en-v1.5", "e5-small-v2"), EncoderConfig.presetNames());
  }

  @Test
  void prefixesAndTitlesAreApplied() {
    for (String preset : List.of("bge-small-en-v1.5", "e5-small-v2")) {
      EncoderConfig cfg = EncoderConfig.preset(preset).threads(2).build();
      TextEncoder enc = TestTexts.shared(cfg);
      assertEquals(384, enc.dimension());
      String q = "does vitamin D reduce mortality";
      float[] query = enc.encodeQuery(q);
      assertArrayEquals(enc.encodeTexts(List.of(cfg.queryPrefix() + q))[0], query, 1e-6f);
      float[] doc = enc.encodeDocuments(List.of("Vitamin D"), List.of("A trial of vitamin D.")).clone()[0];
      assertArrayEquals(enc.encodeTexts(List.of(cfg.documentPrefix() + "Vitamin D A trial of vitamin D."))[0], doc, 1e-6f);
      float[] noTitle = enc.encodeDocuments(List.of(new Passage("", "A trial of vitamin D.")))[0];
      assertArrayEquals(enc.encodeTexts(List.of(cfg.documentPrefix() + "A trial of vitamin D."))[0], noTitle, 1e-6f);
      // query and document views of the same text differ when prefixes differ
      assertTrue(MiniLmReferenceTest.cosine(query, enc.encodeDocuments(List.of(Passage.of(q)))[0]) < 0.9999);
    }
  }

  @Test
  void presetsRankRelevantPassageFirst() {
    List<Passage> docs = List.of(
        new Passage("Vitamin D and mortality", "Vitamin D supplementation reduced all-cause mortality in older adults."),
        new Passage("Lucene", "Apache Lucene is a search library written in Java."),
        new Passage("Photosynthesis", "Plants convert light energy into chemical energy."));
    for (String preset : EncoderConfig.presetNames()) {
      TextEncoder enc = TestTexts.shared(EncoderConfig.preset(preset).threads(2).build());
      float[] q = enc.encodeQuery("does vitamin D lower the risk of death?");
      float[][] d = enc.encodeDocuments(docs);
      double best = -1;
      int arg = -1;
      for (int i = 0; i < d.length; i++) {
        double s = MiniLmReferenceTest.cosine(q, d[i]);
        if (s > best) {
          best = s;
          arg = i;
        }
      }
      assertEquals(0, arg, preset);
    }
  }

  @Test
  void progressIsReportedPerBatchUpToTotal() {
    TextEncoder enc = TestTexts.shared(EncoderConfig.preset("all-minilm-l6-v2").maxLength(128).threads(2).build());
    assertEquals(32, enc.config().batchSize());
    List<String> texts = new ArrayList<>();
    Random r = new Random(1);
    for (int i = 0; i < 70; i++) {
      texts.add(TestTexts.words(r, 3 + r.nextInt(20)));
    }
    List<int[]> calls = new ArrayList<>();
    float[][] v = enc.encodeQueries(texts, (done, total) -> calls.add(new int[] {done, total}));
    assertEquals(70, v.length);
    assertEquals(3, calls.size());
    assertArrayEquals(new int[] {32, 70}, calls.get(0));
    assertArrayEquals(new int[] {64, 70}, calls.get(1));
    assertArrayEquals(new int[] {70, 70}, calls.get(2));
    assertEquals(4, enc.tokenCount("hello world"));
    assertTrue(enc.usesTokenTypeIds());
    assertEquals("last_hidden_state", enc.outputName());
    assertEquals(30522, enc.vocabularySize());
  }
}
