package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The packed sort keys of {@link HitKeys} and the memory-side effort of PEFA-XL. */
class TestSearchOrderAndEffort {

  /** (score, doc) pairs sorted by key equal the comparator order: score desc, then doc asc. */
  @Test
  void keysSortLikeScoreDescendingThenDoc() {
    Random random = new Random(42);
    float[] pool = {0f, -0f, 1f, -1f, 0.5f, -0.5f, Float.MIN_VALUE, -Float.MIN_VALUE, 3.25f, -7f};
    for (int round = 0; round < 200; round++) {
      int size = 1 + random.nextInt(60);
      float[] scores = new float[size];
      int[] docs = new int[size];
      for (int i = 0; i < size; i++) {
        scores[i] = random.nextBoolean() ? pool[random.nextInt(pool.length)] : random.nextFloat() * 4 - 2;
        docs[i] = i * 7 + random.nextInt(7); // distinct
      }
      Integer[] expected = new Integer[size];
      long[] keys = new long[size];
      for (int i = 0; i < size; i++) {
        expected[i] = i;
        keys[i] = HitKeys.key(scores[i], docs[i]);
      }
      Arrays.sort(
          expected,
          (a, b) ->
              scores[a] != scores[b]
                  ? (scores[a] > scores[b] ? -1 : 1)
                  : Integer.compare(docs[a], docs[b]));
      Arrays.sort(keys);
      for (int i = 0; i < size; i++) {
        int e = expected[i];
        assertEquals(docs[e], HitKeys.docOf(keys[i]), "round " + round + " rank " + i);
        assertEquals(scores[e], HitKeys.scoreOf(keys[i]), 0f); // -0f comes back as 0f
      }
    }
  }

  @Test
  void memoryBeamIsTheErmBeamAtLeastThreeK() {
    assertEquals(100, AnnEffort.ef(100).forMemory(16).efSearch()); // the ERM beam
    assertEquals(49, AnnEffort.ef(49).forMemory(16).efSearch());
    assertEquals(48, AnnEffort.ef(15).forMemory(16).efSearch()); // floor 3k
    assertEquals(48, AnnEffort.ef(10).forMemory(16).efSearch());
    assertEquals(-1, AnnEffort.ef(100).forMemory(16).exactBelow()); // keeps the automatic cut-off
    assertEquals(0, AnnEffort.graphOnly(100).forMemory(4).exactBelow());
    assertSame(AnnEffort.EXHAUSTIVE, AnnEffort.EXHAUSTIVE.forMemory(16));
  }

  @Test
  void exactCutoffDoesNotOverflowForHugeWants() {
    // 10 * (Integer.MAX_VALUE - 1) overflowed to a negative cut-off, sending a huge n to the graph
    assertTrue(AnnEffort.ef(100).scansExactly(Integer.MAX_VALUE, Integer.MAX_VALUE - 1));
    assertTrue(AnnEffort.ef(100).scansExactly(1500, 100));
    assertFalse(AnnEffort.ef(100).scansExactly(1501, 100));
    assertEquals(Integer.MAX_VALUE, AnnEffort.ef(100).forMemory(Integer.MAX_VALUE - 1).efSearch());
  }
}
