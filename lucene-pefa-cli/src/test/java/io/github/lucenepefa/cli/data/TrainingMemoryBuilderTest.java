package io.github.lucenepefa.cli.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.lucenepefa.cli.TestData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainingMemoryBuilderTest {

  static BeirDataset scifact;

  @BeforeAll
  static void load() throws IOException {
    scifact = BeirDataset.load(TestData.scifact());
  }

  @Test
  void scifactTrainQueries() {
    TrainingMemoryBuilder b = new TrainingMemoryBuilder();
    assertEquals(809, b.addQueries(scifact, "train"));
    List<MemoryRow> rows = b.build();
    assertEquals(807, rows.size());
    // 919 pairs; 3 (text, doc) pairs repeat, so weights sum to 919 over 916 labels
    assertEquals(919.0, rows.stream().flatMap(r -> r.labels().values().stream()).mapToDouble(Float::doubleValue).sum());
    assertEquals(916, rows.stream().mapToInt(r -> r.labels().size()).sum());
    assertEquals(3, rows.stream().flatMap(r -> r.labels().values().stream()).filter(w -> w == 2f).count());
    assertEquals("q:" + scifact.qrels("train").keySet().iterator().next(), rows.get(0).rowId());
  }

  @Test
  void scifactChunks() {
    TrainingMemoryBuilder b = new TrainingMemoryBuilder();
    assertEquals(18_897, b.addDocChunks(scifact.docs(), 64, 10));
    assertEquals(18_893, b.rowCount());
    List<MemoryRow> rows = b.build();
    assertEquals("c:4983:0", rows.get(0).rowId());
    assertEquals(Map.of("4983", 1f), rows.get(0).labels());
    // "function." ends 3 docs' texts, "cells." and "strategies." 2 each: 3 rows with several labels
    assertEquals(3, rows.stream().filter(r -> r.labels().size() > 1).count());
    assertEquals(18_897, rows.stream().mapToInt(r -> r.labels().size()).sum());
    MemoryRow function = rows.stream().filter(r -> r.text().equals("function.")).findFirst().orElseThrow();
    assertEquals(3, function.labels().size());
  }

  @Test
  void scifactCombined() {
    TrainingMemoryBuilder b = new TrainingMemoryBuilder();
    b.addQueries(scifact, "train");
    b.addDocChunks(scifact.docs(), TrainingMemoryBuilder.DEFAULT_CHUNK_WORDS, TrainingMemoryBuilder.DEFAULT_CHUNKS);
    assertEquals(809 + 18_897, b.inputCount());
    assertEquals(19_700, b.rowCount()); // no chunk text equals a training query text
  }

  @Test
  void chunking() {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      words.add("w" + i);
    }
    String text = "  " + String.join(" \t\n ", words) + "\u00a0";
    assertEquals(List.of("w0 w1 w2 w3", "w4 w5 w6 w7", "w8 w9"), TrainingMemoryBuilder.chunk(text, 4, 10));
    assertEquals(List.of("w0 w1 w2 w3", "w4 w5 w6 w7"), TrainingMemoryBuilder.chunk(text, 4, 2));
    assertEquals(List.of(), TrainingMemoryBuilder.chunk(" \u2007\u202f\u0085 ", 4, 10));
    assertEquals(List.of("a\u200bb", "c"), TrainingMemoryBuilder.splitWords("a\u200bb\u00a0c")); // ZWSP is no space
  }

  @Test
  void mergingUnionsLabelsAndAddsWeights() {
    TrainingMemoryBuilder b = new TrainingMemoryBuilder();
    b.addQuery("q1", "same text", List.of("d1", "d2"));
    b.addQuery("q2", "other", List.of("d3"));
    b.addQuery("q3", "same text", List.of("d2", "d4"));
    assertFalse(b.addQuery("q4", "unlabelled", List.of()));
    List<MemoryRow> rows = b.build();
    assertEquals(2, rows.size());
    assertEquals("q:q1", rows.get(0).rowId());
    Map<String, Float> expected = new LinkedHashMap<>();
    expected.put("d1", 1f);
    expected.put("d2", 2f);
    expected.put("d4", 1f);
    assertEquals(expected, rows.get(0).labels());
    assertEquals(List.of("d1", "d2", "d4"), List.copyOf(rows.get(0).labels().keySet()));
    assertEquals(3, b.inputCount());
  }
}
