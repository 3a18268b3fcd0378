package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With default settings on clustered data, the HNSW paths of PEFA-XL and PEFA-XS agree with their
 * exhaustive results: top-100 overlap at least 0.95, both with the automatic exact/graph choice and
 * with the graphs forced on.
 */
class TestPefaQueryApproximate {

  static final int DIM = 32, DOCS = 6000, ROWS = 6000, QUERIES = 40;
  static Directory dir;
  static DirectoryReader reader;
  static PefaSchema schema = PefaSchema.builder(DIM).build();
  static List<float[]> queries = new ArrayList<>();
  static List<float[]> docs = new ArrayList<>();

  @BeforeAll
  static void build() throws Exception {
    Random r = new Random(42);
    List<float[]> centres = new ArrayList<>();
    for (int c = 0; c < 50; c++) {
      centres.add(gaussian(r, null, 1f));
    }
    dir = new ByteBuffersDirectory();
    for (int i = 0; i < DOCS; i++) {
      docs.add(gaussian(r, centres.get(r.nextInt(centres.size())), 0.5f));
    }
    try (PefaIndexWriter w = PefaIndexWriter.open(dir, schema)) {
      for (int i = 0; i < ROWS; i++) {
        int d = r.nextInt(DOCS);
        Map<String, Float> labels = new LinkedHashMap<>();
        labels.put("d" + d, 1f);
        int extra = r.nextInt(100) == 0 ? 100 + r.nextInt(200) : r.nextInt(3);
        for (int e = 0; e < extra; e++) {
          labels.put("d" + r.nextInt(DOCS), 1f);
        }
        w.addTrainingQuery("t" + i, gaussian(r, docs.get(d), 0.3f), labels);
      }
      for (int i = 0; i < DOCS; i++) {
        w.addDocument("d" + i, docs.get(i));
      }
    }
    reader = DirectoryReader.open(dir);
    for (int q = 0; q < QUERIES; q++) {
      queries.add(gaussian(r, docs.get(r.nextInt(DOCS)), 0.4f));
    }
  }

