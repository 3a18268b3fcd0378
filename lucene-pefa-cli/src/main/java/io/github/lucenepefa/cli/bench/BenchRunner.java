package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.index.IndexBuilder;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.search.AnnEffort;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * The whole-index benchmark: builds ({@link BenchBuilds}) a stock Lucene index ({@link
 * KnnFloatVectorField} with DOT_PRODUCT) and a PEFA index ({@link
 * io.github.lucenepefa.index.PefaIndexWriter}) of the same vectors, with the same quantization
 * ({@link BenchConfig#quantization()}, {@link StockKnn}), in temporary directories, then times stock
 * {@link KnnFloatVectorQuery} (ERM), PEFA-XS and PEFA-XL at several efSearch values, plus exact
 * references, on one shared query set. Every approximate method is compared with the exact result
 * of the same mode (top-{@code n} overlap).
 *
 * <p>Methods (the {@code method} of a {@link Record}):
 *
 * <ul>
 *   <li>{@code lucene-knn}: stock {@code KnnFloatVectorQuery(field, q, max(ef, n))}, top {@code n};
 *       exact reference: brute force over the document vectors.
 *   <li>{@code pefa-xs}, {@code pefa-xl}: {@link AnnEffort#ef(int)} (the query's automatic choice
 *       of exact scan vs graph per segment and side); {@code pefa-xs-graph}, {@code pefa-xl-graph}:
 *       {@link AnnEffort#graphOnly(int)}; exact reference: the same query with {@link
 *       AnnEffort#EXHAUSTIVE}.
 *   <li>{@code pefa-xs-exhaustive}, {@code pefa-xl-exhaustive}: {@link AnnEffort#EXHAUSTIVE}.
 *   <li>{@code exact-scan-docs}: a plain in-heap scan of the document vectors (top {@code n}).
 *   <li>{@code exact-scan-docs+memory}: a plain in-heap scan of the document vectors (top {@code
 *       n}) and of the memory rows (top {@code k}): the same vectors PEFA-XL reads.
 *   <li>{@code pefa-xl-K<K>}: PEFA-XL at a smaller/larger ERM candidate count {@code K} (at the
 *       first ef; how small K can be at equal quality).
 *   <li>with {@link BenchConfig#bm25Weight()}, the hybrid methods of {@link HybridMethods}.
 * </ul>
 *
 * <p>{@link BenchBuilds} builds the indexes, {@link BenchMethods} makes the methods, {@link
 * BenchTiming} times them; {@link BenchReport} renders the report.
 */
public final class BenchRunner {

  /** Stock index field name. */
  static final String STOCK_FIELD = "vec";

  /** Stock index doc-values field of a document's data index ({@link DocMaps#stock}). */
  static final String STOCK_ORD = "ord";

  /**
   * One measured method at one ANN setting.
   *
   * @param method the method name
   * @param ef efSearch (0 for exact methods)
   * @param topK PEFA-XL's K (0 otherwise)
   * @param latencyMsMean mean single-threaded latency
   * @param latencyMsP99 99th percentile single-threaded latency
   * @param qps queries per second with {@link BenchConfig#threads} threads
   * @param overlapAtN mean |top-n ∩ exact top-n| / n
   * @param nodesVisited mean vectors scored per query (graph nodes visited, or vectors scanned)
   * @param allocBytesPerQuery mean heap bytes allocated per query (single-threaded)
   * @param timedQueries the number of timed queries
   */
  public record Record(
      String method,
      int ef,
      int topK,
      double latencyMsMean,
      double latencyMsP99,
      double qps,
      double overlapAtN,
      double nodesVisited,
      double allocBytesPerQuery,
      int timedQueries) {}

  /**
   * Index build figures.
   *
   * @param index "stock-docs", "stock-memory" or "pefa"; the repeated memory builds are
   *     "stock-memory#r" and "pefa-memory#r" (r = 2, 3, ...), those of {@code --build-forks}
   *     "stock-memory@f" and "pefa-memory@f" (f = 1, 2, ...)
   * @param seconds wall time of the build (adds, flushes, force-merge to one segment, commit)
   * @param phases named phase durations in seconds
   * @param bytes the index size on disk
   * @param fieldBytes vector bytes per field (vectors + graph, off-heap size)
   */
  public record Build(
      String index,
      double seconds,
      Map<String, Double> phases,
      long bytes,
      Map<String, Long> fieldBytes) {}

  /**
   * The whole result.
   *
   * @param dataset data set name
   * @param docs number of documents
   * @param memoryRows number of memory rows
   * @param labels number of labels
   * @param queries number of distinct query vectors
   * @param dim dimension
   * @param simd whether jdk.incubator.vector is present
   * @param javaVersion the JVM, with the heap and VM options it runs with
   * @param cpus the processors available to the JVM
   * @param config the settings
   * @param builds build figures
   * @param heapUsedMb heap used after building and opening both indexes (after GC)
   * @param records the measurements
   */
  public record Report(
      String dataset,
      int docs,
      int memoryRows,
      long labels,
      int queries,
      int dim,
      boolean simd,
      String javaVersion,
      int cpus,
      BenchConfig config,
      List<Build> builds,
      double heapUsedMb,
      List<Record> records) {

    /**
     * @param more builds to add (those of {@code --build-forks})
     * @return this report with {@code more} after its builds
     */
    public Report withBuilds(List<Build> more) {
      List<Build> all = new ArrayList<>(builds);
      all.addAll(more);
      return new Report(
          dataset, docs, memoryRows, labels, queries, dim, simd, javaVersion, cpus, config, all, heapUsedMb, records);
    }
  }

  private final BenchConfig config;
  private final PrintStream log;

  /**
   * @param config settings
   * @param log progress output
   */
  public BenchRunner(BenchConfig config, PrintStream log) {
    this.config = config;
    this.log = log;
  }

  /**
   * @return whether Lucene can use the Panama vector API (module jdk.incubator.vector present)
   */
  public static boolean simdEnabled() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /**
   * Builds both indexes, runs every method and returns the report.
   *
   * @param data the vectors
   * @return the report
   * @throws IOException on I/O errors
   */
  public Report run(BenchData data) throws IOException {
    Files.createDirectories(config.workDir());
    Path work = Files.createTempDirectory(config.workDir(), "pefa-bench-");
    try {
      return run(data, work);
    } finally {
      if (config.keepIndexes() == false) {
        IndexBuilder.deleteTree(work);
      } else {
        log.println("indexes kept under " + work);
      }
    }
  }

  /**
   * Builds the stock memory index and the PEFA memory rows once each, into throw-away indexes, and
   * returns their figures (named "stock-memory@fork" and "pefa-memory@fork"): the work of one
   * process of {@code --build-forks}. Even forks build the stock index first, odd forks PEFA's.
   *
   * @param data the vectors
   * @param fork the fork's number (1, 2, ...)
   * @return the two builds, in build order
   * @throws IOException on I/O errors
   */
  public List<Build> buildMemoryOnce(BenchData data, int fork) throws IOException {
    if (data.rows().isEmpty()) {
      throw new IllegalArgumentException("the data set has no memory rows to build");
    }
    Files.createDirectories(config.workDir());
    Path work = Files.createTempDirectory(config.workDir(), "pefa-bench-fork-");
    try {
      return new BenchBuilds(config, config.quantization(), log).buildMemoryOnce(data, fork, work);
    } finally {
      IndexBuilder.deleteTree(work);
    }
  }

  private Report run(BenchData data, Path work) throws IOException {
    log.printf(
        Locale.ROOT,
        "data %s: %d docs, %d memory rows (%d labels), %d queries, dim %d; SIMD: %s%n",
        data.name(),
        data.docs().length,
        data.rows().size(),
        data.labelCount(),
        data.queries().length,
        data.dim(),
        simdEnabled() ? "on" : "off");
    List<Build> builds = new ArrayList<>();
    BenchBuilds builder = new BenchBuilds(config, config.quantization(), log);
    PefaSchema schema = builder.schema(data);
    try (Directory stockDocsDir = FSDirectory.open(work.resolve("stock-docs"));
        Directory stockMemDir = FSDirectory.open(work.resolve("stock-memory"));
        Directory pefaDir = FSDirectory.open(work.resolve("pefa"))) {
      builds.add(
          builder.buildStock("stock-docs", stockDocsDir, data.docs(), data.docTexts(), work.resolve("stock-docs")));
      boolean stockMemory = data.rows().isEmpty() == false && config.stockMemory();
      float[][] rowVectors = BenchBuilds.rowVectors(data);
      if (stockMemory) {
        builds.add(builder.buildStock("stock-memory", stockMemDir, rowVectors, work.resolve("stock-memory")));
      }
      builds.add(builder.buildPefa(schema, pefaDir, data, work.resolve("pefa")));
      if (stockMemory) {
        builder.repeatMemoryBuilds(schema, data, rowVectors, work, builds);
      }
      // the size table of pefa index: every PEFA field, next to stock float and int8 indexes
      log.print(
          io.github.lucenepefa.cli.index.SizeTable.build(
              work.resolve("pefa"), schema, config.maxConn(), config.beamWidth(), true));
      try (DirectoryReader stockReader = DirectoryReader.open(stockDocsDir);
          DirectoryReader stockMemReader = stockMemory ? DirectoryReader.open(stockMemDir) : null;
          DirectoryReader pefaReader = DirectoryReader.open(pefaDir)) {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        double heapUsedMb = (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
        BenchBuilds.addFieldSizes(builds, stockReader, pefaReader, schema);
        IndexSearcher stock = new IndexSearcher(stockReader);
        stock.setQueryCache(null);
        IndexSearcher pefa = new IndexSearcher(pefaReader);
        pefa.setQueryCache(null);
        HybridMethods.setSimilarity(stock, pefa);
        IndexSearcher stockMem = stockMemReader == null ? null : new IndexSearcher(stockMemReader);
        if (stockMem != null) {
          stockMem.setQueryCache(null);
        }
        // the same readers behind searchers with an executor (as concurrent segment search uses)
        java.util.concurrent.ExecutorService pool =
            java.util.concurrent.Executors.newFixedThreadPool(config.threads());
        List<Record> records;
        try {
          IndexSearcher stockExec = new IndexSearcher(stockReader, pool);
          stockExec.setQueryCache(null);
          IndexSearcher pefaExec = new IndexSearcher(pefaReader, pool);
          pefaExec.setQueryCache(null);
          List<BenchMethod> methods = new ArrayList<>();
          BenchMethods all = new BenchMethods(config);
          for (BenchMethod m : all.methods(data, rowVectors, schema, stock, stockMem, pefa, stockExec, pefaExec)) {
            if (config.only() == null || m.name().matches(config.only())) {
              methods.add(m);
            }
          }
          records = new BenchTiming(config, log).measureAll(methods, data.queries());
        } finally {
          pool.shutdownNow();
        }
        for (Record r : records) {
          log.printf(
              Locale.ROOT,
              "  %-24s ef %4d K %4d  mean %8.3f ms  p99 %8.3f ms  qps %9.1f  overlap %.4f  visited %9.0f  alloc %9.0f B%n",
              r.method(),
              r.ef(),
              r.topK(),
              r.latencyMsMean(),
              r.latencyMsP99(),
              r.qps(),
              r.overlapAtN(),
              r.nodesVisited(),
              r.allocBytesPerQuery());
        }
        return new Report(
            data.name(),
            data.docs().length,
            data.rows().size(),
            data.labelCount(),
            data.queries().length,
            data.dim(),
            simdEnabled(),
            jvmDescription(),
            Runtime.getRuntime().availableProcessors(),
            config,
            builds,
            heapUsedMb,
            records);
      }
    }
  }

  /**
   * The JVM and the heap and VM options it runs with: build times depend on them (a heap that is not
   * committed and touched at start pays page faults during the builds; docs/performance.md).
   */
  static String jvmDescription() {
    String jvm = System.getProperty("java.vm.name") + " " + Runtime.version();
    List<String> options =
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("-Xm") || a.startsWith("-Xs") || a.startsWith("-XX:"))
            .toList();
    return options.isEmpty() ? jvm : jvm + " (" + String.join(" ", options) + ")";
  }

  /** Nanoseconds in seconds. */
  static double secs(long nanos) {
    return nanos / 1e9;
  }
}
