package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.index.IndexBuilder;
import io.github.lucenepefa.cli.progress.ProgressBar;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.PefaQuery;
import io.github.lucenepefa.search.VectorSearchCost;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.knn.KnnCollectorManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;

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
 */
public final class BenchRunner {

  /** Stock index field name. */
  static final String STOCK_FIELD = "vec";

  static final String STOCK_ORD = "ord";

  /** Memory-side beams timed for PEFA-XL (graph only), below the main ef. */
  static final int[] MEMORY_EFS = {16, 24, 32, 50};

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

    /** A report of a run in this JVM (its processor count). */
    public Report(
        String dataset,
        int docs,
        int memoryRows,
        long labels,
        int queries,
        int dim,
        boolean simd,
        String javaVersion,
        BenchConfig config,
        List<Build> builds,
        double heapUsedMb,
        List<Record> records) {
      this(
          dataset,
          docs,
          memoryRows,
          labels,
          queries,
          dim,
          simd,
          javaVersion,
          Runtime.getRuntime().availableProcessors(),
          config,
          builds,
          heapUsedMb,
          records);
    }

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

  /** One timed search: returns hits whose doc ids are mapped by {@link Method#map}. */
  interface Search {
    ScoreDoc[] run(float[] q) throws IOException;
  }

  /**
   * One timed method: its search, the map of its doc ids to data indexes, its exact reference and
   * its count of vectors scored per query.
   */
  record Method(
      String name, int ef, int topK, Search search, int[] map, Search exact, Visited visited) {}

  /** Mean visited vectors of one query. */
  interface Visited {
    long count(float[] q) throws IOException;
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
        addFieldSizes(builds, stockReader, pefaReader, schema);
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
          List<Method> methods = new ArrayList<>();
          for (Method m :
              methods(data, rowVectors, schema, stock, stockMem, pefa, stockExec, pefaExec)) {
            if (config.only() == null || m.name().matches(config.only())) {
              methods.add(m);
            }
          }
          records = measureAll(methods, data.queries());
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