  static float[] gaussian(Random r, float[] centre, float noise) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (centre == null ? 0 : centre[i]) + noise * (float) r.nextGaussian() / (float) Math.sqrt(DIM);
    }
    return PefaVectors.normalize(v);
  }

  @AfterAll
  static void close() throws Exception {
    reader.close();
    dir.close();
  }

  double overlap(boolean xl, AnnEffort effort) throws Exception {
    IndexSearcher s = new IndexSearcher(reader);
    double sum = 0;
    for (float[] q : queries) {
      ScoreDoc[] approx = s.search(query(xl, q, effort), 100).scoreDocs;
      ScoreDoc[] exact = s.search(query(xl, q, AnnEffort.EXHAUSTIVE), 100).scoreDocs;
      Set<Integer> e = new HashSet<>();
      for (ScoreDoc sd : exact) {
        e.add(sd.doc);
      }
      int hit = 0;
      for (ScoreDoc sd : approx) {
        hit += e.contains(sd.doc) ? 1 : 0;
      }
      sum += hit / (double) exact.length;
    }
    return sum / queries.size();
  }

  PefaQuery query(boolean xl, float[] q, AnnEffort effort) {
    return xl
        ? PefaQuery.xl(schema, q, 100).topK(100).effort(effort).build()
        : PefaQuery.xs(schema, q, 100).effort(effort).build();
  }

  @Test
  void defaultEffortOverlap() throws Exception {
    check(true, AnnEffort.DEFAULT);
    check(false, AnnEffort.DEFAULT);
  }

  @Test
  void graphOnlyOverlap() throws Exception {
    check(true, AnnEffort.graphOnly(AnnEffort.DEFAULT_EF_SEARCH));
    check(false, AnnEffort.graphOnly(AnnEffort.DEFAULT_EF_SEARCH));
  }

  @Test
  void lowEffortIsMeasurablyApproximate() throws Exception {
    // guards the test itself: the graphs really are searched (not silently scanned exactly)
    double o = overlap(false, AnnEffort.graphOnly(1));
    assertTrue(o < 1.0, "graph search with ef=1 found the exact top-100: overlap " + o);
  }

  void check(boolean xl, AnnEffort effort) throws Exception {
    double o = overlap(xl, effort);
    assertTrue(o >= 0.95, (xl ? "XL " : "XS ") + effort + ": overlap@100 " + o + " < 0.95");
  }

  // ---------------------------------------------------------------- defaults (no effort, no K)

  /** Mean overlap of the top n of {@code approx} with the top n of {@code exact}. */
  static double overlap(
      IndexSearcher s, int n, java.util.function.Function<float[], org.apache.lucene.search.Query> approx,
      java.util.function.Function<float[], ScoreDoc[]> exact)
      throws Exception {
    double sum = 0;
    for (float[] q : queries) {
      Set<Integer> e = new HashSet<>();
      for (ScoreDoc sd : exact.apply(q)) {
        e.add(sd.doc);
      }
      int hit = 0;
      for (ScoreDoc sd : s.search(approx.apply(q), n).scoreDocs) {
        hit += e.contains(sd.doc) ? 1 : 0;
      }
      sum += hit / (double) e.size();
    }
    return sum / queries.size();
  }

  static ScoreDoc[] search(IndexSearcher s, org.apache.lucene.search.Query q, int n) {
    try {
      return s.search(q, n).scoreDocs;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void defaultsAreTheEffortAndKOfTheHits() {
    float[] q = queries.get(0);
    for (int n : new int[] {1, 10, 100, 1000}) {
      assertEquals(
          PefaQuery.xl(schema, q, n).topK(n).effort(AnnEffort.forHits(PefaMode.XL, n)).build(),
          PefaQuery.xl(schema, q, n).build());
      assertEquals(
          PefaQuery.xs(schema, q, n).effort(AnnEffort.forHits(PefaMode.XS, n)).build(),
          PefaQuery.xs(schema, q, n).build());
      for (PefaMode mode : PefaMode.values()) {
        assertTrue(AnnEffort.forHits(mode, n).efSearch() >= n, "the beam holds the hits");
      }
      assertEquals(n, PefaQuery.defaultTopK(n));
    }
  }

  /**
   * K = n loses nothing: with exact ERM scores and non-negative votes (softmax), a document outside
   * the ERM top n has no kNN part or is a candidate anyway, so exhaustive PEFA-XL's top n is the
   * same at K = n as at K = every document.
   */
  @Test
  void topKOfTheHitsIsExactWithNonNegativeVotes() throws Exception {
    IndexSearcher s = new IndexSearcher(reader);
    for (int n : new int[] {1, 10, 100}) {
      for (float[] q : queries) {
        ScoreDoc[] small = search(s, xlSoftmax(q, n).topK(n).effort(AnnEffort.EXHAUSTIVE).build(), n);
        ScoreDoc[] all = search(s, xlSoftmax(q, n).topK(DOCS).effort(AnnEffort.EXHAUSTIVE).build(), n);
        assertEquals(all.length, small.length);
        for (int i = 0; i < all.length; i++) {
          assertEquals(all[i].doc, small[i].doc, "n " + n + " rank " + i);
          assertEquals(all[i].score, small[i].score, 0f);
        }
      }
    }
  }

  private static PefaQuery.Builder xlSoftmax(float[] q, int n) {
    return PefaQuery.xl(schema, q, n).knnWeighting(io.github.lucenepefa.scoring.KnnWeighting.SOFTMAX);
  }

  /**
   * At the defaults (no effort, no K) PEFA's overlap with its exact top n is at least stock Lucene
   * kNN's at its default (k = n) on the same documents, for n = 10 and 100 (measured here: stock
   * 0.960 / 0.9998, PEFA-XS 1.000 / 0.9995, PEFA-XL 0.9975 / 1.000).
   */
  @Test
  void defaultsFindAtLeastWhatStockFinds() throws Exception {
    try (Directory stockDir = new ByteBuffersDirectory()) {
      try (org.apache.lucene.index.IndexWriter w =
          new org.apache.lucene.index.IndexWriter(
              stockDir, new org.apache.lucene.index.IndexWriterConfig())) {
        for (float[] d : docs) {
          org.apache.lucene.document.Document doc = new org.apache.lucene.document.Document();
          doc.add(
              new org.apache.lucene.document.KnnFloatVectorField(
                  "v", d, org.apache.lucene.index.VectorSimilarityFunction.DOT_PRODUCT));
          w.addDocument(doc);
        }
        w.forceMerge(1);
      }
      try (DirectoryReader stockReader = DirectoryReader.open(stockDir)) {
        IndexSearcher stock = new IndexSearcher(stockReader);
        IndexSearcher pefa = new IndexSearcher(reader);
        for (int n : new int[] {10, 100}) {
          double st =
              overlap(
                  stock,
                  n,
                  q -> new org.apache.lucene.search.KnnFloatVectorQuery("v", q, n),
                  q -> bruteForce(q, n));
          double xs =
              overlap(
                  pefa,
                  n,
                  q -> PefaQuery.xs(schema, q, n).build(),
                  q -> search(pefa, PefaQuery.xs(schema, q, n).effort(AnnEffort.EXHAUSTIVE).build(), n));
          double xl =
              overlap(
                  pefa,
                  n,
                  q -> PefaQuery.xl(schema, q, n).build(),
                  q -> search(pefa, PefaQuery.xl(schema, q, n).effort(AnnEffort.EXHAUSTIVE).build(), n));
          // within one hit in a thousand: at n = 100 stock finds all but one of the 4,000 here
          assertTrue(xs >= st - 1e-3, "n " + n + ": PEFA-XS " + xs + " < stock " + st);
          assertTrue(xl >= st - 1e-3, "n " + n + ": PEFA-XL " + xl + " < stock " + st);
        }
      }
    }
  }

  /** The exact top n of the documents (ties by index order, as the stock index's doc ids). */
  static ScoreDoc[] bruteForce(float[] q, int n) {
    List<ScoreDoc> all = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      all.add(new ScoreDoc(i, org.apache.lucene.util.VectorUtil.dotProduct(q, docs.get(i))));
    }
    all.sort((a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
    return all.subList(0, n).toArray(new ScoreDoc[0]);
  }
}
