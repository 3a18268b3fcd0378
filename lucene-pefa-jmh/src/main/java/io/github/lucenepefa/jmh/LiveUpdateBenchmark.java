package io.github.lucenepefa.jmh;

import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.index.PefaDirectoryReader;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
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
 * What one live update costs at 100k documents (and 100k memory rows): adding one training pair
 * that labels an existing document, until a reader sees it — the writer's flush (find the row and
 * the rows labelling the document through their terms, re-index that one document with its new
 * PEFA-XS vector, one atomic Lucene update) and the near-real-time reopen. The stock line is Lucene
 * updating one document of a 100k-vector index and reopening, in the same run.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -jar lucene-pefa-jmh/target/benchmarks.jar
 * LiveUpdateBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class LiveUpdateBenchmark {

  /** Documents. */
  @Param({"100000"})
  public int docs;

  /** Training-memory rows (one label each). */
  @Param({"100000"})
  public int rows;

  /** Dimension. */
  @Param({"384"})
  public int dim;

  private Path tmp;
  private Directory pefaDir, stockDir;
  private PefaIndexWriter pefa;
  private IndexWriter stock;
  private DirectoryReader pefaReader, stockReader;
  private SplittableRandom random;
  private float[][] centres;
  private long next;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    random = new SplittableRandom(42);
    centres = new float[64][];
    for (int i = 0; i < centres.length; i++) {
      centres[i] = vector(1f, null);
    }
    tmp = Files.createTempDirectory("pefa-live-update");
    pefaDir = FSDirectory.open(tmp.resolve("pefa"));
    stockDir = FSDirectory.open(tmp.resolve("stock"));
    PefaSchema schema = PefaSchema.builder(dim).build();
    IndexWriter lucene =
        new IndexWriter(pefaDir, new IndexWriterConfig().setCodec(new Pefa01Codec()).setRAMBufferSizeMB(256));
    pefa = new PefaIndexWriter(lucene, schema, docs + rows + 1, 2);
    for (int r = 0; r < rows; r++) {
      pefa.addTrainingPair("q" + r, vector(0.5f, centres), "d" + random.nextInt(docs));
    }
    for (int d = 0; d < docs; d++) {
      pefa.addDocument("d" + d, vector(0.5f, centres));
    }
    pefa.commit();
    pefaReader = PefaDirectoryReader.open(pefa);
    stock = new IndexWriter(stockDir, new IndexWriterConfig().setRAMBufferSizeMB(256));
    for (int d = 0; d < docs; d++) {
      stock.addDocument(stockDoc("d" + d));
    }
    stock.commit();
    stockReader = DirectoryReader.open(stock);
  }

  private Document stockDoc(String key) {
    Document doc = new Document();
    doc.add(new StringField("key", key, Field.Store.YES));
    doc.add(new KnnFloatVectorField("v", vector(0.5f, centres), VectorSimilarityFunction.DOT_PRODUCT));
    return doc;
  }

  private float[] vector(float noise, float[][] around) {
    float[] v = new float[dim];
    float[] c = around == null ? null : around[random.nextInt(around.length)];
    for (int i = 0; i < dim; i++) {
      double g = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
      v[i] = (c == null ? 0 : c[i]) + noise * (float) g / (float) Math.sqrt(dim);
    }
    return PefaVectors.normalize(v);
  }

  /** One new training pair labelling an existing document, flushed (re-indexes that document). */
  @Benchmark
  public void pefaAddPairAndFlush() throws IOException {
    pefa.addTrainingPair("live" + next++, vector(0.5f, centres), "d" + random.nextInt(docs));
    pefa.flush();
  }

  /** One new training pair, visible to search: flush and near-real-time reopen. */
  @Benchmark
  public DirectoryReader pefaAddPairAndReopen() throws IOException {
    pefa.addTrainingPair("live" + next++, vector(0.5f, centres), "d" + random.nextInt(docs));
    DirectoryReader newer = DirectoryReader.openIfChanged(pefaReader);
    if (newer != null) {
      pefaReader.close();
      pefaReader = newer;
    }
    return pefaReader;
  }

  /** Stock Lucene: one document updated, visible to search (near-real-time reopen). */
  @Benchmark
  public DirectoryReader stockUpdateDocumentAndReopen() throws IOException {
    String key = "d" + random.nextInt(docs);
    stock.updateDocument(new Term("key", key), stockDoc(key));
    DirectoryReader newer = DirectoryReader.openIfChanged(stockReader);
    if (newer != null) {
      stockReader.close();
      stockReader = newer;
    }
    return stockReader;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    pefaReader.close();
    stockReader.close();
    pefa.close();
    pefa.indexWriter().close();
    stock.close();
    pefaDir.close();
    stockDir.close();
    try (Stream<Path> files = Files.walk(tmp)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
