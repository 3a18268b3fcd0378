package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.commands.Common;
import io.github.lucenepefa.cli.commands.SearchOptions;
import io.github.lucenepefa.cli.vectors.VectorSource;
import io.github.lucenepefa.codec.PefaQuantization;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pefa bench}: stock Lucene kNN vs PEFA-XS vs PEFA-XL vs exact scans, side by side in one
 * run, on SciFact vectors (default) or a seeded synthetic clustered set ({@code --synthetic}).
 * Prints a table, and optionally writes JSON ({@code --json}), a recall-vs-QPS chart ({@code
 * --png}) and Markdown ({@code --markdown}).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Benchmark stock Lucene kNN (ERM), PEFA-XS and PEFA-XL against exact search on one data set, in one run.",
      "With --bm25-weight A (SciFact only): also ERM+BM25, PEFA-XS+BM25 and PEFA-XL+BM25 beside stock BM25 + kNN.",
      "Default data: the SciFact vectors (MiniLM; from the vector cache, encoding what is missing).",
      "Run with --add-modules jdk.incubator.vector (the ./pefa launcher does) for Lucene's SIMD code."
    })
public class BenchCommand implements Callable<Integer> {

  @Mixin Common common;

  @Option(
      names = "--synthetic",
      description = "Use the seeded synthetic clustered data set instead of SciFact.")
  boolean synthetic;

  @Option(names = "--docs", defaultValue = "100000", description = "Synthetic: documents (default: ${DEFAULT-VALUE}).")
  int docs;

  @Option(
      names = "--memory-rows",
      defaultValue = "100000",
      description = "Synthetic: training-memory rows (default: ${DEFAULT-VALUE}).")
  int memoryRows;

  @Option(
      names = "--queries",
      defaultValue = "1000",
      description = "Synthetic: query vectors (default: ${DEFAULT-VALUE}).")
  int queries;

  @Option(
      names = "--random-queries",
      description =
          "Time random unit vectors (uniform on the sphere, seeded by --seed) instead of the data's queries, as"
              + " many: queries far from all documents and memory rows, the hard case for graph search.")
  boolean randomQueries;

  @Option(names = "--dim", defaultValue = "384", description = "Synthetic: dimension (default: ${DEFAULT-VALUE}).")
  int dim;

  @Option(names = "--seed", defaultValue = "42", description = "Synthetic: random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--ef",
      split = ",",
      defaultValue = "100,200,300,500",
      description = "efSearch values (stock kNN: k = max(ef, n)) (default: ${DEFAULT-VALUE}).")
  int[] efs;

  @Option(names = {"-n", "--hits"}, defaultValue = "100", description = "Results per query; overlap@n (default: ${DEFAULT-VALUE}).")
  int n;

  @Mixin SearchOptions search = new SearchOptions();

  @Option(
      names = "--top-k-sweep",
      split = ",",
      defaultValue = "100,200,500",
      description = "Extra K (--top-k) values timed for PEFA-XL at ef 100 (default: ${DEFAULT-VALUE}; 0 = none).")
  int[] kSweep;

  @Option(
      names = "--quantization",
      split = ",",
      paramLabel = "Q",
      defaultValue = "none",
      description =
          "Graph quantization of every index, PEFA's and stock Lucene's (Lucene104HnswScalarQuantizedVectorsFormat,"
              + " graph candidates rescored with the float vectors, as PEFA does): none, int8, int4 or binary"
              + " (default: ${DEFAULT-VALUE}). --pareto takes a list (e.g. none,int8,binary): one set of indexes"
              + " per quantization, all swept in one interleaved run.")
  String[] quantization;

  @Option(names = "--hnsw-m", defaultValue = "16", description = "HNSW maxConn of every graph but the PEFA-XS graph (default: ${DEFAULT-VALUE}).")
  int maxConn;

  @Option(names = "--xs-hnsw-m", defaultValue = "32", description = "HNSW maxConn of the PEFA-XS graph (default: ${DEFAULT-VALUE}).")
  int xsMaxConn = io.github.lucenepefa.index.PefaSchema.DEFAULT_XS_MAX_CONN;

  @Option(
      names = "--hnsw-ef-construction",
      defaultValue = "100",
      description = "HNSW construction beam (beamWidth) of every graph (default: ${DEFAULT-VALUE}).")
  int beamWidth;

  @Option(
      names = "--warmup",
      defaultValue = "1.0",
      description = "Warm-up seconds per method, after one pass of it over every query vector (default: ${DEFAULT-VALUE}).")
  double warmup;

