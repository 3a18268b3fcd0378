package io.github.lucenepefa.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;
import org.apache.lucene.util.hnsw.UpdateableRandomVectorScorer;
import org.junit.jupiter.api.Test;

/** Unit tests of the graph-building and query scoring paths of {@link MixedPairVectorScorer}. */
class TestMixedPairVectorScorer {

  private static final VectorSimilarityFunction MIP =
      VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
  private static final int D = 8;

  private static List<float[]> randomPairs(Random random, int n) {
    List<float[]> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(TestPefaVectorsFormatIntegration.gaussian(random, 2 * D, 1f));
    }
    return list;
  }

  private static double mixedScore(float[] a, float[] b, float lambda) {
    double s = 0;
    for (int j = 0; j < D; j++) {
      double ea = lambda * a[j] + (1 - lambda) * a[D + j];
      double eb = lambda * b[j] + (1 - lambda) * b[D + j];
      s += ea * eb;
    }
    return s;
  }

  private static void assertNodeScores(
      RandomVectorScorerSupplier supplier, List<float[]> vectors, float lambda)
      throws IOException {
    UpdateableRandomVectorScorer scorer = supplier.scorer();
    for (int a = 0; a < vectors.size(); a++) {
      scorer.setScoringOrdinal(a);
      for (int b = 0; b < vectors.size(); b++) {
        double expected = mixedScore(vectors.get(a), vectors.get(b), lambda);
        double actual = TestPefaVectorsFormatIntegration.unscaleMip(scorer.score(b));
        assertEquals(expected, actual, 1e-4 * Math.max(1, Math.abs(expected)), a + "," + b);
      }
    }
  }

  @Test
  void nodeToNodeScoresUseTheMixedVectorCachedAndStreaming() throws IOException {
    Random random = new Random(7);
    List<float[]> vectors = randomPairs(random, 60);
    FloatVectorValues values = FloatVectorValues.fromFloats(vectors, 2 * D);
    for (float lambda : new float[] {0f, 0.3f, 1f}) {
      MixedPairVectorScorer cached =
          new MixedPairVectorScorer(lambda, DefaultFlatVectorScorer.INSTANCE);
      RandomVectorScorerSupplier c = cached.getRandomVectorScorerSupplier(MIP, values);
      assertTrue(c.toString().contains("Cached"), c.toString());
      assertNodeScores(c, vectors, lambda);
      assertNodeScores(c.copy(), vectors, lambda);

      MixedPairVectorScorer streaming =
          new MixedPairVectorScorer(lambda, DefaultFlatVectorScorer.INSTANCE, 0);
      RandomVectorScorerSupplier s = streaming.getRandomVectorScorerSupplier(MIP, values);
      assertTrue(s.toString().contains("Streaming"), s.toString());
      assertNodeScores(s, vectors, lambda);
      assertNodeScores(s.copy(), vectors, lambda);
    }
  }

  @Test
  void cacheFollowsValuesThatGrowDuringTheBuild() throws IOException {
    // at flush time the supplier is created before any vector was added
    Random random = new Random(11);
    List<float[]> vectors = new ArrayList<>();
    FloatVectorValues values = FloatVectorValues.fromFloats(vectors, 2 * D);
    RandomVectorScorerSupplier supplier =
        new MixedPairVectorScorer(0.6f, DefaultFlatVectorScorer.INSTANCE)
            .getRandomVectorScorerSupplier(MIP, values);
    for (int round = 0; round < 4; round++) {
      vectors.addAll(randomPairs(random, 1 + round * 7));
      assertNodeScores(supplier, vectors, 0.6f);
    }
  }

  @Test
  void queryTargetsScoreTheStoredVector() throws IOException {
    Random random = new Random(3);
    List<float[]> vectors = randomPairs(random, 20);
    FloatVectorValues values = FloatVectorValues.fromFloats(vectors, 2 * D);
    float[] target = TestPefaVectorsFormatIntegration.gaussian(random, 2 * D, 1f);
    RandomVectorScorer scorer =
        new MixedPairVectorScorer(0.25f, DefaultFlatVectorScorer.INSTANCE)
            .getRandomVectorScorer(MIP, values, target);
    for (int b = 0; b < vectors.size(); b++) {
      float expected = VectorUtil.scaleMaxInnerProductScore(VectorUtil.dotProduct(target, vectors.get(b)));
      assertEquals(expected, scorer.score(b), 1e-5f);
    }
  }

  @Test
  void rejectsBadInput() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new MixedPairVectorScorer(1.5f, DefaultFlatVectorScorer.INSTANCE));
    assertThrows(IllegalArgumentException.class, () -> new MixedPairVectorScorer(0.5f, null));
    MixedPairVectorScorer scorer =
        new MixedPairVectorScorer(0.5f, DefaultFlatVectorScorer.INSTANCE);
    IllegalArgumentException odd =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                scorer.getRandomVectorScorerSupplier(
                    MIP, FloatVectorValues.fromFloats(List.of(new float[3]), 3)));
    assertTrue(odd.getMessage().contains("even"), odd.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            scorer.getRandomVectorScorerSupplier(
                MIP, ByteVectorValues.fromBytes(List.of(new byte[4]), 4)));
  }
}