  private static void addFieldSizes(
      List<Build> builds, DirectoryReader stock, DirectoryReader pefa, PefaSchema schema)
      throws IOException {
    for (Build b : builds) {
      switch (b.index()) {
        case "stock-docs" -> b.fieldBytes().putAll(fieldBytes(stock, List.of(STOCK_FIELD)));
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

  // ---------------------------------------------------------------- methods

  private List<Method> methods(
      BenchData data,
      float[][] rowVectors,
      PefaSchema schema,
      IndexSearcher stock,
      IndexSearcher stockMem,
      IndexSearcher pefa,
      IndexSearcher stockExec,
      IndexSearcher pefaExec)
      throws IOException {
    int n = config.n();
    int[] stockMap = stockDocMap(stock.getIndexReader());
    int[] pefaMap = pefaDocMap(pefa.getIndexReader(), schema, data);
    float[][] docs = data.docs();
    Search ermExact = q -> scan(docs, q, n);
    int[] identity = null;
    Search xsExact = q -> pefa.search(xs(schema, q, AnnEffort.EXHAUSTIVE), n).scoreDocs;
    Search xlExact = q -> pefa.search(xl(schema, q, AnnEffort.EXHAUSTIVE, config.topK()), n).scoreDocs;
    List<Method> out = new ArrayList<>();
    out.add(new Method("exact-scan-docs", 0, 0, ermExact, identity, ermExact, q -> docs.length));
    if (rowVectors.length > 0) {
      out.add(
          new Method(
              "exact-scan-docs+memory",
              0,
              0,
              q -> {
                ScoreDoc[] top = scan(docs, q, n);
                scan(rowVectors, q, config.k());
                return top;
              },
              identity,
              ermExact,
              q -> docs.length + rowVectors.length));
    }
    out.add(
        new Method(
            "pefa-xs-exhaustive",
            0,
            0,
            xsExact,
            pefaMap,
            xsExact,
            q -> fieldSize(pefa, schema.xsVectorField())));
    out.add(
        new Method(
            "pefa-xl-exhaustive",
            0,
            config.topK(),
            xlExact,
            pefaMap,
            xlExact,
            q -> fieldSize(pefa, schema.ermField()) + fieldSize(pefa, schema.memoryField())));
    for (int ef : config.efs()) {
      int fanout = stockBeam(n, ef);
      LongAdder sink = new LongAdder();
      out.add(
          new Method(
              "lucene-knn",
              ef,
              0,
              q -> stock.search(rescored(new CountingKnnQuery(STOCK_FIELD, q, fanout, sink), q, n), n).scoreDocs,
              stockMap,
              ermExact,
              q -> stockVisited(stock, q, fanout)));
      if (stockMem != null) {
        out.add(twoGraphFloor("lucene-knn-docs+memory", ef, stock, stockMem, null, stockMap, ermExact));
      }
      for (boolean graph : config.graphOnly() ? new boolean[] {false, true} : new boolean[] {false}) {
        AnnEffort effort = graph ? AnnEffort.graphOnly(ef) : AnnEffort.ef(ef);
        String suffix = graph ? "-graph" : "";
        out.add(
            new Method(
                "pefa-xs" + suffix,
                ef,
                0,
                q -> pefa.search(xs(schema, q, effort), n).scoreDocs,
                pefaMap,
                xsExact,
                q ->
                    visited(
                        pefa, schema.xsVectorField(), q, n, effort)));
        out.add(xlMethod("pefa-xl" + suffix, ef, effort, pefa, pefa, schema, pefaMap, xlExact));
      }
    }
    // with an executor: PEFA-XL searches the memory and the documents at the same time
    for (int ef : config.efs()) {
      int fanout = stockBeam(n, ef);
      AnnEffort effort = AnnEffort.ef(ef);
      out.add(
          new Method(
              "lucene-knn-executor",
              ef,
              0,
              q -> stockExec.search(rescored(new KnnFloatVectorQuery(STOCK_FIELD, q, fanout), q, n), n).scoreDocs,
              stockMap,
              ermExact,
              q -> stockVisited(stock, q, fanout)));
      out.add(xlMethod("pefa-xl-executor", ef, effort, pefaExec, pefa, schema, pefaMap, xlExact));
      if (stockMem != null) {
        out.add(
            twoGraphFloor(
                "lucene-knn-docs+memory-executor", ef, stock, stockMem, stockExec, stockMap, ermExact));
      }
    }
    // PEFA-XL with a given beam on the memory side: neighbours found with graphOnly(memEf), passed
    // to the query; the ERM side keeps graphOnly(ef)
    for (int ef : config.efs()) {
      for (int memEf : MEMORY_EFS) {
        if (memEf >= ef || memEf < config.k()) {
          continue;
        }
        AnnEffort ermEffort = AnnEffort.graphOnly(ef);
        AnnEffort memEffort = AnnEffort.graphOnly(memEf);
        out.add(
            new Method(
                "pefa-xl-graph-memef" + memEf,
                ef,
                config.topK(),
                q -> {
                  List<io.github.lucenepefa.search.Neighbour> nk =
                      io.github.lucenepefa.search.TrainingQueryMemory.nearest(
                          pefa, schema, q, config.k(), memEffort, config.oversample());
                  Query query =
                      oversampled(PefaQuery.xl(schema, q, config.n())
                          .lambda(config.xlLambda())
                          .k(config.k())
                          .topK(config.topK())
                          .knnWeighting(config.vote().weighting())
                          .knnNormalization(config.vote().normalization())
                          .temperature(config.vote().temperature())
                          .ermScoreMode(config.ermMode())
                          .effort(ermEffort)
                          .neighbours(nk))
                          .build();
                  return pefa.search(query, n).scoreDocs;
                },
                pefaMap,
                xlExact,
                q ->
                    visited(pefa, schema.memoryField(), q, config.k(), memEffort)
                        + visited(pefa, schema.ermField(), q, config.topK(), ermEffort)));
      }
    }
    if (config.hybrid()) {
      out.addAll(new HybridMethods(config, data).methods(this, schema, stock, pefa, stockMap, pefaMap, ermExact));
    }
    if (config.kSweep().length > 0 && config.efs().length > 0) {
      int ef = config.efs()[0];
      for (int ef2 : config.efs()) {
        if (ef2 == AnnEffort.DEFAULT_EF_SEARCH) {
          ef = ef2;
        }
      }
      AnnEffort effort = AnnEffort.ef(ef);
      for (int kk : config.kSweep()) {
        out.add(
            new Method(
                "pefa-xl-K" + kk,
                ef,
                kk,
                q -> pefa.search(xl(schema, q, effort, kk), n).scoreDocs,
                pefaMap,
                xlExact,
                q -> xlVisited(pefa, schema, q, effort, kk)));
      }
    }
    return out;
  }

  PefaQuery xs(PefaSchema schema, float[] q, AnnEffort effort) {
    return oversampled(PefaQuery.xs(schema, q, config.n()).lambda(config.xsLambda()).effort(effort)).build();
  }

  /** {@code b} with the configured oversample factor, if one is given (else the fields' default). */
  PefaQuery.Builder oversampled(PefaQuery.Builder b) {
    return config.oversample() > 0 ? b.oversample(config.oversample()) : b;
  }

  /** The beam of a stock search of {@code wanted} hits at {@code ef}: PEFA's ({@link StockKnn#beam}). */
  int stockBeam(int wanted, int ef) {
    return StockKnn.beam(wanted, ef, StockKnn.factor(config.quantization(), config.oversample()));
  }

  /** A stock kNN query, rescored with the float vectors when the graphs are quantized. */
  Query rescored(Query knn, float[] q, int wanted) {
    return StockKnn.rescored(knn, STOCK_FIELD, q, wanted, config.quantization());
  }

  /** PEFA-XL at the configured K through {@code searcher}; visits counted on {@code plain}. */
  private Method xlMethod(
      String name,
      int ef,
      AnnEffort effort,
      IndexSearcher searcher,
      IndexSearcher plain,
      PefaSchema schema,
      int[] pefaMap,
      Search xlExact) {
    return new Method(
        name,
        ef,
        config.topK(),
        q -> searcher.search(xl(schema, q, effort, config.topK()), config.n()).scoreDocs,
        pefaMap,
        xlExact,
        q -> xlVisited(plain, schema, q, effort, config.topK()));
  }

  /**
   * The floor of a two-graph PEFA-XL: stock Lucene searching the documents (as {@code lucene-knn})
   * and the stock index of the memory vectors with PEFA-XL's memory beam as k, nothing else (no
   * labels, no rescoring); one after the other, or at the same time on {@code executor}'s threads
   * as PEFA-XL's two sides run.
   */
  private Method twoGraphFloor(
      String name,
      int ef,
      IndexSearcher stock,
      IndexSearcher stockMem,
      IndexSearcher executor,
      int[] stockMap,
      Search ermExact) {
    int n = config.n();
    int fanout = stockBeam(n, ef);
    int memBeam = stockBeam(config.k(), AnnEffort.ef(ef).forMemory(config.k()).efSearch());
    return new Method(
        name,
        ef,
        0,
        q -> {
          Query docsQuery = rescored(new KnnFloatVectorQuery(STOCK_FIELD, q, fanout), q, n);
          Query memoryQuery = rescored(new KnnFloatVectorQuery(STOCK_FIELD, q, memBeam), q, config.k());
          if (executor == null) {
            ScoreDoc[] top = stock.search(docsQuery, n).scoreDocs;
            stockMem.search(memoryQuery, config.k());
            return top;
          }
          List<java.util.concurrent.Callable<Object>> both =
              List.of(
                  () -> stock.search(docsQuery, n).scoreDocs,
                  () -> stockMem.search(memoryQuery, config.k()));
          return (ScoreDoc[]) executor.getTaskExecutor().invokeAll(both).get(0);
        },
        stockMap,
        ermExact,
        q -> stockVisited(stock, q, fanout) + stockVisited(stockMem, q, memBeam));
  }

  /** Graph nodes (or vectors) a stock kNN query with this fanout scores. */
  long stockVisited(IndexSearcher stock, float[] q, int fanout) throws IOException {
    LongAdder c = new LongAdder();
    stock.search(new CountingKnnQuery(STOCK_FIELD, q, fanout, c), config.n());
    return c.sum();
  }

  /** Nodes (or vectors) a PEFA-XL query scores on both sides. */
  long xlVisited(
      IndexSearcher pefa, PefaSchema schema, float[] q, AnnEffort effort, int topK)
      throws IOException {
    return VectorSearchCost.visitedXl(pefa, schema, q, config.k(), topK, effort);
  }

  PefaQuery xl(PefaSchema schema, float[] q, AnnEffort effort, int topK) {
    return oversampled(
            PefaQuery.xl(schema, q, config.n())
                .lambda(config.xlLambda())
                .k(config.k())
                .topK(topK)
                .knnWeighting(config.vote().weighting())
                .knnNormalization(config.vote().normalization())
                .temperature(config.vote().temperature())
                .ermScoreMode(config.ermMode())
                .effort(effort))
        .build();
  }

  /** Vectors scored by one field's search as PefaQuery does it (graph or exact per segment). */
  static long visited(IndexSearcher searcher, String field, float[] q, int want, AnnEffort effort)
      throws IOException {
    return VectorSearchCost.visited(searcher, field, q, want, effort);
  }

  static long fieldSize(IndexSearcher searcher, String field) throws IOException {
    long total = 0;
    for (LeafReaderContext ctx : searcher.getIndexReader().leaves()) {
      FloatVectorValues values = ctx.reader().getFloatVectorValues(field);
      total += values == null ? 0 : values.size();
    }
    return total;
  }

  /** Stock kNN query that counts the vectors it scores (graph visits and exact scans). */
  static final class CountingKnnQuery extends KnnFloatVectorQuery {
    private final LongAdder visited;

    CountingKnnQuery(String field, float[] target, int k, LongAdder visited) {
      super(field, target, k);
      this.visited = visited;
    }

    @Override
    protected TopDocs approximateSearch(
        LeafReaderContext context,
        AcceptDocs acceptDocs,
        int visitedLimit,
        KnnCollectorManager knnCollectorManager)
        throws IOException {
      TopDocs td = super.approximateSearch(context, acceptDocs, visitedLimit, knnCollectorManager);
      visited.add(td.totalHits.value());
      return td;
    }

    @Override
    protected TopDocs exactSearch(
        LeafReaderContext context, DocIdSetIterator acceptIterator, QueryTimeout queryTimeout)
        throws IOException {
      TopDocs td = super.exactSearch(context, acceptIterator, queryTimeout);
      visited.add(td.totalHits.value());
      return td;
    }
  }

  static int[] stockDocMap(org.apache.lucene.index.IndexReader reader) throws IOException {
    int[] map = new int[reader.maxDoc()];
    Arrays.fill(map, -1);
    for (LeafReaderContext ctx : reader.leaves()) {
      NumericDocValues ord = ctx.reader().getNumericDocValues(STOCK_ORD);
      for (int doc = ord.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = ord.nextDoc()) {
        map[ctx.docBase + doc] = (int) ord.longValue();
      }
    }
    return map;
  }

  static int[] pefaDocMap(
      org.apache.lucene.index.IndexReader reader, PefaSchema schema, BenchData data)
      throws IOException {
    Map<String, Integer> byKey = new java.util.HashMap<>();
    for (int i = 0; i < data.keys().length; i++) {
      byKey.put(data.keys()[i], i);
    }
    int[] map = new int[reader.maxDoc()];
    Arrays.fill(map, -1);
    for (LeafReaderContext ctx : reader.leaves()) {
      SortedDocValues keys = ctx.reader().getSortedDocValues(schema.keyField());
      if (keys == null) {
        continue;
      }
      for (int doc = keys.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = keys.nextDoc()) {
        Integer i = byKey.get(keys.lookupOrd(keys.ordValue()).utf8ToString());
        map[ctx.docBase + doc] = i == null ? -1 : i;
      }
    }
    return map;
  }

  /** Plain exact top-n scan of in-heap vectors: the "exact scan" reference. */
  static ScoreDoc[] scan(float[][] vectors, float[] q, int n) {
    // bounded min-heap on (score, -doc) in parallel arrays
    int size = 0;
    float[] hs = new float[n];
    int[] hd = new int[n];
    for (int i = 0; i < vectors.length; i++) {
      float s = VectorUtil.dotProduct(q, vectors[i]);
      if (size < n) {
        int pos = size++;
        while (pos > 0) {
          int parent = (pos - 1) >>> 1;
          if (worse(s, i, hs[parent], hd[parent])) {
            hs[pos] = hs[parent];
            hd[pos] = hd[parent];
            pos = parent;
          } else {
            break;
          }
        }
        hs[pos] = s;
        hd[pos] = i;
      } else if (worse(hs[0], hd[0], s, i)) {
        int pos = 0;
        while (true) {
          int l = 2 * pos + 1;
          if (l >= size) {
            break;
          }
          int r = l + 1;
          int c = r < size && worse(hs[r], hd[r], hs[l], hd[l]) ? r : l;
          if (worse(hs[c], hd[c], s, i)) {
            hs[pos] = hs[c];
            hd[pos] = hd[c];
            pos = c;
          } else {
            break;
          }
        }
        hs[pos] = s;
        hd[pos] = i;
      }
    }
    ScoreDoc[] out = new ScoreDoc[size];
    for (int j = 0; j < size; j++) {
      out[j] = new ScoreDoc(hd[j], hs[j]);
    }
    Arrays.sort(out, (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
    return out;
  }

  /** Whether (s1, d1) ranks below (s2, d2): lower score, or equal score and larger doc. */
  private static boolean worse(float s1, int d1, float s2, int d2) {
    return s1 < s2 || (s1 == s2 && d1 > d2);
  }

  // ---------------------------------------------------------------- measuring

  /** Per-method accumulators of the interleaved measurement. */
  private static final class Acc {
    long[] lat;
    int timed;
    long alloc;
    long mtNanos;
    int mtQueries;
    int[][] results;
  }

  /**
   * Warms one method up: every query vector once, in order, then {@code seconds} more of them
   * (cycling). The full pass comes first because the timed loop runs the same vectors: a search is
   * deterministic, so after it no timed query reads an index page, or meets a code path, for the first
   * time (a warm-up of a fixed time leaves part of a 1M index's pages to the first timed block).
   *
   * @return the number of searches run
   */
  static int warmUp(Search search, float[][] queries, double seconds) throws IOException {
    int w = 0;
    for (float[] q : queries) {
      search.run(q);
      w++;
    }
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      search.run(queries[w++ % queries.length]);
    }
    return w;
  }

  /**
   * Measures every method, interleaved: after a warm-up of each, the timed queries are processed in
   * blocks, each block run by every method in turn (single-threaded latency, then the same block
   * with {@link BenchConfig#threads} threads for QPS), so that load changes on a shared machine hit all
   * methods alike and the ratios stay meaningful.
   */
  private List<Record> measureAll(List<Method> methods, float[][] queries) throws IOException {
    int nq = queries.length;
    int total = Math.max(config.minTimedQueries(), nq);
    int block = Math.min(nq, 50);
    log.printf(
        Locale.ROOT,
        "warming up %d methods (each: the %d query vectors once, then %.1f s)...%n",
        methods.size(),
        nq,
        config.warmupSeconds());
    for (Method m : methods) {
      warmUp(m.search(), queries, config.warmupSeconds());
    }
    Acc[] accs = new Acc[methods.size()];
    for (int i = 0; i < accs.length; i++) {
      accs[i] = new Acc();
      accs[i].lat = new long[total];
      accs[i].results = new int[nq][];
    }
    com.sun.management.ThreadMXBean tmx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().threadId();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(config.threads());
    log.printf(Locale.ROOT, "timing %d queries per method in blocks of %d...%n", total, block);
    try (ProgressBar bar = new ProgressBar("timing", (long) total * methods.size(), "queries")) {
      for (int from = 0; from < total; from += block) {
        int to = Math.min(total, from + block);
        for (int mi = 0; mi < methods.size(); mi++) {
          Method m = methods.get(mi);
          Acc a = accs[mi];
          long alloc0 = tmx.getThreadAllocatedBytes(tid);
          for (int j = from; j < to; j++) {
            float[] q = queries[j % nq];
            long t0 = System.nanoTime();
            ScoreDoc[] hits = m.search().run(q);
            a.lat[j] = System.nanoTime() - t0;
            if (j < nq) {
              a.results[j] = map(hits, m.map());
            }
          }
          a.alloc += tmx.getThreadAllocatedBytes(tid) - alloc0;
          a.timed += to - from;
          // throughput over the same block with several threads
          int mtFrom = from;
          int mtTo = to;
          AtomicInteger next = new AtomicInteger(mtFrom);
          List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
          long t0 = System.nanoTime();
          for (int t = 0; t < config.threads(); t++) {
            fs.add(
                pool.submit(
                    () -> {
                      for (int i = next.getAndIncrement(); i < mtTo; i = next.getAndIncrement()) {
                        m.search().run(queries[i % nq]);
                      }
                      return null;
                    }));
          }
          for (java.util.concurrent.Future<?> f : fs) {
            try {
              f.get();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException(e);
            } catch (java.util.concurrent.ExecutionException e) {
              throw new IOException(e.getCause());
            }
          }
          a.mtNanos += System.nanoTime() - t0;
          a.mtQueries += mtTo - mtFrom;
          bar.advance(to - from);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    log.println("overlap and visited counts...");
    Map<Search, int[][]> exactCache = new java.util.IdentityHashMap<>();
    List<Record> out = new ArrayList<>();
    for (int mi = 0; mi < methods.size(); mi++) {
      Method m = methods.get(mi);
      Acc a = accs[mi];
      int[][] exact = exactCache.get(m.exact());
      if (exact == null) {
        exact = new int[nq][];
        try (ProgressBar bar = new ProgressBar("exact reference of " + m.name(), nq, "queries")) {
          for (int i = 0; i < nq; i++) {
            exact[i] = map(m.exact().run(queries[i]), exactMap(m));
            bar.step();
          }
        }
        exactCache.put(m.exact(), exact);
      }
      double overlap = 0;
      for (int i = 0; i < nq; i++) {
        overlap += overlap(a.results[i], exact[i], config.n());
      }
      overlap /= nq;
      long visited = 0;
      for (float[] q : queries) {
        visited += m.visited().count(q);
      }
      long[] sorted = a.lat.clone();
      Arrays.sort(sorted);
      double mean = Arrays.stream(a.lat).average().orElse(0) / 1e6;
      double p99 =
          sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.99 * sorted.length) - 1)] / 1e6;
      out.add(
          new Record(
              m.name(),
              m.ef(),
              m.topK(),
              mean,
              p99,
              a.mtQueries / secs(a.mtNanos),
              overlap,
              (double) visited / nq,
              (double) a.alloc / a.timed,
              a.timed));
    }
    return out;
  }

  /**
   * The exact searches of PEFA run on the PEFA index, stock BM25's on the stock index; the stock kNN
   * one on in-heap vectors.
   */
  private static int[] exactMap(Method m) {
    return m.name().startsWith("pefa") || m.name().equals(HybridMethods.STOCK_BM25) ? m.map() : null;
  }

  private static int[] map(ScoreDoc[] hits, int[] map) {
    int[] out = new int[hits.length];
    for (int i = 0; i < hits.length; i++) {
      out[i] = map == null ? hits[i].doc : map[hits[i].doc];
    }
    return out;
  }

  static double overlap(int[] got, int[] exact, int n) {
    int want = Math.min(n, exact.length);
    if (want == 0) {
      return 1;
    }
    java.util.HashSet<Integer> set = new java.util.HashSet<>();
    for (int i = 0; i < want; i++) {
      set.add(exact[i]);
    }
    int hit = 0;
    for (int i = 0; i < Math.min(n, got.length); i++) {
      if (set.contains(got[i])) {
        hit++;
      }
    }
    return (double) hit / want;
  }

  static double secs(long nanos) {
    return nanos / 1e9;
  }
}
