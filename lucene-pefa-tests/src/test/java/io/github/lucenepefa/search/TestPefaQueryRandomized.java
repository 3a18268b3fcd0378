package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.index.PefaDirectoryReader;
import io.github.lucenepefa.oracle.BruteForce;
import io.github.lucenepefa.oracle.Content;
import io.github.lucenepefa.oracle.Rankings;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.KnnWeighting;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Randomized equivalence of {@link PefaQuery} (exhaustive effort) with the independent brute-force
 * oracle ({@link BruteForce}), over hundreds of random indexes ({@link RandomPefaIndex}: several
 * segments, documents written before or after the pairs that label them, deletes, updates, late
 * and removed training pairs, row deletions, flushes anywhere, merges); random lambda, k, K, n,
 * filters, both kNN votes and normalisations, both ERM-score modes, XS (live: {@code e_d} from the
 * memory as the index holds it) and XL, with and without an executor, with and without {@link
 * PefaDirectoryReader}.
 */
class TestPefaQueryRandomized {

  static final int INDEXES = Integer.getInteger("pefa.random.indexes", 300);
  static final AtomicInteger AMBIGUOUS = new AtomicInteger();
  static ExecutorService executor;

  @BeforeAll
  static void start() {
    executor = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stop() {
    executor.shutdown();
    // near-ties at a boundary (k-th neighbour, K-th ERM document) are skipped: they must stay rare
    assertTrue(AMBIGUOUS.get() < INDEXES / 10, AMBIGUOUS.get() + " ambiguous queries");
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
      DirectoryReader plain = DirectoryReader.open(idx.dir);
      try (DirectoryReader reader =
          idx.random.nextBoolean() ? plain : PefaDirectoryReader.wrap(plain, idx.schema)) {
        IndexChecks.assertClean(idx.dir);
        IndexSearcher searcher =
            idx.random.nextBoolean() ? new IndexSearcher(reader) : new IndexSearcher(reader, executor);
        Content content = idx.model.content(reader, idx.schema);
        BruteForce oracle = new BruteForce(content);
        for (int t = 0; t < 4; t++) {
          float[] q = idx.clustered();
          float lambda = idx.random.nextInt(4) == 0 ? idx.random.nextInt(2) : idx.random.nextFloat();
          int n = 1 + idx.random.nextInt(40);
          boolean filtered = idx.random.nextInt(3) == 0;
          Query filter = filtered ? new TermQuery(new Term("color", "red")) : null;
          Predicate<Content.Doc> pred = filtered ? d -> "red".equals(d.color()) : d -> true;
          String ctx = "seed " + seed + " query " + t;
          BruteForce.Ranking expected;
          PefaQuery query;
          if (idx.random.nextBoolean()) {
            int k = 1 + idx.random.nextInt(30);
            int topK = 1 + idx.random.nextInt(60);
            KnnNormalization norm = KnnNormalization.values()[idx.random.nextInt(2)];
            boolean softmax = idx.random.nextInt(3) == 0;
            float temperature = 0.01f + idx.random.nextFloat() * 0.2f;
            ErmScoreMode mode = ErmScoreMode.values()[idx.random.nextInt(2)];
            query =
                PefaQuery.xl(idx.schema, q, n)
                    .lambda(lambda)
                    .k(k)
                    .topK(topK)
                    .knnNormalization(norm)
                    .knnWeighting(softmax ? KnnWeighting.SOFTMAX : KnnWeighting.SIMILARITY)
                    .temperature(temperature)
                    .ermScoreMode(mode)
                    .filter(filter)
                    .effort(AnnEffort.EXHAUSTIVE)
                    .build();
            expected =
                oracle.xl(
                    q,
                    new BruteForce.Xl(
                        lambda,
                        k,
                        topK,
                        norm == KnnNormalization.MEAN,
                        softmax,
                        temperature,
                        mode == ErmScoreMode.TOP_K_ONLY),
                    pred,
                    n);
          } else {
            // a third of the XS queries use the index-time lambda: they search the stored e_d (all
            // of them when the schema stores e_d only)
            if (idx.random.nextInt(3) == 0 || idx.schema.xsAnyLambda() == false) {
              lambda = idx.schema.xsLambda();
            }
            query =
                PefaQuery.xs(idx.schema, q, n).lambda(lambda).filter(filter).effort(AnnEffort.EXHAUSTIVE).build();
            expected = oracle.xs(q, lambda, pred, n);
          }
          if (expected.ambiguous()) {
            AMBIGUOUS.incrementAndGet();
            continue;
          }
          Rankings.assertSame(ctx + " " + query, expected, searcher.search(query, n).scoreDocs, n);
        }
      }
    }
  }
}
