package io.github.lucenepefa.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.hnsw.HnswGraphProvider;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.IntField;
import org.apache.lucene.document.KnnByteVectorField;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end checks of {@link Pefa01VectorsFormat} through {@link Pefa01Codec}: per-field graph
 * parameters, paired-field scoring and recall, reopening by SPI name, merging with deletions,
 * CheckIndex, and attribute validation.
 */
class TestPefaVectorsFormatIntegration {

  private static final long SEED = Long.getLong("pefa.test.seed", 20240304L);

  private static final int N = 2000;
  private static final int D = 32; // half dimension of the paired field
  private static final int SMALL_DIM = 16;
  private static final float LAMBDA = 0.7f;
  /** kNN queries collect this many candidates (the HNSW beam) and recall is measured on the top 10. */
  private static final int FANOUT = 50;

  /** Field layout: name, maxConn (0 = no attributes, defaults), beamWidth. */
  private static final String SMALL = "small"; // maxConn 4
  private static final String LARGE = "large"; // maxConn 48
  private static final String PLAIN = "plain"; // no attributes -> 16/100
  private static final String BYTES = "bytes"; // byte vectors, maxConn 8
  private static final String XS = "xs"; // paired, lambda 0.7, maxConn 16
  private static final String ID = "id";
  private static final String MIXED = "mixed"; // stock field holding e = lambda*p + (1-lambda)*u

  @TempDir Path tmp;

  /** Clustered paired data: p (doc vectors), u (normalised label centroid or zeros). */
  private static final class Data {
    final float[][] p = new float[N][];
    final float[][] u = new float[N][];
    final float[][] small = new float[N][];
    final byte[][] bytes = new byte[N][];
    final float[][] centers;
    final Random random;

    Data(Random random, int numClusters) {
      this.random = random;
      centers = new float[numClusters][];
      for (int c = 0; c < numClusters; c++) {
        centers[c] = normalize(gaussian(random, D, 1f));
      }
      int[] label = new int[N];
      float[][] sums = new float[numClusters][D];
      for (int i = 0; i < N; i++) {
        int c = random.nextInt(numClusters);
        float[] v = gaussian(random, D, 0.35f);
        for (int j = 0; j < D; j++) {
          v[j] += centers[c][j];
        }
        p[i] = normalize(v);
        label[i] = random.nextFloat() < 0.9f ? c : -1;
        if (label[i] >= 0) {
          for (int j = 0; j < D; j++) {
            sums[c][j] += p[i][j];
          }
        }
        small[i] = gaussian(random, SMALL_DIM, 1f);
        bytes[i] = new byte[SMALL_DIM];
        for (int j = 0; j < SMALL_DIM; j++) {
          bytes[i][j] = (byte) (random.nextInt(256) - 128);
        }
      }
      for (int i = 0; i < N; i++) {
        u[i] = label[i] >= 0 ? normalize(sums[label[i]].clone()) : new float[D];
      }
    }

    float[] query() {
      float[] q = gaussian(random, D, 0.35f);
      float[] c = centers[random.nextInt(centers.length)];
      for (int j = 0; j < D; j++) {
        q[j] += c[j];
      }
      return normalize(q);
    }
  }

