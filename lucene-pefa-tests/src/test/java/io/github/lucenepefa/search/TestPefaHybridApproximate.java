package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.apache.lucene.document.Field;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PefaHybridQuery} with the default (approximate) effort against its exhaustive result on
 * 4,000 documents with text (a = 0.3): mean top-10 overlap at least 0.95 for PEFA-XL and PEFA-XS,
 * top-100 at least 0.8 (XL) and 0.85 (XS), the candidates being the method's and the lexical top-100
 * only; and its argument checks.
 */
class TestPefaHybridApproximate {

  static final int DIM = 32, DOCS = 4000, ROWS = 4000, QUERIES = 30;
  static Directory dir;
  static DirectoryReader reader;
  static PefaSchema schema = PefaSchema.builder(DIM).build();
  static List<float[]> queries = new ArrayList<>();
  static List<Query> lexical = new ArrayList<>();

  @BeforeAll
  static void build() throws Exception {
    Random r = new Random(7);
    List<float[]> centres = new ArrayList<>();
    for (int c = 0; c < 50; c++) {
      centres.add(TestPefaQueryApproximate.gaussian(r, null, 1f));
    }
    dir = new ByteBuffersDirectory();
    List<float[]> docs = new ArrayList<>();
    for (int i = 0; i < DOCS; i++) {
      docs.add(TestPefaQueryApproximate.gaussian(r, centres.get(r.nextInt(centres.size())), 0.5f));
    }
    try (PefaIndexWriter w = PefaIndexWriter.open(dir, schema)) {
      for (int i = 0; i < ROWS; i++) {
        int d = r.nextInt(DOCS);
        Map<String, Float> labels = new LinkedHashMap<>();
        labels.put("d" + d, 1f);
        w.addTrainingQuery(
            "t" + i, TestPefaQueryApproximate.gaussian(r, docs.get(d), 0.3f), labels);
      }
      for (int i = 0; i < DOCS; i++) {
        StringBuilder text = new StringBuilder();
        for (int t = 0; t < 10; t++) {
          text.append(" w").append(Math.min(r.nextInt(300), r.nextInt(300)));
        }
        w.addDocument(
            "d" + i, docs.get(i), List.of(new TextField("text", text.toString(), Field.Store.NO)));
      }
    }
    reader = DirectoryReader.open(dir);
    for (int q = 0; q < QUERIES; q++) {
      queries.add(TestPefaQueryApproximate.gaussian(r, docs.get(r.nextInt(DOCS)), 0.4f));
      lexical.add(new TermQuery(new Term("text", "w" + (20 + r.nextInt(200)))));
    }
  }

  @AfterAll
  static void close() throws Exception {
    reader.close();
    dir.close();
  }

  static PefaHybridQuery query(boolean xl, int q, AnnEffort effort) {
    PefaQuery pefa =
        xl
            ? PefaQuery.xl(schema, queries.get(q), 100).topK(100).effort(effort).build()
            : PefaQuery.xs(schema, queries.get(q), 100).effort(effort).build();
    return PefaHybridQuery.of(pefa, lexical.get(q), 0.3f);
  }

  /** Mean overlap of the top {@code depth} of the approximate and the exhaustive top-100. */
  double overlap(boolean xl, int depth) throws Exception {
    IndexSearcher s = new IndexSearcher(reader);
    double sum = 0;
    for (int q = 0; q < QUERIES; q++) {
      ScoreDoc[] approx = s.search(query(xl, q, AnnEffort.DEFAULT), depth).scoreDocs;
      ScoreDoc[] exact = s.search(query(xl, q, AnnEffort.EXHAUSTIVE), depth).scoreDocs;
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
    return sum / QUERIES;
  }

  @Test
  void xlOverlap() throws Exception {
    double o10 = overlap(true, 10);
    double o100 = overlap(true, 100);
    System.out.println("PEFA-XL+BM25 overlap top-10 " + o10 + ", top-100 " + o100);
    assertTrue(o10 >= 0.95, "PEFA-XL+BM25 top-10 overlap " + o10);
    assertTrue(o100 >= 0.8, "PEFA-XL+BM25 top-100 overlap " + o100);
  }

  @Test
  void xsOverlap() throws Exception {
    double o10 = overlap(false, 10);
    double o100 = overlap(false, 100);
    System.out.println("PEFA-XS+BM25 overlap top-10 " + o10 + ", top-100 " + o100);
    assertTrue(o10 >= 0.95, "PEFA-XS+BM25 top-10 overlap " + o10);
    assertTrue(o100 >= 0.85, "PEFA-XS+BM25 top-100 overlap " + o100);
  }

  @Test
  void badArguments() throws Exception {
    PefaQuery pefa = PefaQuery.xl(schema, queries.get(0), 10).build();
    Query lex = lexical.get(0);
    for (float a : new float[] {-0.1f, 1.1f, Float.NaN}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> PefaHybridQuery.of(pefa, lex, a));
      assertTrue(e.getMessage().startsWith("lexical weight a must be in [0,1]"), e.getMessage());
    }
    IndexSearcher s = new IndexSearcher(reader);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> s.search(PefaHybridQuery.of(pefa, new TermQuery(new Term("body", "x")), 0.2f), 10));
    assertTrue(e.getMessage().equals("lexical query field 'body' is not in the index"), e.getMessage());
  }
}
