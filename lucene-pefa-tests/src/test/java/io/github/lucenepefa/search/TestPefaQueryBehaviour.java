package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.PefaScoring;
import io.github.lucenepefa.oracle.Rankings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/** Edge cases, bad input and the Lucene Query contract of {@link PefaQuery}. */
class TestPefaQueryBehaviour {

  static final PefaSchema SCHEMA = PefaSchema.builder(2).xsLambda(0.5f).build();

  static float[] unit(double angle) {
    return new float[] {(float) Math.cos(angle), (float) Math.sin(angle)};
  }

  /** Four documents on the unit circle; one training query near d3 labelling d0. */
  static Directory smallIndex() throws Exception {
    Directory dir = new ByteBuffersDirectory();
    try (PefaIndexWriter w = PefaIndexWriter.open(dir, SCHEMA)) {
      w.addTrainingQuery("t1", unit(3.0), Map.of("d0", 1f));
      w.addTrainingQuery("t1", unit(3.0), Map.of("d0", 1f, "ghost", 1f)); // merged: Y=2, unknown key
      for (int i = 0; i < 4; i++) {
        w.addDocument(
            "d" + i, unit(i), List.of(new StringField("color", i % 2 == 0 ? "red" : "blue", Field.Store.NO)));
      }
      w.addDocument("novec", null, List.of(new StringField("color", "red", Field.Store.NO)));
    }
    return dir;
  }

  @Test
  void xlScoresAreTheFormula() throws Exception {
    try (Directory dir = smallIndex();
        DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher s = new IndexSearcher(reader);
      float[] q = unit(3.0);
      PefaQuery query = PefaQuery.xl(SCHEMA, q, 10).lambda(0.3f).k(1).topK(1).build();
      TopDocs td = s.search(query, 10);
      // candidates: ERM top-1 (d3) and d0 (labelled by t1 with Y = 2)
      assertEquals(2, td.scoreDocs.length);
      // <unit(a), unit(b)> = cos(a - b)
      Map<String, Double> expected =
          Map.of("d3", 0.3 * Math.cos(0), "d0", 0.3 * Math.cos(3) + 0.7 * 2 * Math.cos(0));
      for (ScoreDoc sd : td.scoreDocs) {
        String key = s.storedFields().document(sd.doc).get(SCHEMA.keyField());
        assertEquals(expected.get(key), Rankings.raw(sd.score), 1e-6, key);
      }
    }
  }

  @Test
  void emptyMemoryIsErmTimesLambda() throws Exception {
    try (Directory dir = new ByteBuffersDirectory()) {
      try (PefaIndexWriter w = PefaIndexWriter.open(dir, SCHEMA)) {
        for (int i = 0; i < 5; i++) {
          w.addDocument("d" + i, unit(i * 0.7));
        }
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher s = new IndexSearcher(reader);
        float[] q = unit(1.0);
        TopDocs xl = s.search(PefaQuery.xl(SCHEMA, q, 10).lambda(0.4f).topK(5).build(), 5);
        TopDocs xs = s.search(PefaQuery.xs(SCHEMA, q, 10).lambda(0.4f).build(), 5);
        assertEquals(5, xl.scoreDocs.length);
        for (int i = 0; i < 5; i++) {
          String key = s.storedFields().document(xl.scoreDocs[i].doc).get(SCHEMA.keyField());
          double erm = Math.cos(1.0 - Integer.parseInt(key.substring(1)) * 0.7);
          assertEquals(0.4 * erm, Rankings.raw(xl.scoreDocs[i].score), 1e-6);
          assertEquals(xl.scoreDocs[i].doc, xs.scoreDocs[i].doc);
          assertEquals(0.4 * erm, Rankings.raw(xs.scoreDocs[i].score), 1e-6);
        }
      }
    }
  }

