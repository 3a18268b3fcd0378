package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Randomized equivalence of {@link PefaQuery} (exhaustive effort) with the brute-force oracle of
 * {@link PefaModel}, over hundreds of random indexes with several segments, deletes, updates, late
 * training pairs, row deletions and merges; random lambda, k, K, n, filters, both kNN
 * normalisations, both ERM-score modes, XS and XL, with and without an executor.
 */
class TestPefaQueryRandomized {

  static final int INDEXES = Integer.getInteger("pefa.random.indexes", 300);
  static ExecutorService executor;

  @BeforeAll
  static void start() {
    executor = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stop() {
    executor.shutdown();
  }

  static long[] seeds() {
    long base = Long.getLong("pefa.random.seed", 20240304L);
    long[] s = new long[INDEXES];
    for (int i = 0; i < s.length; i++) {
      s[i] = base * 31 + i;
    }
    return s;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void exhaustiveEqualsBruteForce(long seed) throws Exception {
    try (RandomPefaIndex idx = new RandomPefaIndex(seed)) {
      idx.build();
      try (DirectoryReader reader = DirectoryReader.open(idx.dir)) {
        IndexChecks.assertClean(idx.dir);
        IndexSearcher searcher =
            idx.random.nextBoolean() ? new IndexSearcher(reader) : new IndexSearcher(reader, executor);
        Map<Integer, String> liveKeys = PefaModel.liveKeys(reader, idx.schema);
        for (int t = 0; t < 4; t++) {
          float[] q = idx.clustered();
          float lambda = idx.random.nextInt(4) == 0 ? idx.random.nextInt(2) : idx.random.nextFloat();
          int n = 1 + idx.random.nextInt(40);
          boolean filtered = idx.random.nextInt(3) == 0;
          Query filter = filtered ? new TermQuery(new Term("color", "red")) : null;
          Predicate<PefaModel.Doc> pred = filtered ? d -> d.color.equals("red") : d -> true;
          String ctx = "seed " + seed + " query " + t;
          if (idx.random.nextBoolean()) {
            int k = 1 + idx.random.nextInt(30);
            int topK = 1 + idx.random.nextInt(60);
            KnnNormalization norm = KnnNormalization.values()[idx.random.nextInt(2)];
            ErmScoreMode mode = ErmScoreMode.values()[idx.random.nextInt(2)];
            PefaQuery query =
                PefaQuery.xl(idx.schema, q)
                    .lambda(lambda)
                    .k(k)
                    .topK(topK)
                    .knnNormalization(norm)
                    .ermScoreMode(mode)
                    .n(n)
                    .filter(filter)
                    .effort(AnnEffort.EXHAUSTIVE)
                    .build();
            ScoreDoc[] expected = idx.model.xl(liveKeys, q, lambda, k, topK, norm, mode, pred, n);
            assertSameHits(ctx + " " + query, expected, searcher.search(query, n));
          } else {
            // a third of the XS queries use the index-time lambda: they search the stored e_d (all of
            // them when the schema stores e_d only)
            if (idx.random.nextInt(3) == 0 || idx.schema.xsAnyLambda() == false) {
              lambda = idx.schema.xsLambda();
            }
            PefaQuery query =
                PefaQuery.xs(idx.schema, q).lambda(lambda).n(n).filter(filter).effort(AnnEffort.EXHAUSTIVE).build();
            ScoreDoc[] expected = idx.model.xs(liveKeys, q, lambda, pred, n);
            assertSameHits(ctx + " " + query, expected, searcher.search(query, n));
          }
        }
      }
    }
  }

  static void assertSameHits(String ctx, ScoreDoc[] expected, TopDocs actual) {
    ScoreDoc[] got = actual.scoreDocs;
    assertEquals(
        ids(expected), ids(got), ctx + "\nexpected " + Arrays.toString(expected) + "\ngot " + Arrays.toString(got));
    for (int i = 0; i < got.length; i++) {
      assertEquals(expected[i].score, got[i].score, 1e-5f, ctx + " rank " + i);
    }
  }

  static String ids(ScoreDoc[] hits) {
    StringBuilder sb = new StringBuilder();
    for (ScoreDoc sd : hits) {
      sb.append(sd.doc).append(' ');
    }
    return sb.toString();
  }

  static void assertOverlap(double min, double overlap, String what) {
    assertTrue(overlap >= min, what + ": overlap " + overlap + " < " + min);
  }
}
