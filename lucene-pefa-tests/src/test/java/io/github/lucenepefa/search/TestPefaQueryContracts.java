package io.github.lucenepefa.search;

import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.index.PefaDirectoryReader;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import io.github.lucenepefa.oracle.BruteForce;
import io.github.lucenepefa.oracle.Content;
import io.github.lucenepefa.oracle.Rankings;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.KnnWeighting;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.analysis.MockAnalyzer;
import org.apache.lucene.tests.search.CheckHits;
import org.apache.lucene.tests.search.QueryUtils;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * {@link PefaQuery} under Lucene's own query contracts, on Lucene's test framework: random indexes
 * in a {@code MockDirectoryWrapper} written with a random {@code IndexWriterConfig}, searched
 * through {@code newSearcher} (asserting searcher, weights and scorers; randomly wrapped readers;
 * intra-segment concurrency), checked with {@link QueryUtils#check}, {@link CheckHits} (hit sets
 * under wrapped readers, explanations, top scores on the MaxScore path) and against the
 * independent brute-force oracle; and as a clause of a {@link BooleanQuery} with BM25 text.
 */
public class TestPefaQueryContracts extends LuceneTestCase {

  static final String[] WORDS = {"alpha", "beta", "gamma", "delta", "omega", "sigma", "tau"};

  /** A random PEFA index, the test's record of it, and a reader over it. */
  static final class Fixture implements AutoCloseable {
    final Random random;
    final int dim;
    final PefaSchema schema;
    final Directory dir;
    final PefaModel model = new PefaModel();
    final Map<String, String> bodies = new HashMap<>();
    final List<float[]> centres = new ArrayList<>();
    DirectoryReader reader;

    Fixture(Random random) throws IOException {
      this(random, false);
    }

    Fixture(Random random, boolean oneSegment) throws IOException {
      this.random = random;
      dim = 3 + random.nextInt(10);
      schema =
          PefaSchema.builder(dim)
              .xsLambda(random.nextInt(11) / 10f)
              .xsAnyLambda(random.nextInt(4) != 0)
              .hnsw(4 + random.nextInt(12), 10 + random.nextInt(40))
              .build();
      dir = newDirectory(random);
      for (int c = 0; c < 1 + random.nextInt(5); c++) {
        centres.add(vector(1f));
      }
      IndexWriterConfig config = newIndexWriterConfig(random, new MockAnalyzer(random));
      int docs = 20 + random.nextInt(150);
      try (PefaIndexWriter w = PefaIndexWriter.open(dir, schema, config)) {
        int rows = 5 + random.nextInt(80);
        for (int i = 0; i < docs; i++) {
          addDoc(w, "d" + i);
          if (random.nextInt(8) == 0) {
            addRow(w, "q" + random.nextInt(rows), docs);
          }
        }
        for (int r = 0; r < rows; r++) {
          addRow(w, "q" + r, docs);
        }
        for (int u = random.nextInt(10); u > 0; u--) {
          addDoc(w, "d" + random.nextInt(docs)); // updates
        }
        if (random.nextInt(4) == 0) {
          w.deleteDocument("d0");
          model.deleteDoc("d0");
        }
        if (oneSegment) {
          w.commit();
          w.indexWriter().forceMerge(1);
        }
      }
      reader = PefaDirectoryReader.open(dir);
    }

    float[] vector(float noise) {
      float[] v = new float[dim];
      float[] c = centres.isEmpty() ? new float[dim] : centres.get(random.nextInt(centres.size()));
      for (int i = 0; i < dim; i++) {
        v[i] = c[i] + noise * (float) random.nextGaussian();
      }
      return PefaVectors.normalize(v);
    }

    void addDoc(PefaIndexWriter w, String key) throws IOException {
      float[] p = random.nextInt(20) == 0 ? null : vector(0.4f + random.nextFloat());
      String color = random.nextBoolean() ? "red" : "blue";
      StringBuilder body = new StringBuilder();
      for (int i = 0; i < 1 + random.nextInt(8); i++) {
        body.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
      }
      w.addDocument(
          key,
          p,
          List.of(
              new StringField("color", color, Field.Store.YES),
              new TextField("body", body.toString(), Field.Store.YES)));
      model.addDoc(key, p, color);
      bodies.put(key, body.toString());
    }

    void addRow(PefaIndexWriter w, String id, int docs) throws IOException {
      PefaModel.Row existing = model.rows.get(id);
      float[] x = existing != null ? existing.x : vector(0.4f + random.nextFloat());
      Map<String, Float> labels = new LinkedHashMap<>();
      for (int l = 0; l < 1 + random.nextInt(3); l++) {
        labels.merge("d" + random.nextInt(docs + 5), 1f + random.nextInt(2), Float::sum);
      }
      w.addTrainingQuery(id, x, labels);
      model.addRow(id, x, labels);
    }