  @Option(
      names = "--min-timed",
      defaultValue = "1000",
      description = "At least this many timed queries per method; queries repeat (default: ${DEFAULT-VALUE}).")
  int minTimed;

  @Option(names = "--no-graph-only", description = "Skip the graph-only PEFA variants.")
  boolean noGraphOnly;

  @Option(
      names = "--xs-index-lambda-only",
      description = "Serve PEFA-XS at its index-time lambda only (PefaSchema xsAnyLambda=false; the index is the same).")
  boolean xsIndexLambdaOnly;

  @Option(names = "--ram-buffer-mb", defaultValue = "1024", description = "IndexWriter RAM buffer (default: ${DEFAULT-VALUE}).")
  double ramBufferMb;

  @Option(
      names = "--index-threads",
      defaultValue = "1",
      description = "Threads that add vectors to every index (each builds its own segments' graphs) and that build each"
          + " graph of a merge (default: ${DEFAULT-VALUE}).")
  int indexThreads;

  @Option(
      names = "--no-force-merge",
      description = "Search the indexes as written (several segments) instead of force-merging each to one segment.")
  boolean noForceMerge;

  @Option(
      names = "--no-stock-memory",
      description = "Do not build the stock index of the memory vectors (only the memory graph's build-time reference).")
  boolean noStockMemory;

  @Option(
      names = "--build-repeats",
      defaultValue = "3",
      description =
          "Build the stock memory index and the PEFA memory rows this many times (the extra builds interleaved,"
              + " into throw-away indexes); the build target compares medians (default: ${DEFAULT-VALUE}).")
  int buildRepeats;