  @Test
  void perFieldParametersPairedScoringRecallMergeAndCheckIndex() throws Exception {
    Random random = new Random(SEED);
    Data data = new Data(random, 40);
    FieldType smallType =
        Pefa01VectorsFormat.vectorFieldType(SMALL_DIM, VectorSimilarityFunction.EUCLIDEAN, 4, 30);
    FieldType largeType =
        Pefa01VectorsFormat.vectorFieldType(SMALL_DIM, VectorSimilarityFunction.EUCLIDEAN, 48, 200);
    FieldType bytesType =
        Pefa01VectorsFormat.vectorFieldType(
            SMALL_DIM, VectorEncoding.BYTE, VectorSimilarityFunction.EUCLIDEAN, 8, 50);
    FieldType xsType = Pefa01VectorsFormat.pairedFieldType(D, LAMBDA, 16, 100);
    assertEquals(Float.toString(LAMBDA), xsType.getAttributes().get("pefa.xs.lambda"));

    Set<Integer> deleted = new HashSet<>();
    try (Directory dir = FSDirectory.open(tmp.resolve("index"))) {
      // 1. several flushed segments, no merges, then deletions
      IndexWriterConfig iwc =
          new IndexWriterConfig()
              .setCodec(Codec.forName("Pefa01"))
              .setMaxBufferedDocs(700)
              .setRAMBufferSizeMB(IndexWriterConfig.DISABLE_AUTO_FLUSH)
              .setMergePolicy(NoMergePolicy.INSTANCE);
      try (IndexWriter w = new IndexWriter(dir, iwc)) {
        for (int i = 0; i < N; i++) {
          Document doc = new Document();
          doc.add(new IntField(ID, i, Field.Store.NO));
          doc.add(new KnnFloatVectorField(SMALL, data.small[i], smallType));
          doc.add(new KnnFloatVectorField(LARGE, data.small[i], largeType));
          doc.add(
              new KnnFloatVectorField(PLAIN, data.small[i], VectorSimilarityFunction.COSINE));
          doc.add(new KnnByteVectorField(BYTES, data.bytes[i], bytesType));
          doc.add(new KnnFloatVectorField(XS, concat(data.p[i], data.u[i]), xsType));
          doc.add(
              new KnnFloatVectorField(
                  MIXED, mix(data.p[i], data.u[i], LAMBDA), VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT));
          w.addDocument(doc);
        }
        w.commit();
        int[] toDelete = new int[N / 10];
        for (int k = 0; k < toDelete.length; k++) {
          int id;
          do {
            id = random.nextInt(N);
          } while (deleted.add(id) == false);
          toDelete[k] = id;
        }
        w.deleteDocuments(IntField.newSetQuery(ID, toDelete));
        w.commit();
      }
      SegmentInfos infos = SegmentInfos.readLatestCommit(dir);
      assertTrue(infos.size() > 1, "expected several segments, got " + infos.size());
      for (SegmentCommitInfo sci : infos) {
        assertEquals("Pefa01", sci.info.getCodec().getName());
      }
      TestUtil.checkIndex(dir, CheckIndex.Level.MIN_LEVEL_FOR_SLOW_CHECKS, true, false, null);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertPairedScores(reader, data, new float[] {0.3f, LAMBDA, 0f, 1f});
      }

      // 2. reopen with a fresh writer (codec resolved by name) and merge down to one segment
      try (IndexWriter w =
          new IndexWriter(dir, new IndexWriterConfig().setCodec(Codec.forName("Pefa01")))) {
        w.forceMerge(1);
      }
      TestUtil.checkIndex(dir, CheckIndex.Level.MIN_LEVEL_FOR_SLOW_CHECKS, true, false, null);

      // 3. reopen purely by SPI name, check graphs, scores and recall
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(1, reader.leaves().size());
        LeafReader leaf = reader.leaves().get(0).reader();
        assertEquals(N - deleted.size(), leaf.numDocs());
        assertEquals(leaf.numDocs(), leaf.maxDoc(), "forceMerge should have expunged deletes");

        int smallDegree = assertGraph(leaf, SMALL, 4);
        int largeDegree = assertGraph(leaf, LARGE, 48);
        assertGraph(leaf, PLAIN, 16);
        assertGraph(leaf, BYTES, 8);
        assertGraph(leaf, XS, 16);
        assertTrue(smallDegree <= 8, "maxConn=4 field has level-0 degree " + smallDegree);
        assertTrue(
            largeDegree > 8,
            "maxConn=48 field should have nodes with more than 8 neighbours; max=" + largeDegree);

        assertPairedScores(reader, data, new float[] {0.3f, LAMBDA, 0f, 1f});
        double recall = recall(reader, data, deleted, XS, LAMBDA, 50);
        double stock = recall(reader, data, deleted, MIXED, LAMBDA, 50);
        assertTrue(recall >= 0.95, "paired-field top-10 recall " + recall);
        // the paired graph is as good as a stock graph built over e itself
        assertTrue(recall >= stock - 0.02, "paired=" + recall + " stock-over-e=" + stock);
      }
    }
  }

  /**
   * The graph of a paired field must be built over {@code e = lambda*p + (1-lambda)*u}. With
   * lambda = 1 and a large random {@code u}, a graph built over the raw stored vectors (as a stock
   * HNSW field would be) is useless for queries {@code [q, 0]}, while ours is built over {@code p}
   * alone. The control field holds the same vectors without the lambda attribute.
   */
  @Test
  void pairedGraphIsBuiltInTheMixedSpace() throws Exception {
    Random random = new Random(SEED + 1);
    Data data = new Data(random, 40);
    for (int i = 0; i < N; i++) {
      data.u[i] = gaussian(random, D, 3f); // large noise, unrelated to p
    }
    FieldType xsType = Pefa01VectorsFormat.pairedFieldType(D, 1f, 16, 100);
    FieldType rawType =
        Pefa01VectorsFormat.vectorFieldType(
            2 * D, VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT, 16, 100);
    try (Directory dir = FSDirectory.open(tmp.resolve("mixed"))) {
      try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig().setCodec(new Pefa01Codec()))) {
        for (int i = 0; i < N; i++) {
          Document doc = new Document();
          doc.add(new IntField(ID, i, Field.Store.NO));
          float[] v = concat(data.p[i], data.u[i]);
          doc.add(new KnnFloatVectorField(XS, v, xsType));
          doc.add(new KnnFloatVectorField("raw", v, rawType));
          w.addDocument(doc);
        }
        w.forceMerge(1);
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        double mixed = recall(reader, data, Set.of(), XS, 1f, 50);
        double raw = recall(reader, data, Set.of(), "raw", 1f, 50);
        System.out.println("pairedGraphIsBuiltInTheMixedSpace: mixed=" + mixed + " raw=" + raw);
        assertTrue(mixed >= 0.95, "mixed-space graph recall " + mixed);
        assertTrue(
            raw <= mixed - 0.1,
            "control graph over raw vectors should be clearly worse: raw=" + raw + " mixed=" + mixed);
      }
    }
  }

  @Test
  void fieldTypeHelpersRejectBadArguments() {
    assertIae(() -> Pefa01VectorsFormat.pairedFieldType(0, 0.5f, 16, 100), "dim", "0");
    assertIae(() -> Pefa01VectorsFormat.pairedFieldType(1025, 0.5f, 16, 100), "dim", "1025");
    assertIae(() -> Pefa01VectorsFormat.pairedFieldType(8, 1.5f, 16, 100), "lambda", "1.5");
    assertIae(() -> Pefa01VectorsFormat.pairedFieldType(8, -0.1f, 16, 100), "lambda", "-0.1");
    assertIae(() -> Pefa01VectorsFormat.pairedFieldType(8, Float.NaN, 16, 100), "lambda", "NaN");
    assertIae(() -> Pefa01VectorsFormat.pairedFieldType(8, 0.5f, 0, 100), "maxConn", "0");
    assertIae(() -> Pefa01VectorsFormat.pairedFieldType(8, 0.5f, 513, 100), "maxConn", "513");
    assertIae(() -> Pefa01VectorsFormat.pairedFieldType(8, 0.5f, 16, 0), "beamWidth", "0");
    assertIae(() -> Pefa01VectorsFormat.pairedFieldType(8, 0.5f, 16, 3201), "beamWidth", "3201");
    assertIae(
        () -> Pefa01VectorsFormat.vectorFieldType(0, VectorSimilarityFunction.COSINE, 16, 100),
        "dim",
        "0");
    assertIae(
        () -> Pefa01VectorsFormat.vectorFieldType(2049, VectorSimilarityFunction.COSINE, 16, 100),
        "dim",
        "2049");
    assertIae(
        () -> Pefa01VectorsFormat.vectorFieldType(4, VectorSimilarityFunction.COSINE, -1, 100),
        "maxConn",
        "-1");
    assertIae(() -> Pefa01VectorsFormat.vectorFieldType(4, null, 16, 100), "similarity", "null");
    // boundaries are accepted
    assertNotNull(Pefa01VectorsFormat.pairedFieldType(1024, 0f, 512, 3200));
    assertNotNull(Pefa01VectorsFormat.pairedFieldType(1, 1f, 1, 1));
  }

  @Test
  void badAttributeValuesFailIndexingWithClearMessages() throws IOException {
    VectorSimilarityFunction mip = VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    assertBadAttribute("f1", 4, mip, "pefa.hnsw.maxConn", "abc", "decimal integer");
    assertBadAttribute("f2", 4, mip, "pefa.hnsw.maxConn", "0", "[1, 512]");
    assertBadAttribute("f3", 4, mip, "pefa.hnsw.maxConn", "513", "[1, 512]");
    assertBadAttribute("f4", 4, mip, "pefa.hnsw.beamWidth", "3201", "[1, 3200]");
    assertBadAttribute("f5", 4, mip, "pefa.hnsw.beamWidth", " 10", "decimal integer");
    assertBadAttribute("f6", 4, mip, "pefa.xs.lambda", "1.01", "must be in [0,1], got 1.01");
    assertBadAttribute("f7", 4, mip, "pefa.xs.lambda", "half", "not a float");
    assertBadAttribute("f8", 4, mip, "pefa.xs.lambda", "NaN", "must be in [0,1], got NaN");
    assertBadAttribute(
        "f9", 4, VectorSimilarityFunction.DOT_PRODUCT, "pefa.xs.lambda", "0.5", "MAXIMUM_INNER");
    assertBadAttribute("f10", 5, mip, "pefa.xs.lambda", "0.5", "even vector dimension");
  }

  // ---------------------------------------------------------------------------------------------

  private void assertBadAttribute(
      String field,
      int dim,
      VectorSimilarityFunction sim,
      String attribute,
      String value,
      String reason)
      throws IOException {
    FieldType type = new FieldType();
    type.setVectorAttributes(dim, VectorEncoding.FLOAT32, sim);
    type.putAttribute(attribute, value);
    type.freeze();
    try (Directory dir = FSDirectory.open(tmp.resolve("bad-" + field))) {
      IndexWriter w = new IndexWriter(dir, new IndexWriterConfig().setCodec(new Pefa01Codec()));
      try {
        Document doc = new Document();
        doc.add(new KnnFloatVectorField(field, new float[dim], type));
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> w.addDocument(doc));
        String msg = e.getMessage();
        assertTrue(msg.contains("\"" + field + "\""), msg);
        assertTrue(msg.contains(attribute), msg);
        assertTrue(msg.contains("\"" + value + "\""), msg);
        assertTrue(msg.contains(reason), msg);
      } finally {
        w.rollback();
      }
    }
  }

  private static void assertIae(Runnable r, String param, String value) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(param), e.getMessage());
    assertTrue(e.getMessage().contains(value), e.getMessage());
  }

  /** Checks the stored graph's maxConn and returns the maximum level-0 degree. */
  private static int assertGraph(LeafReader leaf, String field, int maxConn) throws IOException {
    KnnVectorsReader vectors = ((CodecReader) leaf).getVectorReader();
    if (vectors instanceof PerFieldKnnVectorsFormat.FieldsReader perField) {
      vectors = perField.getFieldReader(field);
    }
    HnswGraphProvider provider = assertInstanceOf(HnswGraphProvider.class, vectors);
    HnswGraph graph = provider.getGraph(field);
    assertEquals(leaf.maxDoc(), graph.size(), field);
    assertEquals(maxConn, graph.maxConn(), field);
    int maxDegree = 0;
    for (int node = 0; node < graph.size(); node++) {
      graph.seek(0, node);
      maxDegree = Math.max(maxDegree, graph.neighborCount());
    }
    assertTrue(maxDegree > 0, field);
    assertTrue(maxDegree <= 2 * maxConn, field + ": degree " + maxDegree + " > 2*" + maxConn);
    return maxDegree;
  }

  /** Paired-field kNN scores equal the brute-force {@code l*<q,p> + (1-l)*<q,u>}. */
  private static void assertPairedScores(DirectoryReader reader, Data data, float[] lambdas)
      throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    int checked = 0;
    for (float l : lambdas) {
      for (int t = 0; t < 5; t++) {
        float[] q = data.query();
        TopDocs td = searcher.search(new KnnFloatVectorQuery(XS, pairedQuery(q, l), 10), 10);
        assertEquals(10, td.scoreDocs.length);
        for (ScoreDoc sd : td.scoreDocs) {
          int id = idOf(reader, sd.doc);
          double expected = l * dot(q, data.p[id]) + (1 - l) * dot(q, data.u[id]);
          double actual = unscaleMip(sd.score);
          assertEquals(expected, actual, 1e-4 * Math.max(1, Math.abs(expected)), "id=" + id);
          checked++;
        }
      }
    }
    assertEquals(lambdas.length * 5 * 10, checked);
  }

  /** Mean top-10 recall of kNN search on a paired field against brute force over live docs. */
  private static double recall(
      DirectoryReader reader, Data data, Set<Integer> deleted, String field, float l, int queries)
      throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    int k = 10;
    int found = 0;
    long visited = 0;
    for (int t = 0; t < queries; t++) {
      float[] q = data.query();
      Integer[] ids = new Integer[N];
      double[] scores = new double[N];
      for (int i = 0; i < N; i++) {
        ids[i] = i;
        scores[i] =
            deleted.contains(i)
                ? Double.NEGATIVE_INFINITY
                : l * dot(q, data.p[i]) + (1 - l) * dot(q, data.u[i]);
      }
      Arrays.sort(ids, (a, b) -> Double.compare(scores[b], scores[a]));
      Set<Integer> truth = new HashSet<>(Arrays.asList(ids).subList(0, k));
      float[] target = field.equals(MIXED) ? q : pairedQuery(q, l);
      TopDocs td = searcher.search(new KnnFloatVectorQuery(field, target, FANOUT), k);
      visited += td.totalHits.value();
      for (ScoreDoc sd : td.scoreDocs) {
        if (truth.contains(idOf(reader, sd.doc))) {
          found++;
        }
      }
    }
    // make sure the graph was actually searched, not scanned exhaustively
    assertTrue(visited < (long) queries * (N - deleted.size()) / 2, "visited " + visited);
    return found / (double) (queries * k);
  }

  private static int idOf(DirectoryReader reader, int doc) throws IOException {
    List<LeafReaderContext> leaves = reader.leaves();
    LeafReaderContext ctx = leaves.get(ReaderUtil.subIndex(doc, leaves));
    SortedNumericDocValues ids = ctx.reader().getSortedNumericDocValues(ID);
    assertTrue(ids.advanceExact(doc - ctx.docBase));
    return (int) ids.nextValue();
  }

  static float[] mix(float[] p, float[] u, float l) {
    float[] e = new float[p.length];
    for (int j = 0; j < p.length; j++) {
      e[j] = l * p[j] + (1 - l) * u[j];
    }
    return e;
  }

  static float[] pairedQuery(float[] q, float l) {
    float[] t = new float[2 * q.length];
    for (int j = 0; j < q.length; j++) {
      t[j] = l * q[j];
      t[q.length + j] = (1 - l) * q[j];
    }
    return t;
  }

  static double unscaleMip(float score) {
    return score < 1 ? 1 - 1 / (double) score : score - 1;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  static float[] concat(float[] a, float[] b) {
    float[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  static float[] gaussian(Random random, int dim, float scale) {
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = (float) random.nextGaussian() * scale;
    }
    return v;
  }

  static float[] normalize(float[] v) {
    double n = Math.sqrt(dot(v, v));
    if (n > 0) {
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) (v[j] / n);
      }
    }
    return v;
  }
}