  @Test
  void emptyIndexAndAllDeleted() throws Exception {
    try (Directory dir = new ByteBuffersDirectory()) {
      try (PefaIndexWriter w = PefaIndexWriter.open(dir, SCHEMA)) {
        w.commit();
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher s = new IndexSearcher(reader);
        assertEquals(0, s.search(PefaQuery.xl(SCHEMA, unit(0), 10).build(), 10).scoreDocs.length);
        assertEquals(0, s.search(PefaQuery.xs(SCHEMA, unit(0), 10).build(), 10).scoreDocs.length);
      }
      try (PefaIndexWriter w = PefaIndexWriter.open(dir, SCHEMA)) {
        w.addTrainingQuery("t", unit(0), Map.of("a", 1f));
        w.addDocument("a", unit(0));
        w.commit();
        w.deleteDocument("a");
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher s = new IndexSearcher(reader);
        assertEquals(0, s.search(PefaQuery.xl(SCHEMA, unit(0), 10).build(), 10).scoreDocs.length);
        assertEquals(0, s.search(PefaQuery.xs(SCHEMA, unit(0), 10).build(), 10).scoreDocs.length);
      }
    }
  }

  @Test
  void docWithoutVectorUnknownKeysLargeKAndN() throws Exception {
    try (Directory dir = smallIndex();
        DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher s = new IndexSearcher(reader);
      // k larger than the memory, K and n larger than the candidates
      TopDocs td = s.search(PefaQuery.xl(SCHEMA, unit(1), 100).k(100).topK(100).build(), 100);
      Set<String> keys = new HashSet<>();
      for (ScoreDoc sd : td.scoreDocs) {
        keys.add(s.storedFields().document(sd.doc).get(SCHEMA.keyField()));
      }
      assertEquals(Set.of("d0", "d1", "d2", "d3"), keys); // not "novec", not "ghost"
      assertEquals(4, s.search(PefaQuery.xs(SCHEMA, unit(1), 100).build(), 100).scoreDocs.length);
      // n near Integer.MAX_VALUE: no overflow in the buffers sized from n
      int huge = Integer.MAX_VALUE - 1;
      assertEquals(4, s.search(PefaQuery.xl(SCHEMA, unit(1), huge).build(), 10).scoreDocs.length);
      assertEquals(4, s.search(PefaQuery.xs(SCHEMA, unit(1), huge).build(), 10).scoreDocs.length);
    }
  }

  @Test
  void deletedAndUpdatedDocsThroughLabels() throws Exception {
    try (Directory dir = smallIndex()) {
      try (PefaIndexWriter w = PefaIndexWriter.open(dir, SCHEMA)) {
        w.deleteDocument("d0"); // labelled by t1: must not come back through the label
        w.addDocument("d2", unit(2.9)); // updated: scored with its new vector
        w.addTrainingQuery("t2", unit(2.9), Map.of("d2", 1f));
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher s = new IndexSearcher(reader);
        float[] q = unit(3.0);
        TopDocs td = s.search(PefaQuery.xl(SCHEMA, q, 10).lambda(0.5f).k(2).topK(4).build(), 10);
        Map<String, Float> scores = new java.util.HashMap<>();
        for (ScoreDoc sd : td.scoreDocs) {
          scores.put(s.storedFields().document(sd.doc).get(SCHEMA.keyField()), sd.score);
        }
        assertFalse(scores.containsKey("d0"));
        double knn = Math.cos(3.0 - 2.9);
        assertEquals(0.5 * Math.cos(3.0 - 2.9) + 0.5 * knn, Rankings.raw(scores.get("d2")), 1e-6);
      }
    }
  }

  @Test
  void filterAppliesToBothSides() throws Exception {
    try (Directory dir = smallIndex();
        DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher s = new IndexSearcher(reader);
      Query blue = new TermQuery(new Term("color", "blue"));
      // d0 (red) is labelled by the neighbour but filtered out
      TopDocs td = s.search(PefaQuery.xl(SCHEMA, unit(3.0), 10).k(1).topK(4).filter(blue).build(), 10);
      for (ScoreDoc sd : td.scoreDocs) {
        String key = s.storedFields().document(sd.doc).get(SCHEMA.keyField());
        assertTrue(key.equals("d1") || key.equals("d3"), key);
      }
      assertEquals(2, td.scoreDocs.length);
      assertEquals(2, s.search(PefaQuery.xs(SCHEMA, unit(3.0), 10).filter(blue).build(), 10).scoreDocs.length);
    }
  }

