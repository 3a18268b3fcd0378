package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.index.Bm25Settings;
import io.github.lucenepefa.cli.index.IndexBuilder;
import io.github.lucenepefa.cli.progress.ProgressBar;
import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * The index builds of {@code pefa bench}: a stock Lucene index of a set of vectors (one {@link
 * KnnFloatVectorField} with DOT_PRODUCT per document, {@link StockKnn#format} of the quantization)
 * and a PEFA index ({@link PefaIndexWriter}) of the bench data, each timed by phase, with the same
 * graph parameters, quantization and indexing threads. When the data has texts, the PEFA index and
 * the stock index of the documents also hold the BM25 text field of every document, as {@code pefa
 * index} writes it ({@link Bm25Settings}).
 */
final class BenchBuilds {

  private final BenchConfig config;
  private final PefaQuantization quantization;
  private final PrintStream log;

  /**
   * @param config the bench settings (graph parameters, RAM buffer, threads, force merge, repeats)
   * @param quantization the quantization of every graph, stock and PEFA
   * @param log progress output
   */
  BenchBuilds(BenchConfig config, PefaQuantization quantization, PrintStream log) {
    this.config = config;
    this.quantization = quantization;
    this.log = log;
  }

  /** The PEFA index layout of the bench: its graph parameters, XS storage and quantization. */
  PefaSchema schema(BenchData data) {
    return PefaSchema.builder(data.dim())
        .xsLambda(config.xsLambda())
        .hnsw(config.maxConn(), config.beamWidth())
        .xsHnsw(config.xsMaxConn(), config.beamWidth())
        .xsAnyLambda(config.xsAnyLambda())
        .quantization(quantization)
        .build();
  }

  /** The memory rows' vectors, in row order. */
  static float[][] rowVectors(BenchData data) {
    float[][] rowVectors = new float[data.rows().size()][];
    for (int i = 0; i < rowVectors.length; i++) {
      rowVectors[i] = data.rows().get(i).vector();
    }
    return rowVectors;
  }

  /**
   * Builds the stock memory index and the PEFA memory rows once each, into throw-away indexes under
   * {@code work}, and returns their figures (named "stock-memory@fork" and "pefa-memory@fork"): the
   * work of one process of {@code --build-forks}. Even forks build the stock index first, odd forks
   * PEFA's.
   */
  List<BenchRunner.Build> buildMemoryOnce(BenchData data, int fork, Path work) throws IOException {
    List<BenchRunner.Build> builds = new ArrayList<>();
    float[][] rowVectors = rowVectors(data);
    PefaSchema schema = schema(data);
    for (int side = 0; side < 2; side++) {
      boolean stockSide = (side == 0) == (fork % 2 == 0);
      String name = (stockSide ? "stock-memory@" : "pefa-memory@") + fork;
      Path path = work.resolve(name.replace('@', '-'));
      try (Directory dir = FSDirectory.open(path)) {
        builds.add(
            stockSide
                ? buildStock(name, dir, rowVectors, path)
                : buildPefaMemoryRows(name, schema, dir, data, path));
      }
      IndexBuilder.deleteTree(path);
    }
    return builds;
  }

  private IndexWriterConfig writerConfig() {
    return writerConfig(false);
  }

  /**
   * The writer configuration of a build; with {@code text}, that of the BM25 text field as {@code pefa
   * index} writes it ({@link Bm25Settings#DEFAULT}: EnglishAnalyzer, BM25 k1 0.9 b 0.4).
   */
  private IndexWriterConfig writerConfig(boolean text) {
    IndexWriterConfig iwc = text ? Bm25Settings.DEFAULT.writerConfig() : new IndexWriterConfig();
    return iwc.setRAMBufferSizeMB(config.ramBufferMb());
  }

  /** The executor of a build's graph merges with --index-threads above 1, else null. */
  private java.util.concurrent.ExecutorService mergeExecutor() {
    return config.indexThreads() > 1
        ? java.util.concurrent.Executors.newFixedThreadPool(config.indexThreads())
        : null;
  }

  private static void shutdown(java.util.concurrent.ExecutorService exec) {
    if (exec != null) {
      exec.shutdownNow();
    }
  }

  BenchRunner.Build buildStock(String name, Directory dir, float[][] vectors, Path path)
      throws IOException {
    return buildStock(name, dir, vectors, null, path);
  }

  /**
   * A stock index of {@code vectors}; with {@code texts} (one per vector), each document also has the
   * BM25 text field, as a Lucene user's index of vectors and text has ({@link Bm25Settings}).
   */
  BenchRunner.Build buildStock(String name, Directory dir, float[][] vectors, String[] texts, Path path)
      throws IOException {
    log.printf(Locale.ROOT, "building %s (%d vectors)...%n", name, vectors.length);
    long t0 = System.nanoTime();
    // stock Lucene's own HNSW format (quantized as the PEFA graphs are), with the same graph
    // parameters; with --index-threads N, each graph of a merge is built on N threads (as PEFA's)
    java.util.concurrent.ExecutorService mergeExec = mergeExecutor();
    org.apache.lucene.codecs.KnnVectorsFormat hnsw =
        StockKnn.format(quantization, config.maxConn(), config.beamWidth(), config.indexThreads(), mergeExec);
    IndexWriterConfig iwc =
        writerConfig(texts != null)
            .setCodec(
                new org.apache.lucene.codecs.lucene104.Lucene104Codec() {
                  @Override
                  public org.apache.lucene.codecs.KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                    return hnsw;
                  }
                });
    try (IndexWriter w = new IndexWriter(dir, iwc);
        java.io.Closeable shutdown = () -> shutdown(mergeExec)) {
      try (ProgressBar bar = new ProgressBar(name, vectors.length, "vectors")) {
        forEachInThreads(
            vectors.length,
            i -> {
              Document d = new Document();
              d.add(new KnnFloatVectorField(BenchRunner.STOCK_FIELD, vectors[i], VectorSimilarityFunction.DOT_PRODUCT));
              d.add(new NumericDocValuesField(BenchRunner.STOCK_ORD, i));
              if (texts != null) {
                d.add(Bm25Settings.textField(texts[i]));
              }
              w.addDocument(d);
              bar.step();
            });
      }
      long t1 = System.nanoTime();
      if (config.forceMerge()) {
        w.forceMerge(1);
      }
      long t2 = System.nanoTime();
      w.commit();
      long t3 = System.nanoTime();
      Map<String, Double> phases = new LinkedHashMap<>();
      phases.put("add", BenchRunner.secs(t1 - t0));
      if (config.forceMerge()) {
        phases.put("force_merge", BenchRunner.secs(t2 - t1));
      }
      phases.put("commit", BenchRunner.secs(t3 - t2));
      double total = BenchRunner.secs(t3 - t0);
      log.printf(Locale.ROOT, "  %s built in %.2f s %s%n", name, total, phases);
      return new BenchRunner.Build(name, total, phases, dirBytes(path), new LinkedHashMap<>());
    }
  }

  BenchRunner.Build buildPefa(PefaSchema schema, Directory dir, BenchData data, Path path)
      throws IOException {
    log.printf(Locale.ROOT, "building pefa (%d rows, %d docs)...%n", data.rows().size(), data.docs().length);
    java.util.concurrent.ExecutorService mergeExec = mergeExecutor();
    IndexWriterConfig iwc =
        writerConfig(data.hasText())
            .setCodec(
                // flushes store vectors only when a force merge builds the graphs after them
                config.forceMerge()
                    ? Pefa01Codec.forBulkLoad(config.indexThreads(), mergeExec)
                    : mergeExec == null
                        ? new Pefa01Codec()
                        : new Pefa01Codec(config.indexThreads(), mergeExec));
    long t0 = System.nanoTime();
    try (IndexWriter iw = new IndexWriter(dir, iwc);
        java.io.Closeable shutdown = () -> shutdown(mergeExec)) {
      // one buffer for all documents (flushed below, not by the last add): one read of the memory
      // for their XS vectors
      PefaIndexWriter pw = new PefaIndexWriter(iw, schema, data.docs().length + 1, config.indexThreads());
      writeMemoryRows(pw, iw, data, "pefa memory rows");
      long t1 = System.nanoTime();
      for (int i = 0; i < data.docs().length; i++) {
        if (data.hasText()) {
          pw.addDocument(data.keys()[i], data.docs()[i], List.of(Bm25Settings.textField(data.docTexts()[i])));
        } else {
          pw.addDocument(data.keys()[i], data.docs()[i]);
        }
      }
      try (ProgressBar bar = new ProgressBar("pefa docs", data.docs().length, "docs")) {
        pw.setWriteListener(
            new PefaIndexWriter.WriteListener() {
              @Override
              public void documentWritten() {
                bar.step();
              }
            });
        pw.flush();
        iw.flush();
      }
      pw.setWriteListener(null);
      long t2 = System.nanoTime();
      if (config.forceMerge()) {
        iw.forceMerge(1);
      }
      long t3 = System.nanoTime();
      pw.commit();
      pw.close();
      long t4 = System.nanoTime();
      Map<String, Double> phases = new LinkedHashMap<>();
      phases.put("memory_rows", BenchRunner.secs(t1 - t0));
      phases.put("docs", BenchRunner.secs(t2 - t1));
      if (config.forceMerge()) {
        phases.put("force_merge", BenchRunner.secs(t3 - t2));
      }
      phases.put("commit", BenchRunner.secs(t4 - t3));
      double total = BenchRunner.secs(t4 - t0);
      log.printf(Locale.ROOT, "  pefa built in %.2f s %s%n", total, phases);
      return new BenchRunner.Build("pefa", total, phases, dirBytes(path), new LinkedHashMap<>());
    }
  }

  /** Adds every memory row and flushes them to a segment (the "memory_rows" phase). */
  private static void writeMemoryRows(PefaIndexWriter pw, IndexWriter iw, BenchData data, String label)
      throws IOException {
    for (BenchData.Row row : data.rows()) {
      Map<String, Float> labels = new LinkedHashMap<>();
      for (int j = 0; j < row.docs().length; j++) {
        labels.merge(data.keys()[row.docs()[j]], row.weights()[j], Float::sum);
      }
      pw.addTrainingQuery(row.rowId(), row.vector(), labels);
    }
    try (ProgressBar bar = new ProgressBar(label, data.rows().size(), "rows")) {
      pw.setWriteListener(
          new PefaIndexWriter.WriteListener() {
            @Override
            public void rowWritten() {
              bar.step();
            }
          });
      pw.flush();
      iw.flush();
    }
    pw.setWriteListener(null);
  }

  /**
   * Builds the stock memory index and the PEFA memory rows {@code buildRepeats - 1} more times
   * into throw-away indexes, alternating which goes first, and adds their figures to {@code builds}.
   */
  void repeatMemoryBuilds(
      PefaSchema schema, BenchData data, float[][] rowVectors, Path work, List<BenchRunner.Build> builds)
      throws IOException {
    for (int r = 2; r <= config.buildRepeats(); r++) {
      for (int side = 0; side < 2; side++) {
        boolean stockSide = (side == 0) == (r % 2 == 1);
        String name = (stockSide ? "stock-memory#" : "pefa-memory#") + r;
        Path path = work.resolve(name.replace('#', '-'));
        try (Directory dir = FSDirectory.open(path)) {
          builds.add(
              stockSide
                  ? buildStock(name, dir, rowVectors, path)
                  : buildPefaMemoryRows(name, schema, dir, data, path));
        }
        IndexBuilder.deleteTree(path);
      }
    }
  }

  /** A PEFA index of the memory rows only, timed as the "memory_rows" phase of the full build. */
  BenchRunner.Build buildPefaMemoryRows(String name, PefaSchema schema, Directory dir, BenchData data, Path path)
      throws IOException {
    log.printf(Locale.ROOT, "building %s (%d rows)...%n", name, data.rows().size());
    try (IndexWriter iw = new IndexWriter(dir, writerConfig().setCodec(new Pefa01Codec()))) {
      PefaIndexWriter pw = new PefaIndexWriter(iw, schema, data.docs().length + 1, config.indexThreads());
      long t0 = System.nanoTime();
      writeMemoryRows(pw, iw, data, name);
      double seconds = BenchRunner.secs(System.nanoTime() - t0);
      log.printf(Locale.ROOT, "  %s built in %.2f s%n", name, seconds);
      Map<String, Double> phases = new LinkedHashMap<>();
      phases.put("memory_rows", seconds);
      return new BenchRunner.Build(name, seconds, phases, dirBytes(path), new LinkedHashMap<>());
    }
  }

  private interface IndexAction {
    void run(int i) throws IOException;
  }

  /** Runs {@code action(0..count-1)} split into contiguous runs over the index threads. */
  private void forEachInThreads(int count, IndexAction action) throws IOException {
    int threads = Math.max(1, Math.min(config.indexThreads(), count));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<?>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int from = (int) ((long) count * t / threads);
        int to = (int) ((long) count * (t + 1) / threads);
        parts.add(
            pool.submit(
                () -> {
                  for (int i = from; i < to; i++) {
                    action.run(i);
                  }
                  return null;
                }));
      }
      for (java.util.concurrent.Future<?> f : parts) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while indexing");
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new RuntimeException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** The bytes of the files under {@code dir}. */
  static long dirBytes(Path dir) throws IOException {
    long total = 0;
    try (var s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          total += Files.size(p);
        }
      }
    }
    return total;
  }

  /**
   * Adds to the builds of the stock documents and of the PEFA index the vector bytes of each of
   * their vector fields (vectors + graph, off-heap size), read from the opened indexes.
   */
  static void addFieldSizes(
      List<BenchRunner.Build> builds, DirectoryReader stock, DirectoryReader pefa, PefaSchema schema)
      throws IOException {
    for (BenchRunner.Build b : builds) {
      switch (b.index()) {
        case "stock-docs" -> b.fieldBytes().putAll(fieldBytes(stock, List.of(BenchRunner.STOCK_FIELD)));
        case "pefa" ->
            b.fieldBytes()
                .putAll(
                    fieldBytes(
                        pefa,
                        java.util.stream.Stream.of(
                                schema.ermField(),
                                schema.xsVectorField(),
                                schema.memoryField())
                            .filter(java.util.Objects::nonNull)
                            .toList()));
        default -> {}
      }
    }
  }

  private static Map<String, Long> fieldBytes(DirectoryReader reader, List<String> fields)
      throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String f : fields) {
      long total = 0;
      for (LeafReaderContext ctx : reader.leaves()) {
        if (ctx.reader() instanceof CodecReader cr) {
          FieldInfo fi = cr.getFieldInfos().fieldInfo(f);
          KnnVectorsReader vr = cr.getVectorReader();
          if (fi != null && vr != null && fi.getVectorDimension() > 0) {
            for (long v : vr.getOffHeapByteSize(fi).values()) {
              total += v;
            }
          }
        }
      }
      out.put(f, total);
    }
    return out;
  }
}
