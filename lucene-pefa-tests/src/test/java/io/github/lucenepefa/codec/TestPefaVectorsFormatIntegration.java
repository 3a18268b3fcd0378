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
 * parameters, scoring and recall, reopening by SPI name, merging with deletions,
 * CheckIndex, and attribute validation.
 */
class TestPefaVectorsFormatIntegration {

  private static final long SEED = Long.getLong("pefa.test.seed", 20240304L);

  private static final int N = 2000;
  private static final int D = 32; // dimension of p, u and e
  private static final int SMALL_DIM = 16;
  private static final float LAMBDA = 0.7f;
  /** kNN queries collect this many candidates (the HNSW beam) and recall is measured on the top 10. */
  private static final int FANOUT = 50;

  /** Field layout: name, maxConn (0 = no attributes, defaults), beamWidth. */
  private static final String SMALL = "small"; // maxConn 4
  private static final String LARGE = "large"; // maxConn 48
  private static final String PLAIN = "plain"; // no attributes -> 16/100
  private static final String BYTES = "bytes"; // byte vectors, maxConn 8
  private static final String ID = "id";
  private static final String MIXED = "mixed"; // stock field holding e = lambda*p + (1-lambda)*u

  @TempDir Path tmp;

  /** Clustered data: p (doc vectors), u (normalised label centroid or zeros). */
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
  void perFieldParametersScoringRecallMergeAndCheckIndex() throws Exception {
    Random random = new Random(SEED);
    Data data = new Data(random, 40);
    FieldType smallType =
        Pefa01VectorsFormat.vectorFieldType(SMALL_DIM, VectorSimilarityFunction.EUCLIDEAN, 4, 30);
    FieldType largeType =
        Pefa01VectorsFormat.vectorFieldType(SMALL_DIM, VectorSimilarityFunction.EUCLIDEAN, 48, 200);
    FieldType bytesType =
        Pefa01VectorsFormat.vectorFieldType(
            SMALL_DIM, VectorEncoding.BYTE, VectorSimilarityFunction.EUCLIDEAN, 8, 50);

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
        assertMixedScores(reader, data);
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
        assertGraph(leaf, MIXED, 16);
        assertTrue(smallDegree <= 8, "maxConn=4 field has level-0 degree " + smallDegree);
        assertTrue(
            largeDegree > 8,
            "maxConn=48 field should have nodes with more than 8 neighbours; max=" + largeDegree);

        assertMixedScores(reader, data);
        double recall = recall(reader, data, deleted, MIXED, LAMBDA, 50);
        assertTrue(recall >= 0.95, "top-10 recall " + recall);
      }
    }
  }

  @Test
  void fieldTypeHelpersRejectBadArguments() {
    VectorSimilarityFunction mip = VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    assertIae(() -> Pefa01VectorsFormat.vectorFieldType(8, mip, 0, 100), "maxConn", "0");
    assertIae(() -> Pefa01VectorsFormat.vectorFieldType(8, mip, 513, 100), "maxConn", "513");
    assertIae(() -> Pefa01VectorsFormat.vectorFieldType(8, mip, 16, 0), "beamWidth", "0");
    assertIae(() -> Pefa01VectorsFormat.vectorFieldType(8, mip, 16, 3201), "beamWidth", "3201");
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
    assertNotNull(Pefa01VectorsFormat.vectorFieldType(2048, mip, 512, 3200));
    assertNotNull(Pefa01VectorsFormat.vectorFieldType(1, mip, 1, 1));
  }

  @Test
  void badAttributeValuesFailIndexingWithClearMessages() throws IOException {
    VectorSimilarityFunction mip = VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    assertBadAttribute("f1", 4, mip, "pefa.hnsw.maxConn", "abc", "decimal integer");
    assertBadAttribute("f2", 4, mip, "pefa.hnsw.maxConn", "0", "[1, 512]");
    assertBadAttribute("f3", 4, mip, "pefa.hnsw.maxConn", "513", "[1, 512]");
    assertBadAttribute("f4", 4, mip, "pefa.hnsw.beamWidth", "3201", "[1, 3200]");
    assertBadAttribute("f5", 4, mip, "pefa.hnsw.beamWidth", " 10", "decimal integer");
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

  /** kNN scores of the field holding {@code e} equal the brute-force {@code <q,e>}. */
  private static void assertMixedScores(DirectoryReader reader, Data data) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    int checked = 0;
    for (int t = 0; t < 5; t++) {
      float[] q = data.query();
      TopDocs td = searcher.search(new KnnFloatVectorQuery(MIXED, q, 10), 10);
      assertEquals(10, td.scoreDocs.length);
      for (ScoreDoc sd : td.scoreDocs) {
        int id = idOf(reader, sd.doc);
        double expected = dot(q, mix(data.p[id], data.u[id], LAMBDA));
        double actual = unscaleMip(sd.score);
        assertEquals(expected, actual, 1e-4 * Math.max(1, Math.abs(expected)), "id=" + id);
        checked++;
      }
    }
    assertEquals(5 * 10, checked);
  }

  /** Mean top-10 recall of kNN search on a field holding {@code e} against brute force over live docs. */
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
      TopDocs td = searcher.search(new KnnFloatVectorQuery(field, q, FANOUT), k);
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