    Content content() throws IOException {
      return model.content(reader, schema);
    }

    @Override
    public void close() throws IOException {
      reader.close();
      dir.close();
    }
  }

  /** A random PEFA query and its oracle ranking. */
  record Case(PefaQuery query, BruteForce.Ranking expected, int n) {}

  static Case randomCase(Fixture f, BruteForce oracle, boolean exhaustive) {
    Random r = f.random;
    float[] q = f.vector(0.3f + r.nextFloat());
    int n = 1 + r.nextInt(30);
    boolean filtered = r.nextInt(3) == 0;
    Query filter = filtered ? new TermQuery(new Term("color", "red")) : null;
    Predicate<Content.Doc> pred = filtered ? d -> "red".equals(d.color()) : d -> true;
    AnnEffort effort = exhaustive ? AnnEffort.EXHAUSTIVE : AnnEffort.ef(10 + r.nextInt(100));
    if (r.nextBoolean()) {
      float lambda = r.nextFloat();
      int k = 1 + r.nextInt(20);
      int topK = 1 + r.nextInt(40);
      boolean mean = r.nextBoolean(), softmax = r.nextInt(3) == 0, topKOnly = r.nextInt(4) == 0;
      float t = 0.02f + r.nextFloat() * 0.1f;
      PefaQuery query =
          PefaQuery.xl(f.schema, q, n)
              .lambda(lambda)
              .k(k)
              .topK(topK)
              .knnNormalization(mean ? KnnNormalization.MEAN : KnnNormalization.SUM)
              .knnWeighting(softmax ? KnnWeighting.SOFTMAX : KnnWeighting.SIMILARITY)
              .temperature(t)
              .ermScoreMode(topKOnly ? ErmScoreMode.TOP_K_ONLY : ErmScoreMode.EXACT)
              .filter(filter)
              .effort(effort)
              .build();
      return new Case(
          query,
          oracle.xl(q, new BruteForce.Xl(lambda, k, topK, mean, softmax, t, topKOnly), pred, n),
          n);
    }
    float lambda = f.schema.xsAnyLambda() && r.nextBoolean() ? r.nextFloat() : f.schema.xsLambda();
    PefaQuery query = PefaQuery.xs(f.schema, q, n).lambda(lambda).filter(filter).effort(effort).build();
    return new Case(query, oracle.xs(q, lambda, pred, n), n);
  }

  /**
   * {@link QueryUtils#check(Random, Query, IndexSearcher)} in full, on one-segment indexes. Its
   * skip-to checks evaluate the query again on a searcher over each single segment: for a query
   * whose result is the global top {@code n} (PEFA's, like Lucene's kNN queries'), that equals the
   * whole index's result only when the index has one segment with documents. Multi-segment indexes
   * get every other check in {@link #testManySegmentsCheckHitsAndTheOracle}.
   */
  public void testQueryUtilsOnOneSegment() throws Exception {
    int iters = atLeast(2);
    for (int it = 0; it < iters; it++) {
      try (Fixture f = new Fixture(random(), true)) {
        IndexSearcher searcher = newSearcher(f.reader);
        BruteForce oracle = new BruteForce(f.content());
        for (int t = 0; t < 6; t++) {
          Case c = randomCase(f, oracle, true);
          TopDocs hits = searcher.search(c.query(), c.n());
          if (c.expected().ambiguous() == false) {
            Rankings.assertSame(c.query().toString(), c.expected(), hits.scoreDocs, c.n());
          }
          CheckHits.checkHitCollector(random(), c.query(), "body", searcher, docs(hits));
          CheckHits.checkExplanations(c.query(), "body", searcher, true);
          CheckHits.checkTopScores(random(), c.query(), searcher);
        }
      }
    }
  }

