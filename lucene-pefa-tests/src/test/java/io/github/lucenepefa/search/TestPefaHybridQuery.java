package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.index.PefaDirectoryReader;
import io.github.lucenepefa.oracle.BruteForce;
import io.github.lucenepefa.oracle.Content;
import io.github.lucenepefa.oracle.HybridBruteForce;
import io.github.lucenepefa.oracle.Rankings;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.KnnWeighting;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.tests.search.QueryUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PefaHybridQuery} with exhaustive effort equals the independent brute force ({@link
 * HybridBruteForce}: BM25 of every document from Lucene's explain, PEFA of every document from
 * {@link BruteForce}, fused in double) rank for rank, over random indexes ({@link RandomPefaIndex}:
 * several segments, deletes, updates, late and removed training pairs, row deletions, live memory
 * through {@link PefaDirectoryReader}); random {@code a} (0 and 1 included), PEFA-XL (ERM: lambda 1),
 * PEFA-XS, filters, with and without an executor. Each index also checks {@link QueryUtils#check},
 * the explanation, the query as a filtered {@link BooleanQuery} clause, and the argument checks.
 */
class TestPefaHybridQuery {

  static final int INDEXES = Integer.getInteger("pefa.random.indexes", 150);
  static final AtomicInteger AMBIGUOUS = new AtomicInteger();
  static ExecutorService executor;

  @BeforeAll
  static void start() {
    executor = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stop() {
    executor.shutdown();
    assertTrue(AMBIGUOUS.get() < INDEXES / 10, AMBIGUOUS.get() + " ambiguous queries");
  }

  static long[] seeds() {
    long base = Long.getLong("pefa.random.seed", 20261207L);
    long[] s = new long[INDEXES];
    for (int i = 0; i < s.length; i++) {
      s[i] = base * 31 + i;
    }
    return s;
  }

  static Query randomLexical(Random r) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    int terms = 1 + r.nextInt(3);
    for (int t = 0; t < terms; t++) {
      String word = "w" + r.nextInt(RandomPefaIndex.VOCABULARY + 3); // a few match nothing
      b.add(new TermQuery(new Term(RandomPefaIndex.TEXT_FIELD, word)), BooleanClause.Occur.SHOULD);
    }
    return terms == 1 ? b.build().clauses().get(0).query() : b.build();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void exhaustiveEqualsBruteForce(long seed) throws Exception {
    try (RandomPefaIndex idx = new RandomPefaIndex(seed)) {
      idx.build();
      DirectoryReader plain = DirectoryReader.open(idx.dir);
      try (DirectoryReader reader =
          idx.random.nextBoolean() ? plain : PefaDirectoryReader.wrap(plain, idx.schema)) {
        IndexSearcher searcher =
            idx.random.nextBoolean() ? new IndexSearcher(reader) : new IndexSearcher(reader, executor);
        Content content = idx.model.content(reader, idx.schema);
        BruteForce oracle = new BruteForce(content);
        boolean hasText = FieldInfos.getIndexedFields(reader).contains(RandomPefaIndex.TEXT_FIELD);
        for (int t = 0; t < 4; t++) {
          float[] q = idx.clustered();
          int n = 1 + idx.random.nextInt(40);
          float a =
              switch (idx.random.nextInt(5)) {
                case 0 -> 0f;
                case 1 -> 1f;
                default -> idx.random.nextFloat();
              };
          boolean filtered = idx.random.nextInt(3) == 0;
          Query filter = filtered ? new TermQuery(new Term("color", "red")) : null;
          Predicate<Content.Doc> pred = filtered ? d -> "red".equals(d.color()) : d -> true;
          Query lexical = randomLexical(idx.textRandom);
          String ctx = "seed " + seed + " query " + t + " a=" + a;
          PefaQuery pefa;
          BruteForce.Ranking pefaScores;
          int kind = idx.random.nextInt(3);
          if (kind < 2) {
            boolean erm = kind == 0;
            float lambda = erm ? 1f : idx.random.nextFloat();
            int k = 1 + idx.random.nextInt(30);
            int topK = 1 + idx.random.nextInt(60);
            KnnNormalization norm = KnnNormalization.values()[idx.random.nextInt(2)];
            boolean softmax = idx.random.nextInt(3) == 0;
            float temperature = 0.01f + idx.random.nextFloat() * 0.2f;
            ErmScoreMode mode = erm ? ErmScoreMode.EXACT : ErmScoreMode.values()[idx.random.nextInt(2)];
            pefa =
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
            BruteForce.Xl p =
                new BruteForce.Xl(
                    lambda, k, topK, norm == KnnNormalization.MEAN, softmax, temperature,
                    mode == ErmScoreMode.TOP_K_ONLY);
            // a = 0 is PEFA itself (its own candidates); otherwise every document is a candidate
            pefaScores = a == 0f ? oracle.xl(q, p, pred, n) : oracle.xlEveryDoc(q, p, pred);
          } else {
            float lambda =
                idx.random.nextInt(3) == 0 || idx.schema.xsAnyLambda() == false
                    ? idx.schema.xsLambda()
                    : idx.random.nextFloat();
            pefa =
                PefaQuery.xs(idx.schema, q, n)
                    .lambda(lambda)
                    .filter(filter)
                    .effort(AnnEffort.EXHAUSTIVE)
                    .build();
            pefaScores = oracle.xs(q, lambda, pred, n);
          }
          PefaHybridQuery hybrid = PefaHybridQuery.of(pefa, lexical, a);
          if (hasText == false) {
            IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> searcher.search(hybrid, n));
            assertTrue(e.getMessage().contains("'text'"), e.getMessage());
            continue;
          }
          if (pefaScores.ambiguous()) {
            AMBIGUOUS.incrementAndGet();
            continue;
          }
          Map<Integer, Double> bm25 = HybridBruteForce.lexicalScores(searcher, content, lexical);
          BruteForce.Ranking expected = HybridBruteForce.rank(pefaScores, bm25, a, n, false);
          ScoreDoc[] hits = searcher.search(hybrid, n).scoreDocs;
          Rankings.assertSame(ctx + " " + hybrid, expected, hits, n);
          if (t == 0) {
            contracts(searcher, content, hybrid, hits, a);
          }
        }
      }
    }
  }

  /**
   * Live memory: a near-real-time reader reopened after training pairs are added and removed and documents updated
   * and deleted; after each step PEFA-XL+BM25 and PEFA-XS+BM25 (exhaustive) equal the oracle over what the reader
   * holds ({@link Content#read}).
   */
  @org.junit.jupiter.api.Test
  void liveMemoryUpdates() throws Exception {
    Random r = new Random(42);
    int dim = 8;
    io.github.lucenepefa.index.PefaSchema schema = io.github.lucenepefa.index.PefaSchema.builder(dim).build();
    try (org.apache.lucene.store.Directory dir = new org.apache.lucene.store.ByteBuffersDirectory();
        io.github.lucenepefa.index.PefaIndexWriter w = io.github.lucenepefa.index.PefaIndexWriter.open(dir, schema)) {
      for (int i = 0; i < 60; i++) {
        addDoc(w, r, "d" + i, dim);
      }
      java.util.Map<String, float[]> rows = new java.util.HashMap<>();
      DirectoryReader reader = PefaDirectoryReader.open(w);
      int checked = 0;
      try {
        for (int step = 0; step < 12; step++) {
          for (int op = 0; op < 5; op++) {
            switch (r.nextInt(4)) {
              case 0 -> {
                String id = "q" + r.nextInt(30);
                w.addTrainingPair(id, rows.computeIfAbsent(id, x -> unit(r, dim)), "d" + r.nextInt(60));
              }
              case 1 -> {
                String id = "q" + r.nextInt(30);
                w.deleteTrainingQuery(id);
                rows.remove(id);
              }
              case 2 -> addDoc(w, r, "d" + r.nextInt(60), dim);
              default -> w.deleteDocument("d" + r.nextInt(60));
            }
          }
          DirectoryReader next = DirectoryReader.openIfChanged(reader);
          if (next != null) {
            reader.close();
            reader = next;
          }
          IndexSearcher searcher = new IndexSearcher(reader);
          Content content = Content.read(reader, schema, null);
          BruteForce oracle = new BruteForce(content);
          float[] q = unit(r, dim);
          float a = r.nextFloat();
          Query lexical = randomLexical(r);
          boolean xl = step % 2 == 0;
          PefaQuery pefa =
              xl
                  ? PefaQuery.xl(schema, q, 10).lambda(0.5f).k(4).topK(5).effort(AnnEffort.EXHAUSTIVE).build()
                  : PefaQuery.xs(schema, q, 10).lambda(0.3f).effort(AnnEffort.EXHAUSTIVE).build();
          BruteForce.Ranking p =
              xl
                  ? oracle.xlEveryDoc(q, new BruteForce.Xl(0.5, 4, 5, false, false, 0.05, false), d -> true)
                  : oracle.xs(q, 0.3, d -> true, 10);
          if (p.ambiguous()) {
            continue;
          }
          BruteForce.Ranking expected =
              HybridBruteForce.rank(p, HybridBruteForce.lexicalScores(searcher, content, lexical), a, 10, false);
          PefaHybridQuery hybrid = PefaHybridQuery.of(pefa, lexical, a);
          Rankings.assertSame("step " + step + " " + hybrid, expected, searcher.search(hybrid, 10).scoreDocs, 10);
          checked++;
        }
      } finally {
        reader.close();
      }
      assertTrue(checked >= 10, checked + " steps checked");
    }
  }

  static void addDoc(io.github.lucenepefa.index.PefaIndexWriter w, Random r, String key, int dim) throws Exception {
    w.addDocument(key, unit(r, dim), java.util.List.of(new org.apache.lucene.document.TextField(
        RandomPefaIndex.TEXT_FIELD, RandomPefaIndex.randomText(r), org.apache.lucene.document.Field.Store.NO)));
  }

  static float[] unit(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return io.github.lucenepefa.index.PefaVectors.normalize(v);
  }

  /** QueryUtils, the explanation, a filtered BooleanQuery clause. */
  static void contracts(
      IndexSearcher searcher, Content content, PefaHybridQuery hybrid, ScoreDoc[] hits, float a)
      throws Exception {
    QueryUtils.check(hybrid);
    QueryUtils.checkUnequal(
        hybrid, new PefaHybridQuery(hybrid.pefa(), hybrid.lexical(), a == 1f ? 0.5f : 1f, 100));
    for (ScoreDoc sd : hits) {
      Explanation e = searcher.explain(hybrid, sd.doc);
      assertEquals(sd.score, e.getValue().floatValue(), 0f, e.toString());
      if (a != 0f) {
        String text = e.toString();
        assertTrue(text.contains("max, the top lexical score"), text);
        assertTrue(text.contains("raw PEFA-X"), text);
      }
    }
    Query colour = new TermQuery(new Term("color", "blue"));
    BooleanQuery bq =
        new BooleanQuery.Builder()
            .add(hybrid, BooleanClause.Occur.MUST)
            .add(colour, BooleanClause.Occur.FILTER)
            .build();
    ScoreDoc[] clause = searcher.search(bq, Math.max(1, hits.length)).scoreDocs;
    java.util.Set<Integer> blue = new java.util.HashSet<>();
    for (Content.Doc d : content.docs()) {
      if ("blue".equals(d.color())) {
        blue.add(d.globalDoc());
      }
    }
    int i = 0;
    for (ScoreDoc sd : hits) {
      if (blue.contains(sd.doc)) {
        assertEquals(sd.doc, clause[i].doc);
        assertEquals(sd.score, clause[i].score, 0f);
        i++;
      }
    }
    assertEquals(i, clause.length);
  }
}