  @Test
  void booleanClausesAndExplain() throws Exception {
    try (Directory dir = smallIndex();
        DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher s = new IndexSearcher(reader);
      PefaQuery pefa = PefaQuery.xl(SCHEMA, unit(3.0), 10).k(1).topK(4).build();
      TopDocs alone = s.search(pefa, 10);
      Query red = new TermQuery(new Term("color", "red"));
      BooleanQuery filtered =
          new BooleanQuery.Builder().add(pefa, BooleanClause.Occur.MUST).add(red, BooleanClause.Occur.FILTER).build();
      TopDocs td = s.search(filtered, 10);
      for (ScoreDoc sd : td.scoreDocs) {
        assertEquals(scoreOf(alone, sd.doc), sd.score, 1e-6f); // FILTER does not change scores
      }
      BooleanQuery should =
          new BooleanQuery.Builder().add(pefa, BooleanClause.Occur.SHOULD).add(red, BooleanClause.Occur.SHOULD).build();
      TopDocs sh = s.search(should, 10);
      assertEquals(5, sh.scoreDocs.length); // 4 PEFA docs, plus "novec" through the term
      // explain lists lambda, the two parts and the neighbour
      int d0 = docOf(s, "d0");
      Explanation e = s.explain(pefa, d0);
      assertTrue(e.isMatch());
      assertEquals(scoreOf(alone, d0), e.getValue().floatValue(), 1e-6f);
      String text = e.toString();
      assertTrue(text.contains("lambda") && text.contains("ERM part") && text.contains("kNN part"), text);
      assertTrue(text.contains("neighbour 't1'"), text);
      assertFalse(s.explain(pefa, docOf(s, "novec")).isMatch());
      Explanation xs = s.explain(PefaQuery.xs(SCHEMA, unit(3.0), 10).build(), d0);
      assertTrue(xs.toString().contains("<q,u_d>"), xs.toString());
    }
  }

  static float scoreOf(TopDocs td, int doc) {
    for (ScoreDoc sd : td.scoreDocs) {
      if (sd.doc == doc) {
        return sd.score;
      }
    }
    throw new AssertionError("doc " + doc + " not in results");
  }

  static int docOf(IndexSearcher s, String key) throws Exception {
    TopDocs td = s.search(new TermQuery(SCHEMA.keyTerm(key)), 1);
    return td.scoreDocs[0].doc;
  }