  @Option(
      names = "--build-forks",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Also build the stock memory index and the PEFA memory rows once each in N fresh JVMs (alternating which"
              + " goes first); the build target then compares the medians of those builds (default: ${DEFAULT-VALUE}).")
  int buildForks;

  @Option(names = ForkedBuilds.CHILD_OPTION, hidden = true, description = "Internal: be build fork N of --build-forks.")
  Integer buildForkChild;

  @Option(names = "--work", paramLabel = "DIR", description = "Folder for the temporary indexes (default: java.io.tmpdir).")
  Path work;

  @Option(names = "--keep-indexes", description = "Keep the temporary indexes.")
  boolean keepIndexes;

  @Option(names = "--only", paramLabel = "REGEX", description = "Time only the methods whose name matches (--pareto: stock, floor, xs, xl; with --bm25-weight also"
          + " bm25+knn, erm+bm25, xs+bm25, xl+bm25).")
  String only;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON.")
  Path json;

  @Option(names = "--png", paramLabel = "FILE", description = "Write the overlap-vs-QPS chart as PNG.")
  Path png;

  @Option(names = "--markdown", paramLabel = "FILE", description = "Write the tables as Markdown.")
  Path markdown;

  @Option(
      names = "--pareto",
      description =
          "Run the recall-vs-latency sweep instead: stock kNN, the two-graph floor, PEFA-XS and PEFA-XL over"
              + " --pareto-ef for each of --pareto-hits, single-threaded, interleaved; writes pareto.json,"
              + " pareto.png and pareto.md into --out.")
  boolean pareto;

  @Option(names = "--out", paramLabel = "DIR", description = "--pareto: the output folder.")
  Path out;

  @Option(
      names = "--pareto-ef",
      split = ",",
      paramLabel = "EF",
      description = "--pareto: the ef values (default: 10,15,20,30,50,70,100,150,200,300,500,700,1000).")
  int[] paretoEfs;

  @Option(
      names = "--pareto-hits",
      split = ",",
      paramLabel = "N",
      description = "--pareto: the numbers of hits (default: 10,100).")
  int[] paretoHits;

  @Option(
      names = "--index-dir",
      paramLabel = "DIR",
      description =
          "--pareto: keep the indexes in DIR (a quantization's in DIR/int8, DIR/binary, ...), and reuse them when a run"
              + " of the same data and settings left them there.")
  Path indexDir;

  @Option(
      names = "--from-json",
      paramLabel = "FILE",
      description =
          "Run nothing: read a result saved with --json and print its tables, and write --png / --markdown from it.")
  Path fromJson;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (fromJson != null) {
      return write(BenchJson.read(fromJson), out);
    }
    for (int ef : efs) {
      positive("--ef", ef);
    }
    positive("--hits", n);
    if (pareto && out == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--pareto needs --out DIR");
    }
    for (int v : paretoEfs != null ? paretoEfs : new int[0]) {
      positive("--pareto-ef", v);
    }
    for (int v : paretoHits != null ? paretoHits : new int[0]) {
      positive("--pareto-hits", v);
    }
    SearchOptions.Resolved params = search.resolve(null, SearchOptions.DEFAULT_LAM, n);
    float bm25Weight = bm25Weight(search.bm25Weights(null), params); // checks the range
    List<PefaQuantization> quantizations = quantizations();
    if (pareto == false && quantizations.size() > 1) {
      throw new IllegalArgumentException(
          "--quantization: pefa bench without --pareto takes one quantization, got " + String.join(",", quantization));
    }
    positive("--index-threads", indexThreads);
    positive("--min-timed", minTimed);
    positive("--build-repeats", buildRepeats);
    if (buildForks < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--build-forks must be at least 0, got " + buildForks);
    }
    if (buildForks > 0 && noStockMemory) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--build-forks compares with the stock memory build: drop --no-stock-memory");
    }
    if (synthetic) {
      positive("--docs", docs);
      positive("--queries", queries);
      positive("--dim", dim);
    }
    BenchConfig config =
        new BenchConfig(
            efs,
            n,
            params.xl().vote(),
            params.xl().ermMode(),
            params.xl().topK(),
            kSweep.length == 1 && kSweep[0] == 0 ? new int[0] : kSweep,
            params.xl().lam(),
            params.xsLam(),
            maxConn,
            beamWidth,
            common == null ? 2 : commonThreads(),
            warmup,
            minTimed,
            ramBufferMb,
            work != null ? work : Path.of(System.getProperty("java.io.tmpdir")),
            keepIndexes,
            noGraphOnly == false,
            only,
            xsIndexLambdaOnly == false,
            indexThreads,
            noForceMerge == false,
            noStockMemory == false,
            buildRepeats,
            quantizations.get(0),
            search.oversample(),
            bm25Weight,
            xsMaxConn);
    BenchData data;
    if (synthetic) {
      long t0 = System.nanoTime();
      data = SyntheticData.generate(docs, memoryRows, queries, dim, seed);
      System.err.printf("generated %s in %.1f s%n", data.name(), (System.nanoTime() - t0) / 1e9);
    } else {
      try (VectorSource emb = common.vectorSource()) {
        data = SciFactData.load(common.data(), emb);
      }
    }
    if (randomQueries) {
      data = data.withRandomQueries(seed);
    }
    if (buildForkChild != null) {
      ForkedBuilds.print(new BenchRunner(config, System.err).buildMemoryOnce(data, buildForkChild), out);
      return 0;
    }
    if (pareto) {
      return runPareto(config, data, params, quantizations, out);
    }
    BenchRunner.Report report = new BenchRunner(config, System.err).run(data);
    if (buildForks > 0) {
      report = report.withBuilds(ForkedBuilds.run(buildForks, benchArgs(), System.err));
    }
    return write(report, out);
  }

  /** {@code --pareto}: the sweep, its files in {@code --out}, its report on {@code stdout}. */
  private int runPareto(
      BenchConfig config,
      BenchData data,
      SearchOptions.Resolved params,
      List<PefaQuantization> quantizations,
      PrintStream stdout)
      throws java.io.IOException {
    int[] efList = paretoEfs != null ? paretoEfs : ParetoSweep.DEFAULT_EFS;
    int[] hitList = paretoHits != null ? paretoHits : ParetoSweep.DEFAULT_HITS;
    int topK = "option".equals(params.source().get("top_k")) ? params.xl().topK() : 0;
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    double loadBefore = os.getSystemLoadAverage();
    ParetoIndexes.Result result =
        new ParetoIndexes(config, System.err)
            .run(data, quantizations, new ParetoSweep.Options(efList, hitList, topK, minTimed, warmup), indexDir);
    List<ParetoSweep.Point> points = result.points();
    String header =
        String.format(
            java.util.Locale.ROOT,
            "## pefa bench --pareto: %s%n%n%d docs, %d memory rows, %d queries, dim %d; %s; %d CPUs;"
                + " PEFA-XL k=%d, K=%s, lambda %s; PEFA-XS lambda %s; quantization %s, oversample %s;"
                + " load average %.2f before, %.2f after%s%n%n",
            data.name(),
            data.docs().length,
            data.rows().size(),
            data.queries().length,
            data.dim(),
            BenchRunner.jvmDescription(),
            Runtime.getRuntime().availableProcessors(),
            config.k(),
            topK > 0 ? Integer.toString(topK) : "n",
            config.xlLambda(),
            config.xsLambda(),
            String.join(",", quantizations.stream().map(PefaQuantization::id).toList()),
            config.oversample() > 0 ? Float.toString(config.oversample()) : "each quantization's default",
            loadBefore,
            os.getSystemLoadAverage(),
            config.hybrid() ? "; hybrid methods at BM25 weight a = " + config.bm25Weight() : "");
    String md =
        ParetoReport.markdown(points, header)
            + "\n"
            + IndexSizeReport.markdown(
                result.sizes(), result.builds(), new BenchBuilds(config, quantizations.get(0), null).schema(data));
    stdout.print(md);
    Files.createDirectories(out);
    ParetoReport.writeJson(points, out.resolve("pareto.json"));
    ParetoReport.writePng(points, "Recall vs latency: " + data.name(), out.resolve("pareto.png"));
    Files.writeString(out.resolve("pareto.md"), md);
    stdout.println("wrote " + out.resolve("pareto.json") + ", pareto.png, pareto.md");
    return 0;
  }

  /** Prints the report's tables and writes the files asked for. */
  private int write(BenchRunner.Report report, PrintStream out) throws java.io.IOException {
    out.print(BenchReport.header(report));
    out.println();
    out.print(BenchReport.buildTable(report));
    out.println();
    out.print(BenchReport.table(report));
    out.println();
    if (HybridReport.has(report)) {
      out.print(HybridReport.table(report));
      out.println();
    }
    out.print(BenchTargets.text(report));
    if (json != null) {
      BenchJson.write(report, json);
      out.println("wrote " + json);
    }
    if (png != null) {
      BenchReport.writePng(report, png);
      out.println("wrote " + png);
    }
    if (markdown != null) {
      Path parent = markdown.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(markdown, BenchReport.markdown(report));
      out.println("wrote " + markdown);
    }
    return 0;
  }

  /**
   * The BM25 weight of the hybrid methods, or NaN when none is given. Synthetic data and random query
   * vectors have no texts: refused there. The hybrid methods run with the PEFA settings of the methods
   * alone: the options that give PEFA-XS+BM25 or PEFA-XL+BM25 settings of their own are refused.
   */
  private float bm25Weight(io.github.lucenepefa.cli.commands.Bm25Weights w, SearchOptions.Resolved params) {
    if (search.bm25XsLam(params, null) != params.xsLam() || search.bm25Xl(params, null).equals(params.xl()) == false) {
      throw new IllegalArgumentException(
          "--bm25-xs-lam, --bm25-xl-lam, --bm25-k: pefa bench times each hybrid method with the settings of the method"
              + " alone (--xs-lam, --xl-lam, --k)");
    }
    if (w.given() == false) {
      return Float.NaN;
    }
    if (synthetic || randomQueries) {
      throw new IllegalArgumentException(
          "--bm25-weight: " + (synthetic ? "--synthetic" : "--random-queries")
              + " data has no texts to search with BM25; drop --bm25-weight or run on SciFact");
    }
    if (w.erm().equals(w.xs()) == false || w.erm().equals(w.xl()) == false) {
      throw new IllegalArgumentException(
          "--bm25-weight: pefa bench times one weight for every hybrid method, got ERM " + w.erm() + ", PEFA-XS "
              + w.xs() + ", PEFA-XL " + w.xl());
    }
    return w.xl();
  }

  /** The {@code --quantization} values, each once, in the order given. */
  private List<PefaQuantization> quantizations() {
    java.util.LinkedHashSet<PefaQuantization> out = new java.util.LinkedHashSet<>();
    for (String q : quantization) {
      try {
        out.add(PefaQuantization.parse(q));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--quantization: " + e.getMessage(), e);
      }
    }
    return List.copyOf(out);
  }

  private void positive(String option, int value) {
    if (value < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), option + " must be at least 1, got " + value);
    }
  }

  /** This command's own arguments, as given (without the top-level command's). */
  private List<String> benchArgs() {
    List<String> all = spec.commandLine().getParseResult().originalArgs();
    int at = all.indexOf(spec.name());
    return at >= 0 && spec.parent() != null ? all.subList(at + 1, all.size()) : all;
  }

  private int commonThreads() {
    // Common keeps its fields package-private; read the parsed --threads option through picocli
    CommandLine.Model.OptionSpec opt = spec.findOption("--threads");
    return opt == null ? 2 : (Integer) opt.getValue();
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * Runs the command alone (without the {@code pefa} top-level command).
   *
   * @param args command line
   */
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }
}
