package io.github.lucenepefa.index;

import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.oracle.BruteForce;
import io.github.lucenepefa.oracle.Content;
import io.github.lucenepefa.oracle.Rankings;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.Neighbour;
import io.github.lucenepefa.search.PefaQuery;
import io.github.lucenepefa.search.TrainingQueryMemory;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.document.FeatureField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.analysis.MockAnalyzer;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * The training memory as a live part of the index: PEFA-XS follows every change of the memory,
 * whatever the order of calls and wherever flushes fall, re-indexing only the documents whose
 * labels changed; memory rows stay out of the application's view; and PEFA-XL runs as well from a
 * neighbour list resolved elsewhere. The graphs are quantized at random ({@link #schema}): the memory
 * and the PEFA-XS refresh work the same on quantized indexes.
 */
public class TestLiveMemory extends LuceneTestCase {

  static final int DIM = 6;

  static float[] vector(Random r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return PefaVectors.normalize(v);
  }

  /** A schema with a random index-time lambda, its graphs quantized at random. */
  static PefaSchema schema(Random r) {
    PefaQuantization[] all = PefaQuantization.values();
    return PefaSchema.builder(DIM)
        .xsLambda(0.1f + r.nextInt(8) / 10f)
        .ermQuantization(all[r.nextInt(all.length)])
        .xsQuantization(all[r.nextInt(all.length)])
        .memoryQuantization(all[r.nextInt(all.length)])
        .build();
  }

  static IndexWriterConfig noMerges() {
    return new IndexWriterConfig(new MockAnalyzer(random())).setMergePolicy(NoMergePolicy.INSTANCE);
  }

  /** Asserts PEFA-XS (at the index lambda and another) and PEFA-XL equal the oracle on content. */
  static void assertOracle(IndexSearcher searcher, PefaSchema schema, Content content, Random r)
      throws IOException {
    BruteForce oracle = new BruteForce(content);
    for (int t = 0; t < 5; t++) {
      float[] q = vector(r);
      int n = 1 + r.nextInt(20);
      for (float lambda : new float[] {schema.xsLambda(), r.nextFloat()}) {
        PefaQuery xs = PefaQuery.xs(schema, q, n).lambda(lambda).effort(AnnEffort.EXHAUSTIVE).build();
        Rankings.assertSame(xs.toString(), oracle.xs(q, lambda, d -> true, n), searcher.search(xs, n).scoreDocs, n);
      }
      PefaQuery xl = PefaQuery.xl(schema, q, n).k(5).topK(10).effort(AnnEffort.EXHAUSTIVE).build();
      BruteForce.Ranking expected =
          oracle.xl(q, new BruteForce.Xl(0.5, 5, 10, false, false, 0.05, false), d -> true, n);
      if (expected.ambiguous() == false) {
        Rankings.assertSame(xl.toString(), expected, searcher.search(xl, n).scoreDocs, n);
      }
    }
  }

  public void testXsFollowsPairsAddedAndRemovedAfterTheDocuments() throws Exception {
    Random r = random();
    PefaSchema schema = schema(r);
    try (Directory dir = newDirectory();
        PefaIndexWriter w = PefaIndexWriter.open(dir, schema, noMerges())) {
      Map<String, float[]> docs = new LinkedHashMap<>();
      for (int i = 0; i < 30; i++) {
        docs.put("d" + i, vector(r));
        w.addDocument("d" + i, docs.get("d" + i));
      }
      w.commit();
      Map<String, float[]> rowVectors = new HashMap<>();
      Map<String, Map<String, Float>> rows = new LinkedHashMap<>();
      try (DirectoryReader reader = PefaDirectoryReader.open(w)) {
        DirectoryReader current = reader;
        for (int step = 0; step < 12; step++) {
          String row = "q" + r.nextInt(6);
          String key = "d" + r.nextInt(30);
          rowVectors.computeIfAbsent(row, k -> vector(r));
          Map<String, Float> labels = rows.computeIfAbsent(row, k -> new LinkedHashMap<>());
          if (labels.containsKey(key) && r.nextBoolean()) {
            w.removeTrainingPair(row, key, 1f);
            float left = labels.get(key) - 1f;
            if (left <= 0) {
              labels.remove(key);
            } else {
              labels.put(key, left);
            }
          } else {
            w.addTrainingPair(row, rowVectors.get(row), key);
            labels.merge(key, 1f, Float::sum);
          }
          Map<String, String> before = docIds(current, schema);
          DirectoryReader next = DirectoryReader.openIfChanged(current); // flushes the writer
          assertNotNull(next);
          if (current != reader) {
            current.close();
          }
          current = next;
          Map<String, String> after = docIds(current, schema);
          // only the document whose labels changed was written again (no merges here)
          Set<String> moved = new java.util.HashSet<>();
          after.forEach((k, doc) -> {
            if (doc.equals(before.get(k)) == false) {
              moved.add(k);
            }
          });
          assertTrue("re-indexed " + moved + " for a change of " + key, moved.isEmpty() || moved.equals(Set.of(key)));
          assertOracle(new IndexSearcher(current), schema, content(current, schema, docs, rows, rowVectors), r);
        }
        if (current != reader) {
          current.close();
        }
      }
    }
  }

  /**
   * Where each live document is: its segment and its doc id there (global doc ids shift when an
   * earlier segment loses all its documents).
   */
  static Map<String, String> docIds(DirectoryReader reader, PefaSchema schema) throws IOException {
    Map<String, String> out = new HashMap<>();
    for (org.apache.lucene.index.LeafReaderContext ctx : reader.leaves()) {
      org.apache.lucene.index.LeafReader leaf = PefaDirectoryReader.withMemory(ctx.reader());
      String segment = ((org.apache.lucene.index.SegmentReader) org.apache.lucene.index.FilterLeafReader.unwrap(leaf)).getSegmentName();
      org.apache.lucene.index.SortedDocValues keys = leaf.getSortedDocValues(schema.keyField());
      org.apache.lucene.util.Bits live = leaf.getLiveDocs();
      if (keys == null) {
        continue;
      }
      for (int d = keys.nextDoc(); d != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS; d = keys.nextDoc()) {
        if (live == null || live.get(d)) {
          out.put(keys.lookupOrd(keys.ordValue()).utf8ToString(), segment + ":" + d);
        }
      }
    }
    return out;
  }

  static Content content(
      DirectoryReader reader,
      PefaSchema schema,
      Map<String, float[]> docs,
      Map<String, Map<String, Float>> rows,
      Map<String, float[]> rowVectors)
      throws IOException {
    List<Content.Doc> ds = new ArrayList<>();
    Content.liveKeys(reader, schema).forEach((doc, key) -> ds.add(new Content.Doc(doc, key, docs.get(key), null)));
    List<Content.Row> rs = new ArrayList<>();
    rows.forEach(
        (id, labels) -> {
          if (labels.isEmpty() == false) {
            rs.add(new Content.Row(id, rowVectors.get(id), new LinkedHashMap<>(labels)));
          }
        });
    return new Content(ds, rs);
  }

  /**
   * The same documents and pairs written in two random orders with random flushes and commits
   * give the same PEFA-XS and PEFA-XL results, float for float.
   */
  public void testOrderOfCallsAndFlushesDoesNotMatter() throws Exception {
    Random r = random();
    PefaSchema schema = schema(r);
    List<Object[]> ops = new ArrayList<>(); // {"doc", key, p} or {"pair", row, x, key}
    Map<String, float[]> rowVectors = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      ops.add(new Object[] {"doc", "d" + i, vector(r)});
    }
    for (int i = 0; i < 60; i++) {
      String row = "q" + r.nextInt(20);
      ops.add(new Object[] {"pair", row, rowVectors.computeIfAbsent(row, k -> vector(r)), "d" + r.nextInt(45)});
    }
    List<TopDocs> first = null;
    for (int attempt = 0; attempt < 2; attempt++) {
      List<Object[]> order = new ArrayList<>(ops);
      java.util.Collections.shuffle(order, r);
      try (Directory dir = newDirectory()) {
        try (PefaIndexWriter w = PefaIndexWriter.open(dir, schema, new IndexWriterConfig(new MockAnalyzer(r)))) {
          for (Object[] op : order) {
            if (op[0].equals("doc")) {
              w.addDocument((String) op[1], (float[]) op[2]);
            } else {
              w.addTrainingPair((String) op[1], (float[]) op[2], (String) op[3]);
            }
            switch (r.nextInt(15)) {
              case 0 -> w.flush();
              case 1 -> w.commit();
              default -> {}
            }
          }
        }
        try (DirectoryReader reader = PefaDirectoryReader.open(dir)) {
          IndexSearcher s = new IndexSearcher(reader);
          List<TopDocs> results = new ArrayList<>();
          Random queries = new Random(42);
          for (int t = 0; t < 10; t++) {
            float[] q = vector(queries);
            results.add(keyed(s, schema, s.search(PefaQuery.xs(schema, q, 10).effort(AnnEffort.EXHAUSTIVE).build(), 10)));
            results.add(keyed(s, schema, s.search(PefaQuery.xs(schema, q, 10).lambda(0.3f).effort(AnnEffort.EXHAUSTIVE).build(), 10)));
            results.add(keyed(s, schema, s.search(PefaQuery.xl(schema, q, 10).effort(AnnEffort.EXHAUSTIVE).build(), 10)));
          }
          if (first == null) {
            first = results;
          } else {
            for (int i = 0; i < results.size(); i++) {
              assertEquals("query " + i, Arrays.toString(first.get(i).scoreDocs), Arrays.toString(results.get(i).scoreDocs));
            }
          }
        }
      }
    }
  }

  /** Hits with the key's number as doc id (doc ids differ between the two indexes). */
  static TopDocs keyed(IndexSearcher s, PefaSchema schema, TopDocs hits) throws IOException {
    ScoreDoc[] out = new ScoreDoc[hits.scoreDocs.length];
    for (int i = 0; i < out.length; i++) {
      String key = s.storedFields().document(hits.scoreDocs[i].doc).get(schema.keyField());
      out[i] = new ScoreDoc(Integer.parseInt(key.substring(1)), hits.scoreDocs[i].score);
    }
    return new TopDocs(hits.totalHits, out);
  }

  public void testMemoryRowsStayOutOfTheApplicationsView() throws Exception {
    Random r = random();
    PefaSchema schema = schema(r);
    try (Directory dir = newDirectory()) {
      try (PefaIndexWriter w = PefaIndexWriter.open(dir, schema, new IndexWriterConfig(new MockAnalyzer(r)))) {
        for (int i = 0; i < 20; i++) {
          w.addDocument("d" + i, vector(r), List.of(new StringField("color", i % 2 == 0 ? "red" : "blue", Field.Store.NO)));
        }
        for (int i = 0; i < 15; i++) {
          w.addTrainingPair("q" + i, vector(r), "d" + r.nextInt(20));
        }
      }
      try (DirectoryReader plain = DirectoryReader.open(dir);
          DirectoryReader reader = PefaDirectoryReader.open(dir)) {
        assertEquals(35, plain.numDocs()); // underneath: documents and rows
        assertEquals(20, reader.numDocs());
        IndexSearcher s = newSearcher(reader);
        assertEquals(20, s.count(new MatchAllDocsQuery()));
        assertEquals(10, s.count(new TermQuery(new Term("color", "red"))));
        assertEquals(0, s.count(new FieldExistsQuery(schema.memoryField())));
        assertEquals(0, s.count(new FieldExistsQuery(schema.labelsField())));
        assertEquals(20, s.count(schema.documentsQuery()));
        assertEquals(20, s.search(new MatchAllDocsQuery(), 100).scoreDocs.length);
        // PEFA reaches the rows underneath
        assertEquals(5, TrainingQueryMemory.nearest(s, schema, vector(r), 5, AnnEffort.EXHAUSTIVE).size());
      }
      // an application's delete-by-query deletes documents, never the memory
      try (PefaIndexWriter w = PefaIndexWriter.open(dir, schema, new IndexWriterConfig(new MockAnalyzer(r)))) {
        w.deleteDocuments(new MatchAllDocsQuery());
      }
      try (DirectoryReader reader = PefaDirectoryReader.open(dir)) {
        IndexSearcher s = newSearcher(reader);
        assertEquals(0, reader.numDocs());
        assertEquals(0, s.count(new MatchAllDocsQuery()));
        assertEquals(15, TrainingQueryMemory.nearest(s, schema, vector(r), 100, AnnEffort.EXHAUSTIVE).size());
      }
    }
  }

  /**
   * PEFA-XL from a neighbour list resolved elsewhere (here: a memory kept in another index) gives
   * the same hits, scores and explanations as PEFA-XL searching the memory of its own index: the
   * two paths share one scorer.
   */
  public void testResolvedNeighboursShareTheScorer() throws Exception {
    Random r = random();
    PefaSchema schema = schema(r);
    try (Directory both = newDirectory();
        Directory docsOnly = newDirectory();
        Directory memoryOnly = newDirectory()) {
      try (PefaIndexWriter all = PefaIndexWriter.open(both, schema, noMerges());
          PefaIndexWriter docs = PefaIndexWriter.open(docsOnly, schema, noMerges());
          PefaIndexWriter memory = PefaIndexWriter.open(memoryOnly, schema, noMerges())) {
        for (int i = 0; i < 40; i++) {
          float[] p = vector(r);
          all.addDocument("d" + i, p);
          docs.addDocument("d" + i, p);
        }
        for (int i = 0; i < 30; i++) {
          float[] x = vector(r);
          Map<String, Float> labels = Map.of("d" + r.nextInt(40), 1f + r.nextInt(2));
          all.addTrainingQuery("q" + i, x, labels);
          memory.addTrainingQuery("q" + i, x, labels);
        }
      }
      try (DirectoryReader a = PefaDirectoryReader.open(both);
          DirectoryReader b = PefaDirectoryReader.open(docsOnly);
          DirectoryReader m = PefaDirectoryReader.open(memoryOnly)) {
        IndexSearcher sa = newSearcher(a), sb = newSearcher(b), sm = newSearcher(m);
        for (int t = 0; t < 10; t++) {
          float[] q = vector(r);
          int k = 1 + r.nextInt(10);
          List<Neighbour> resolved = TrainingQueryMemory.nearest(sm, schema, q, k, AnnEffort.EXHAUSTIVE);
          PefaQuery own = PefaQuery.xl(schema, q, 10).k(k).effort(AnnEffort.EXHAUSTIVE).build();
          PefaQuery given = PefaQuery.xl(schema, q, 10).k(k).neighbours(resolved).effort(AnnEffort.EXHAUSTIVE).build();
          TopDocs ta = keyed(sa, schema, sa.search(own, 10));
          TopDocs tb = keyed(sb, schema, sb.search(given, 10));
          assertEquals(Arrays.toString(ta.scoreDocs), Arrays.toString(tb.scoreDocs));
          ScoreDoc top = sa.search(own, 1).scoreDocs[0];
          ScoreDoc topB = sb.search(given, 1).scoreDocs[0];
          Explanation ea = sa.explain(own, top.doc), eb = sb.explain(given, topB.doc);
          assertEquals(ea.getValue(), eb.getValue());
          assertEquals(ea.toString().replace("doc '", ""), eb.toString().replace("doc '", ""));
        }
      }
    }
  }

  public void testExplainShowsTheRawScoreAndItsParts() throws Exception {
    Random r = random();
    PefaSchema schema = PefaSchema.builder(DIM).xsLambda(0.5f).build();
    try (Directory dir = newDirectory()) {
      float[] p = vector(r), x = vector(r);
      try (PefaIndexWriter w = PefaIndexWriter.open(dir, schema, noMerges())) {
        w.addDocument("d0", p);
        w.addTrainingPair("q0", x, "d0", 2f);
      }
      try (DirectoryReader reader = PefaDirectoryReader.open(dir)) {
        IndexSearcher s = new IndexSearcher(reader);
        float[] q = vector(r);
        double erm = 0, sim = 0;
        for (int i = 0; i < DIM; i++) {
          erm += q[i] * p[i];
          sim += q[i] * x[i];
        }
        double raw = 0.3 * erm + 0.7 * 2 * sim;
        PefaQuery xl = PefaQuery.xl(schema, q, 1).lambda(0.3f).k(1).build();
        Explanation e = s.explain(xl, s.search(xl, 1).scoreDocs[0].doc);
        assertEquals(Rankings.reported(raw), e.getValue().doubleValue(), 1e-6);
        Explanation rawPart = e.getDetails()[0];
        assertEquals(raw, rawPart.getValue().doubleValue(), 1e-6);
        assertTrue(rawPart.toString(), rawPart.getDescription().startsWith("raw PEFA-XL score of doc 'd0'"));
        assertTrue(rawPart.toString(), rawPart.toString().contains("neighbour 'q0'"));
      }
    }
  }

  public void testCommitKeepsTheApplicationsCommitData() throws Exception {
    try (Directory dir = newDirectory()) {
      try (PefaIndexWriter w = PefaIndexWriter.open(dir, schema(random()), noMerges())) {
        w.indexWriter().setLiveCommitData(Map.of("app.offset", "1234").entrySet());
        w.addDocument("d0", vector(random()));
        w.commit();
        w.addDocument("d1", vector(random()));
      }
      try (DirectoryReader reader = PefaDirectoryReader.open(dir)) {
        Map<String, String> data = reader.getIndexCommit().getUserData();
        assertEquals("1234", data.get("app.offset"));
        assertNotNull(data.get(PefaSchema.COMMIT_KEY));
        assertEquals(2, reader.numDocs());
      }
    }
  }

  public void testBadInputIsRejectedWhenAddedAndBlocksNothing() throws Exception {
    PefaSchema schema = schema(random());
    try (Directory dir = newDirectory();
        PefaIndexWriter w = PefaIndexWriter.open(dir, schema, noMerges())) {
      float[] v = vector(random());
      String tooLong = "k".repeat(IndexWriterConfigLimits.MAX_TERM_BYTES + 1);
      String broken = "a\uD800b"; // an unpaired surrogate
      assertBad("document key is 32767 bytes long in UTF-8", () -> w.addDocument(tooLong, v));
      assertBad("document key 'a\uD800b' has an unpaired surrogate at index 1", () -> w.addDocument(broken, v));
      assertBad("document key must not be null or empty", () -> w.addDocument("", v));
      assertBad("training query id is 32767 bytes long", () -> w.addTrainingPair(tooLong, v, "d0"));
      assertBad("training query 'q': document key 'a\uD800b' has an unpaired surrogate", () -> w.addTrainingPair("q", v, broken));
      assertBad("training query 'q': document key is 32767 bytes long", () -> w.addTrainingPair("q", v, tooLong));
      assertBad("field name 'pefa.key' is reserved", () -> w.addDocument("d0", v, List.of(new StringField("pefa.key", "x", Field.Store.NO))));
      assertBad("field 'body' has a Reader value", () -> w.addDocument("d0", v, List.of(new TextField("body", new StringReader("text")))));
      assertBad(
          "field 'body' has a TokenStream value",
          () -> w.addDocument("d0", v, List.of(new TextField("body", new MockAnalyzer(random()).tokenStream("body", "text")))));
      assertBad("makes its own token stream", () -> w.addDocument("d0", v, List.of(new FeatureField("features", "pagerank", 2f))));
      assertBad("weight for document 'd0' must be finite and > 0, got NaN", () -> w.addTrainingPair("q", v, "d0", Float.NaN));
      assertBad("vector has dimension 2, expected " + DIM, () -> w.addTrainingPair("q", new float[] {1, 0}, "d0"));
      assertFalse(w.hasBufferedChanges());
      // nothing was buffered: the next flush writes what follows
      w.addDocument("d0", v);
      w.addTrainingPair("q", v, "d0");
      w.commit();
      try (DirectoryReader reader = PefaDirectoryReader.open(dir)) {
        assertEquals(1, reader.numDocs());
      }
    }
  }

  interface Call {
    void run() throws Exception;
  }

  static void assertBad(String message, Call call) {
    IllegalArgumentException e = expectThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage() + " should contain " + message, e.getMessage().contains(message));
  }

  /** Lucene's term length limit, named here so the test says what it checks. */
  static final class IndexWriterConfigLimits {
    static final int MAX_TERM_BYTES = org.apache.lucene.index.IndexWriter.MAX_TERM_LENGTH;
  }
}