  /**
   * Many segments: the oracle, equals/hashCode, the same hits when the reader is nested among empty
   * readers (as {@link QueryUtils} nests it), deep explanations, matches, and top scores on the
   * MaxScore path.
   */
  public void testManySegmentsCheckHitsAndTheOracle() throws Exception {
    int iters = atLeast(3);
    for (int it = 0; it < iters; it++) {
      try (Fixture f = new Fixture(random())) {
        IndexSearcher searcher = newSearcher(f.reader);
        BruteForce oracle = new BruteForce(f.content());
        for (int t = 0; t < 8; t++) {
          Case c = randomCase(f, oracle, true);
          TopDocs hits = searcher.search(c.query(), c.n());
          if (c.expected().ambiguous() == false) {
            Rankings.assertSame(c.query().toString(), c.expected(), hits.scoreDocs, c.n());
          }
          QueryUtils.check(c.query());
          QueryUtils.checkUnequal(c.query(), randomCase(f, oracle, true).query());
          java.util.Set<Integer> expected = new java.util.TreeSet<>();
          for (int d : docs(hits)) {
            expected.add(d);
          }
          for (int edge = -1; edge <= 1; edge++) {
            IndexSearcher nested = QueryUtils.wrapUnderlyingReader(random(), searcher, edge);
            java.util.Set<Integer> got = new java.util.TreeSet<>();
            for (ScoreDoc sd : nested.search(c.query(), Math.max(1, c.n())).scoreDocs) {
              got.add(sd.doc);
            }
            assertEquals("nested reader " + edge + ": " + c.query(), expected, got);
          }
          CheckHits.checkExplanations(c.query(), "body", searcher, true);
          CheckHits.checkMatches(c.query(), searcher);
          CheckHits.checkTopScores(random(), c.query(), searcher);
        }
      }
    }
  }

  static int[] docs(TopDocs hits) {
    int[] docs = new int[hits.scoreDocs.length];
    for (int i = 0; i < docs.length; i++) {
      docs[i] = hits.scoreDocs[i].doc;
    }
    return docs;
  }

  /** Approximate effort: still Lucene-contract clean (scores, iterators, explanations). */
  public void testApproximateQueriesPassQueryUtils() throws Exception {
    try (Fixture f = new Fixture(random(), true)) {
      IndexSearcher searcher = newSearcher(f.reader);
      BruteForce oracle = new BruteForce(f.content());
      for (int t = 0; t < 6; t++) {
        Case c = randomCase(f, oracle, false);
        QueryUtils.check(random(), c.query(), searcher);
        CheckHits.checkExplanations(c.query(), "body", searcher, true);
        for (ScoreDoc sd : searcher.search(c.query(), c.n()).scoreDocs) {
          assertTrue(sd.score >= 0);
        }
      }
    }
  }

  /**
   * BM25 text (SHOULD) and PEFA (SHOULD) in one {@link BooleanQuery}, on the default search path
   * (top hits with MaxScore-based skipping): the top hits and their scores are the brute-force sum
   * of each clause's score — the PEFA part taken from the oracle, mapped to its non-negative score.
   */
  public void testHybridWithBm25() throws Exception {
    int iters = atLeast(3);
    for (int it = 0; it < iters; it++) {
      try (Fixture f = new Fixture(random())) {
        IndexSearcher searcher = newSearcher(f.reader);
        BruteForce oracle = new BruteForce(f.content());
        for (int t = 0; t < 6; t++) {
          Case c = randomCase(f, oracle, true);
          if (c.expected().ambiguous()) {
            continue;
          }
          Query text = new TermQuery(new Term("body", WORDS[random().nextInt(WORDS.length)]));
          BooleanQuery hybrid =
              new BooleanQuery.Builder()
                  .add(text, BooleanClause.Occur.SHOULD)
                  .add(c.query(), BooleanClause.Occur.SHOULD)
                  .build();
          // brute force: every document's BM25 score (Lucene's, explained) plus its PEFA score
          Map<Integer, Double> sum = new HashMap<>();
          for (ScoreDoc sd : searcher.search(text, Math.max(1, f.reader.maxDoc())).scoreDocs) {
            sum.merge(sd.doc, (double) sd.score, Double::sum);
          }
          for (BruteForce.Hit h : c.expected().top()) {
            sum.merge(h.doc(), Rankings.reported(h.score()), Double::sum);
          }
          List<Map.Entry<Integer, Double>> ranked = new ArrayList<>(sum.entrySet());
          ranked.sort(
              (a, b) ->
                  a.getValue().equals(b.getValue())
                      ? Integer.compare(a.getKey(), b.getKey())
                      : Double.compare(b.getValue(), a.getValue()));
          int top = 10;
          ScoreDoc[] got = searcher.search(hybrid, top).scoreDocs;
          assertEquals(Math.min(top, ranked.size()), got.length);
          for (int i = 0; i < got.length; i++) {
            double expected = sum.get(got[i].doc) == null ? Double.NaN : sum.get(got[i].doc);
            assertEquals(hybrid + " rank " + i, expected, got[i].score, 1e-4 * Math.max(1, expected));
            // the rank's score is the brute-force rank's, up to rounding
            assertEquals(hybrid + " rank " + i, ranked.get(i).getValue(), got[i].score, 1e-4 * Math.max(1, expected));
          }
          CheckHits.checkTopScores(random(), hybrid, searcher);
        }
      }
    }
  }
}
