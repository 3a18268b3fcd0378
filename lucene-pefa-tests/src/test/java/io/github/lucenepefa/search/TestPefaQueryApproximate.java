package io.github.lucenepefa.search;

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

  @BeforeAll
  static void build() throws Exception {
    Random r = new Random(42);
    List<float[]> centres = new ArrayList<>();
    for (int c = 0; c < 50; c++) {
      centres.add(gaussian(r, null, 1f));
    }
    dir = new ByteBuffersDirectory();
    List<float[]> docs = new ArrayList<>();
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
}
