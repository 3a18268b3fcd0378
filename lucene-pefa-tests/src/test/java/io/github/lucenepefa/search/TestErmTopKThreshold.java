package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.oracle.BruteForce;
import io.github.lucenepefa.oracle.Content;
import io.github.lucenepefa.oracle.Rankings;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.KnnWeighting;
import io.github.lucenepefa.scoring.PefaScoring;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PefaQuery.Builder#ermTopKThreshold} (the ERM top-K's boundary of a sharded index, given
 * to each shard) against the independent oracle ({@link BruteForce#xl(float[], BruteForce.Xl,
 * Predicate, int, double)}): random indexes, exhaustive effort, both ERM-score modes, thresholds
 * inside, above and below the index's own ERM top-K, with and without a filter; and {@link
 * PefaQuery#ermTopKScores} against the oracle's ERM ranking.
 */
class TestErmTopKThreshold {

  static final int INDEXES = Integer.getInteger("pefa.random.indexes", 40);
  static final AtomicInteger AMBIGUOUS = new AtomicInteger();

  @AfterAll
  static void fewAmbiguous() {
    assertTrue(AMBIGUOUS.get() < INDEXES, AMBIGUOUS.get() + " ambiguous queries");
  }

  static long[] seeds() {
    long[] s = new long[INDEXES];
    for (int i = 0; i < s.length; i++) {
      s[i] = 0x7e5401dL * 31 + i;
    }
    return s;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void thresholdEqualsOracle(long seed) throws Exception {
    try (RandomPefaIndex idx = new RandomPefaIndex(seed)) {
      idx.build();
      try (DirectoryReader reader = DirectoryReader.open(idx.dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        Content content = idx.model.content(reader, idx.schema);
        BruteForce oracle = new BruteForce(content);
        for (int t = 0; t < 4; t++) {
          float[] q = idx.clustered();
          float lambda = idx.random.nextFloat();
          int n = 1 + idx.random.nextInt(30);
          int k = 1 + idx.random.nextInt(20);
          int topK = 1 + idx.random.nextInt(40);
          boolean mean = idx.random.nextBoolean();
          boolean softmax = idx.random.nextInt(3) == 0;
          ErmScoreMode mode = ErmScoreMode.values()[idx.random.nextInt(2)];
          boolean filtered = idx.random.nextInt(3) == 0;
          Query filter = filtered ? new TermQuery(new Term("color", "red")) : null;
          Predicate<Content.Doc> pred = filtered ? d -> "red".equals(d.color()) : d -> true;
          List<Double> erm = ermRanking(content, q, pred);
          if (erm.isEmpty()) {
            continue;
          }
          // a threshold between two ERM scores (inside or beyond the top-K), above all or below all
          int cut = idx.random.nextInt(Math.min(erm.size(), topK + 5) + 2) - 1;
          double threshold =
              cut < 0
                  ? erm.get(0) + 0.5
                  : cut >= erm.size() - 1
                      ? erm.get(erm.size() - 1) - 0.5
                      : (erm.get(cut) + erm.get(cut + 1)) / 2;
          float given = (float) threshold;
          PefaQuery query =
              PefaQuery.xl(idx.schema, q, n)
                  .lambda(lambda)
                  .k(k)
                  .topK(topK)
                  .knnNormalization(mean ? KnnNormalization.MEAN : KnnNormalization.SUM)
                  .knnWeighting(softmax ? KnnWeighting.SOFTMAX : KnnWeighting.SIMILARITY)
                  .ermScoreMode(mode)
                  .ermTopKThreshold(given)
                  .filter(filter)
                  .effort(AnnEffort.EXHAUSTIVE)
                  .build();
          BruteForce.Ranking expected =
              oracle.xl(
                  q,
                  new BruteForce.Xl(
                      lambda,
                      k,
                      topK,
                      mean,
                      softmax,
                      io.github.lucenepefa.scoring.KnnVote.DEFAULT_TEMPERATURE,
                      mode == ErmScoreMode.TOP_K_ONLY),
                  pred,
                  n,
                  given);
          if (expected.ambiguous()) {
            AMBIGUOUS.incrementAndGet();
            continue;
          }
          String ctx = "seed " + seed + " query " + t + " threshold " + given + " " + query;
          Rankings.assertSame(ctx, expected, searcher.search(query, n).scoreDocs, n);

          // the query's own ERM top-K scores: the oracle's K best, descending
          float[] scores = query.ermTopKScores(searcher);
          assertEquals(Math.min(topK, erm.size()), scores.length, ctx);
          for (int i = 0; i < scores.length; i++) {
            assertTrue(
                Math.abs(scores[i] - erm.get(i)) <= 1e-5, ctx + " ERM score " + i + ": " + scores[i]);
          }
        }
      }
    }
  }

  /** Every accepted document's {@code <q,p_d>} in double, descending. */
  private static List<Double> ermRanking(
      Content content, float[] q, Predicate<Content.Doc> filter) {
    List<Double> out = new ArrayList<>();
    for (Content.Doc d : content.docs()) {
      if (d.p() != null && filter.test(d)) {
        double s = 0;
        for (int j = 0; j < q.length; j++) {
          s += (double) q[j] * d.p()[j];
        }
        out.add(s);
      }
    }
    out.sort(Comparator.reverseOrder());
    return out;
  }

  @Test
  void globalThresholdIsTheKthOfAllShards() {
    List<float[]> shards =
        List.of(new float[] {0.9f, 0.5f, 0.1f}, new float[] {0.8f, 0.7f}, new float[] {});
    assertEquals(0.9f, PefaScoring.ermTopKThreshold(shards, 1));
    assertEquals(0.7f, PefaScoring.ermTopKThreshold(shards, 3));
    assertEquals(0.1f, PefaScoring.ermTopKThreshold(shards, 5));
    assertEquals(Float.NEGATIVE_INFINITY, PefaScoring.ermTopKThreshold(shards, 6));
    assertThrows(IllegalArgumentException.class, () -> PefaScoring.ermTopKThreshold(shards, 0));
    assertArrayEquals(new float[] {0.9f, 0.5f, 0.1f}, shards.get(0), "input unchanged");
  }

  @Test
  void nanThresholdIsRefused() {
    PefaQuery.Builder b =
        PefaQuery.xl(io.github.lucenepefa.index.PefaSchema.builder(2).build(), new float[] {1, 0}, 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.ermTopKThreshold(Float.NaN));
    assertTrue(e.getMessage().contains("ermTopKThreshold"), e.getMessage());
  }
}