  @Test
  void rewrittenQueryRejectsAnotherReader() throws Exception {
    try (Directory dir = smallIndex();
        DirectoryReader r1 = DirectoryReader.open(dir);
        DirectoryReader r2 = DirectoryReader.open(dir)) {
      IndexSearcher s1 = new IndexSearcher(r1);
      IndexSearcher s2 = new IndexSearcher(r2);
      Query rewritten = s1.rewrite(PefaQuery.xl(SCHEMA, unit(1), 10).build());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> s2.search(rewritten, 10));
      assertTrue(e.getMessage().contains("different IndexReader"), e.getMessage());
    }
  }

  @Test
  void equalsHashCodeToStringVisit() {
    PefaQuery a = PefaQuery.xl(SCHEMA, unit(1), 10).lambda(0.2f).k(3).build();
    PefaQuery b = PefaQuery.xl(SCHEMA, unit(1), 10).lambda(0.2f).k(3).build();
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, PefaQuery.xl(SCHEMA, unit(1), 10).lambda(0.2f).k(4).build());
    assertNotEquals(a, PefaQuery.xl(SCHEMA, unit(1.1), 10).lambda(0.2f).k(3).build());
    assertNotEquals(a, PefaQuery.xs(SCHEMA, unit(1), 10).lambda(0.2f).build());
    assertNotEquals(a, PefaQuery.xl(SCHEMA, unit(1), 10).lambda(0.2f).k(3).knnNormalization(KnnNormalization.MEAN).build());
    assertNotEquals(a, PefaQuery.xl(SCHEMA, unit(1), 10).lambda(0.2f).k(3).ermScoreMode(ErmScoreMode.TOP_K_ONLY).build());
    assertNotEquals(a, PefaQuery.xl(SCHEMA, unit(1), 10).lambda(0.2f).k(3).filter(new MatchAllDocsQuery()).build());
    assertTrue(a.toString().contains("XL") && a.toString().contains("lambda=0.2") && a.toString().contains("k=3"), a.toString());
    List<Query> leaves = new ArrayList<>();
    a.visit(
        new QueryVisitor() {
          @Override
          public void visitLeaf(Query query) {
            leaves.add(query);
          }
        });
    assertEquals(List.of(a), leaves);
  }

  @Test
  void badInputNamesParameterAndValue() {
    assertBad("dimension 3, expected 2", () -> PefaQuery.xl(SCHEMA, new float[] {1, 0, 0}, 10));
    assertBad("non-finite component at index 1: NaN", () -> PefaQuery.xl(SCHEMA, new float[] {1, Float.NaN}, 10));
    assertBad("non-finite component at index 0: Infinity", () -> PefaQuery.xs(SCHEMA, new float[] {Float.POSITIVE_INFINITY, 0}, 10));
    assertBad("must be L2-normalised", () -> PefaQuery.xl(SCHEMA, new float[] {3, 4}, 10));
    assertBad("lambda must be in [0,1], got 1.5", () -> PefaQuery.xl(SCHEMA, unit(0), 10).lambda(1.5f));
    assertBad("lambda must be in [0,1], got -0.1", () -> PefaQuery.xl(SCHEMA, unit(0), 10).lambda(-0.1f));
    assertBad("lambda must be in [0,1], got NaN", () -> PefaQuery.xs(SCHEMA, unit(0), 10).lambda(Float.NaN));
    assertBad("k must be > 0, got 0", () -> PefaQuery.xl(SCHEMA, unit(0), 10).k(0));
    assertBad("K (topK) must be > 0, got -1", () -> PefaQuery.xl(SCHEMA, unit(0), 10).topK(-1));
    assertBad("n must be > 0, got 0", () -> PefaQuery.xl(SCHEMA, unit(0), 0));
    assertBad("efSearch must be > 0, got 0", () -> AnnEffort.ef(0));
    assertBad("xsLambda must be in [0,1], got 2.0", () -> PefaSchema.builder(2).xsLambda(2f));
    assertBad("dimension must be > 0, got 0", () -> PefaSchema.builder(0));
  }

  @Test
  void badWriterInputLosesNothingCommitted() throws Exception {
    try (Directory dir = smallIndex()) {
      try (PefaIndexWriter w = PefaIndexWriter.open(dir, SCHEMA)) {
        assertBad("dimension 3, expected 2", () -> w.addDocument("x", new float[] {1, 0, 0}));
        assertBad("non-finite component", () -> w.addTrainingQuery("t9", new float[] {Float.NaN, 0}, Map.of("d1", 1f)));
        assertBad("weight for document 'd1' must be finite and > 0, got -1.0", () -> w.addTrainingQuery("t9", unit(0), Map.of("d1", -1f)));
        assertBad("document key must not be null or empty", () -> w.addDocument("", unit(0)));
        assertBad("field name 'pefa.erm' is reserved", () -> w.addDocument("x", unit(0), List.of(new StringField("pefa.erm", "x", Field.Store.NO))));
        assertBad("training query 't9' has no labels", () -> w.addTrainingQuery("t9", unit(0), Map.of()));
        // t1 exists in the index with another vector: refused at the call that adds it
        assertBad("'t1' exists in the index with a different vector", () -> w.addTrainingQuery("t1", unit(1.0), Map.of("d1", 1f)));
        w.removeTrainingPair("t1", "d9", 1f); // a buffered change without a vector: the index's still counts
        assertBad("'t1' exists in the index with a different vector", () -> w.addTrainingPair("t1", unit(1.0), "d1"));
        w.addTrainingQuery("t8", unit(0), Map.of("d1", 1f));
        w.flush();
        assertBad("'t8' exists in the index with a different vector", () -> w.addTrainingPair("t8", unit(1.0), "d2"));
        w.deleteTrainingQuery("t8"); // deleted first: a new vector is no conflict
        w.addTrainingPair("t8", unit(1.0), "d2");
        w.deleteTrainingQuery("t8");
        w.commit();
      }
      assertBad("written with schema", () -> PefaIndexWriter.open(dir, PefaSchema.builder(2).xsLambda(0.9f).build()));
      try (IndexWriter iw = new IndexWriter(dir, new IndexWriterConfig().setCodec(new Pefa01Codec()))) {
        assertBad("maxBufferedDocs must be > 0, got 0", () -> new PefaIndexWriter(iw, SCHEMA, 0, 1));
        assertBad("writeThreads must be > 0, got 0", () -> new PefaIndexWriter(iw, SCHEMA, 10, 0));
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(SCHEMA, PefaSchema.read(reader));
        IndexSearcher s = new IndexSearcher(reader);
        assertEquals(5, s.count(SCHEMA.documentsQuery()));
        assertEquals(1, s.count(SCHEMA.memoryRowsQuery()));
      }
    }
  }

  interface Bad {
    void run() throws Exception;
  }

  static void assertBad(String fragment, Bad bad) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> {
              try {
                bad.run();
              } catch (IllegalArgumentException iae) {
                throw iae;
              } catch (Exception other) {
                throw new AssertionError(other);
              }
            });
    assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
  }

  /** {@link #smallIndex()}'s training query and vectors (no application fields) under another schema. */
  static Directory vectorsOnlyIndex(PefaSchema schema) throws Exception {
    Directory dir = new ByteBuffersDirectory();
    try (PefaIndexWriter w = PefaIndexWriter.open(dir, schema)) {
      w.addTrainingQuery("t1", unit(3.0), Map.of("d0", 2f, "ghost", 2f));
      for (int i = 0; i < 4; i++) {
        w.addDocument("d" + i, unit(i));
      }
    }
    return dir;
  }

  /** The field a query visits, i.e. the vector field it searches. */
  static String searchedField(Query query) {
    List<String> fields = new ArrayList<>();
    query.visit(
        new QueryVisitor() {
          @Override
          public boolean acceptField(String field) {
            fields.add(field);
            return true;
          }
        });
    assertEquals(1, fields.size(), fields.toString());
    return fields.get(0);
  }

  @Test
  void xsSearchesTheStoredVectorAtEveryLambda() throws Exception {
    assertEquals("pefa.xs.e", SCHEMA.xsVectorField());
    assertEquals(SCHEMA.xsVectorField(), searchedField(PefaQuery.xs(SCHEMA, unit(1), 10).build()));
    assertEquals(
        SCHEMA.xsVectorField(), searchedField(PefaQuery.xs(SCHEMA, unit(1), 10).lambda(0.3f).build()));
  }

  @Test
  void xsAtAnotherLambdaNeedsAnIndexLambdaBelowOne() {
    PefaSchema one = PefaSchema.builder(2).xsLambda(1f).build();
    assertFalse(one.xsAnyLambda());
    assertBad(
        "PEFA-XS lambda=0.3: the index stores e_d at index-time lambda 1, which is p_d alone",
        () -> PefaQuery.xs(one, unit(1), 10).lambda(0.3f).build());
    assertNotNull(PefaQuery.xs(one, unit(1), 10).build());
    assertBad(
        "the label part u_d cannot be recovered",
        () -> PefaScoring.xsDocumentVector(new float[2], new float[2], 1f, 0.5f, new float[2]));
  }

  @Test
  void xsAtTheIndexLambdaOnlyRefusesOtherLambdas() throws Exception {
    PefaSchema fixed = PefaSchema.builder(2).xsLambda(0.5f).xsAnyLambda(false).build();
    assertFalse(fixed.xsAnyLambda());
    assertEquals(fixed, PefaSchema.fromCommitValue(fixed.toCommitValue()));
    assertBad(
        "PEFA-XS lambda=0.3: this index serves PEFA-XS at its index-time lambda 0.5 only",
        () -> PefaQuery.xs(fixed, unit(1), 10).lambda(0.3f).build());
    try (Directory full = smallIndex();
        Directory small = vectorsOnlyIndex(fixed)) {
      try (DirectoryReader a = DirectoryReader.open(full);
          DirectoryReader b = DirectoryReader.open(small)) {
        assertEquals(fixed, PefaSchema.read(b));
        assertTrue(b.leaves().stream().allMatch(l -> l.reader().getFieldInfos().fieldInfo("pefa.xs") == null));
        IndexSearcher sb = new IndexSearcher(b);
        TopDocs withPair = new IndexSearcher(a).search(PefaQuery.xs(SCHEMA, unit(2.6), 10).build(), 4);
        Query q = PefaQuery.xs(fixed, unit(2.6), 10).build();
        TopDocs withoutPair = sb.search(q, 4);
        assertEquals(4, withoutPair.scoreDocs.length);
        for (int i = 0; i < 4; i++) {
          assertEquals(withPair.scoreDocs[i].score, withoutPair.scoreDocs[i].score, 0f);
        }
        Explanation e = sb.explain(q, withoutPair.scoreDocs[0].doc);
        assertEquals(withoutPair.scoreDocs[0].score, e.getValue().floatValue(), 0f);
        assertTrue(e.toString().contains("stored e_d"), e.toString());
      }
    }
  }

  @Test
  void samePairTwiceAddsUpAcrossCommits() throws Exception {
    try (Directory dir = new ByteBuffersDirectory()) {
      try (PefaIndexWriter w = PefaIndexWriter.open(dir, SCHEMA)) {
        w.addTrainingPair("p", unit(0.5), "a");
        w.commit();
        w.addTrainingPair("p", unit(0.5), "a"); // again, after a commit: Y = 2
        w.addTrainingPair("p", unit(0.5), "b", 3f);
        w.addDocument("a", unit(0));
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        List<Neighbour> nk =
            TrainingQueryMemory.nearest(new IndexSearcher(reader), SCHEMA, unit(0), 5, AnnEffort.EXHAUSTIVE);
        assertEquals(1, nk.size());
        assertEquals(Map.of("a", 2f, "b", 3f), nk.get(0).labels());
      }
    }
  }

  @Test
  void precomputedNeighboursEqualSearchedOnes() throws Exception {
    try (Directory dir = smallIndex();
        DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher s = new IndexSearcher(reader);
      List<Neighbour> nk = TrainingQueryMemory.nearest(s, SCHEMA, unit(2.5), 1, AnnEffort.EXHAUSTIVE);
      assertEquals(1, nk.size());
      assertEquals("t1", nk.get(0).rowId());
      assertEquals(Map.of("d0", 2f, "ghost", 1f), nk.get(0).labels());
      TopDocs a = s.search(PefaQuery.xl(SCHEMA, unit(2.5), 10).k(1).build(), 10);
      TopDocs b = s.search(PefaQuery.xl(SCHEMA, unit(2.5), 10).k(1).neighbours(nk).build(), 10);
      assertEquals(java.util.Arrays.toString(a.scoreDocs), java.util.Arrays.toString(b.scoreDocs));
    }
  }
}
