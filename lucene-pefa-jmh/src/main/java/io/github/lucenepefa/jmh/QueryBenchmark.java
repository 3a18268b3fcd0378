package io.github.lucenepefa.jmh;

import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.PefaQuery;
import java.io.IOException;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.VectorUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One query against a small single-segment index: stock {@link KnnFloatVectorQuery}, PEFA-XS and
 * PEFA-XL with graph-only, automatic and exhaustive effort, and a plain in-heap exact scan. The
 * whole-index comparison is {@code pefa bench}; this isolates the per-query code paths.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class QueryBenchmark {

  /** Documents. */
  @Param({"5000"})
  public int docs;

  /** Training-memory rows. */
  @Param({"20000"})
  public int rows;

  /** Dimension. */
  @Param({"384"})
  public int dim;

  /** efSearch. */
  @Param({"100"})
  public int ef;

  /** Results per query. */
  @Param({"100"})
  public int n;

  private static final int QUERIES = 256;

  private Directory stockDir;
  private Directory pefaDir;
  private DirectoryReader stockReader;
  private DirectoryReader pefaReader;
  private IndexSearcher stock;
  private IndexSearcher pefa;
  private PefaSchema schema;
  private float[][] docVectors;
  private float[][] rowVectors;
  private float[][] queries;
  private int next;

  /** Builds both indexes (one segment each). */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    SplittableRandom rnd = new SplittableRandom(42);
    int clusters = (int) Math.max(1, Math.sqrt(docs));
    float[][] centres = new float[clusters][];
    for (int c = 0; c < clusters; c++) {
      centres[c] = near(rnd, new float[dim], 1f);
    }
    docVectors = new float[docs][];
    for (int i = 0; i < docs; i++) {
      docVectors[i] = near(rnd, centres[rnd.nextInt(clusters)], 0.9f);
    }
    rowVectors = new float[rows][];
    schema = PefaSchema.builder(dim).build();
    stockDir = new ByteBuffersDirectory();
    try (IndexWriter w = new IndexWriter(stockDir, new IndexWriterConfig())) {
      for (float[] v : docVectors) {
        Document d = new Document();
        d.add(new KnnFloatVectorField("vec", v, VectorSimilarityFunction.DOT_PRODUCT));
        w.addDocument(d);
      }
      w.forceMerge(1);
    }
    pefaDir = new ByteBuffersDirectory();
    IndexWriterConfig iwc = new IndexWriterConfig().setCodec(new io.github.lucenepefa.codec.Pefa01Codec());
    try (IndexWriter iw = new IndexWriter(pefaDir, iwc)) {
      PefaIndexWriter pw = new PefaIndexWriter(iw, schema);
      for (int r = 0; r < rows; r++) {
        int d = rnd.nextInt(docs);
        rowVectors[r] = near(rnd, docVectors[d], 0.7f);
        pw.addTrainingQuery("r" + r, rowVectors[r], Map.of("d" + d, 1f));
      }
      for (int i = 0; i < docs; i++) {
        pw.addDocument("d" + i, docVectors[i]);
      }
      pw.flush();
      iw.forceMerge(1);
      pw.commit();
    }
    queries = new float[QUERIES][];
    for (int q = 0; q < QUERIES; q++) {
      queries[q] = near(rnd, docVectors[rnd.nextInt(docs)], 0.7f);
    }
    stockReader = DirectoryReader.open(stockDir);
    pefaReader = DirectoryReader.open(pefaDir);
    stock = new IndexSearcher(stockReader);
    stock.setQueryCache(null);
    pefa = new IndexSearcher(pefaReader);
    pefa.setQueryCache(null);
  }

  /** Closes the indexes. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    stockReader.close();
    pefaReader.close();
    stockDir.close();
    pefaDir.close();
  }

  private static float[] near(SplittableRandom rnd, float[] base, float noise) {
    float[] v = new float[base.length];
    float scale = (float) (noise / Math.sqrt(base.length));
    for (int t = 0; t < v.length; t++) {
      double g = Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
      v[t] = base[t] + scale * (float) g;
    }
    return PefaVectors.normalize(v);
  }

  private float[] query() {
    return queries[(next++) & (QUERIES - 1)];
  }

  private TopDocs xl(AnnEffort effort) throws IOException {
    Query q = PefaQuery.xl(schema, query(), n).effort(effort).build();
    return pefa.search(q, n);
  }

  private TopDocs xs(AnnEffort effort) throws IOException {
    Query q = PefaQuery.xs(schema, query(), n).effort(effort).build();
    return pefa.search(q, n);
  }

  /** Stock Lucene kNN, k = max(ef, n). */
  @Benchmark
  public TopDocs luceneKnn() throws IOException {
    return stock.search(new KnnFloatVectorQuery("vec", query(), Math.max(ef, n)), n);
  }

  /** PEFA-XS, graph only. */
  @Benchmark
  public TopDocs pefaXsGraph() throws IOException {
    return xs(AnnEffort.graphOnly(ef));
  }

  /** PEFA-XL, graph only. */
  @Benchmark
  public TopDocs pefaXlGraph() throws IOException {
    return xl(AnnEffort.graphOnly(ef));
  }

  /** PEFA-XL, automatic exact-or-graph choice. */
  @Benchmark
  public TopDocs pefaXlAuto() throws IOException {
    return xl(AnnEffort.ef(ef));
  }

  /** PEFA-XL, exhaustive. */
  @Benchmark
  public TopDocs pefaXlExhaustive() throws IOException {
    return xl(AnnEffort.EXHAUSTIVE);
  }

  /** Plain in-heap exact scan of docs and memory rows (dot products only, no top-k). */
  @Benchmark
  public float exactScanDocsAndMemory() {
    float[] q = query();
    float best = Float.NEGATIVE_INFINITY;
    for (float[] v : docVectors) {
      best = Math.max(best, VectorUtil.dotProduct(q, v));
    }
    for (float[] v : rowVectors) {
      best = Math.max(best, VectorUtil.dotProduct(q, v));
    }
    return best;
  }
}
