package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.bench.BenchMethod.Search;
import io.github.lucenepefa.cli.progress.ProgressBar;
import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.PefaMode;
import io.github.lucenepefa.search.PefaQuery;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;

/**
 * The recall-vs-latency sweep of {@code pefa bench --pareto}: stock Lucene kNN, the two-graph floor
 * (a stock search of the documents plus a stock search of the memory vectors at PEFA-XL's memory
 * beam), PEFA-XS and PEFA-XL, each over a range of search efforts (ef) for every number of hits n,
 * single-threaded and interleaved: the timed queries run in blocks, every point of the sweep running
 * each block in turn, so that load changes on a shared machine hit all points alike.
 *
 * <p>Recall is the overlap of a point's top n with its own method's exact top n (stock and floor:
 * brute force over the document vectors; PEFA: the same query with {@link AnnEffort#EXHAUSTIVE});
 * latency is the median over the timed queries. The point a method runs at when given no effort is
 * marked {@code default}: stock's {@code KnnFloatVectorQuery(field, q, n)} (ef = n), PEFA's {@link
 * AnnEffort#forHits(PefaMode, int)}, the floor at PEFA-XL's default ef.
 *
 * <p>Each quantization swept has its own set of the three indexes ({@link IndexSet}), all timed in
 * the same interleaved run. With a quantized graph, stock and the floor walk Lucene's quantized
 * graph of the same encoding and rescore the beam with the float vectors ({@link StockKnn}), as
 * PEFA does; both use the same oversample factor.
 */
final class ParetoSweep {

  /** ef values swept by default. */
  static final int[] DEFAULT_EFS = {10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000};

  /** Numbers of hits swept by default. */
  static final int[] DEFAULT_HITS = {10, 100};

  /** Method names, in chart and table order. */
  static final List<String> METHODS = List.of("stock", "floor", "xs", "xl");

  /**
   * The hybrid methods of {@code --bm25-weight A} ({@link HybridMethods}): the hybrid floor (a stock
   * BM25 search and a stock kNN search of one index; recall against the exact kNN top n), ERM+BM25,
   * PEFA-XS+BM25 and PEFA-XL+BM25 (recall against the same fusion with exhaustive effort).
   */
  static final List<String> HYBRID_METHODS = List.of("bm25+knn", "erm+bm25", "xs+bm25", "xl+bm25");

  /** Every method, in chart and table order. */
  static final List<String> ALL_METHODS =
      java.util.stream.Stream.concat(METHODS.stream(), HYBRID_METHODS.stream()).toList();

  /**
   * Settings of the sweep.
   *
   * @param efs ef values; for n hits only those at least n are timed (a beam below n is n), plus
   *     the default ef of each method
   * @param hits numbers of hits n
   * @param topK PEFA-XL's ERM candidates K, or 0 for the library's default for n
   * @param minTimed at least this many timed queries per point (queries repeat)
   * @param warmupSeconds warm-up time per point, after one pass over every query
   */
  record Options(int[] efs, int[] hits, int topK, int minTimed, double warmupSeconds) {}

  /**
   * One point of a curve.
   *
   * @param method "stock", "floor", "xs", "xl" or one of {@link #HYBRID_METHODS}
   * @param n hits
   * @param ef search effort
   * @param isDefault whether it is the method's point when given no effort
   * @param recall mean overlap of the top n with the method's exact top n
   * @param latencyMs median single-threaded latency
   * @param quantization the graphs' quantization ({@link PefaQuantization#id()})
   */
  record Point(
      String method, int n, int ef, boolean isDefault, double recall, double latencyMs, String quantization) {

    /** A point of float graphs. */
    Point(String method, int n, int ef, boolean isDefault, double recall, double latencyMs) {
      this(method, n, ef, isDefault, recall, latencyMs, PefaQuantization.NONE.id());
    }
  }

  /**
   * The three indexes of one quantization.
   *
   * @param quantization the quantization of every graph in them
   * @param schema the PEFA index layout
   * @param stock searcher of the stock document index
   * @param stockMem searcher of the stock memory-vector index
   * @param pefa searcher of the PEFA index
   * @param stockMap stock doc id to data index
   * @param pefaMap PEFA doc id to data index
   */
  record IndexSet(
      PefaQuantization quantization,
      PefaSchema schema,
      IndexSearcher stock,
      IndexSearcher stockMem,
      IndexSearcher pefa,
      int[] stockMap,
      int[] pefaMap) {}

  /** One point to time: a curve's search at one ef for n hits, on the indexes of one quantization. */
  private record Run(
      String method,
      String quantization,
      int n,
      int ef,
      boolean isDefault,
      Search search,
      int[] map,
      Exact exact) {}

  /** The exact top n of a method, with the map of its doc ids. */
  private record Exact(Search search, int[] map) {}

  /**
   * One method's curve for n hits: the ef it runs at when given none, the map of its doc ids, its
   * exact reference, and its search at an ef.
   */
  private record Curve(String method, int defaultEf, int[] map, Exact exact, IntFunction<Search> search) {}

  private final BenchConfig config;
  private final Options options;
  private final PrintStream log;

  ParetoSweep(BenchConfig config, Options options, PrintStream log) {
    this.config = config;
    this.options = options;
    this.log = log;
  }

  /** PEFA-XL's K for n hits. */
  int topK(int n) {
    return options.topK() > 0 ? options.topK() : PefaQuery.defaultTopK(n);
  }

  /**
   * Times every point of every index set.
   *
   * @param data the vectors
   * @param sets the index sets, one per quantization
   * @return the points, by quantization, method, n and ef
   * @throws IOException on I/O errors
   */
  List<Point> run(BenchData data, List<IndexSet> sets) throws IOException {
    List<Run> runs = new ArrayList<>();
    float[][] docs = data.docs();
    HybridMethods hybrid = config.hybrid() ? new HybridMethods(config, data) : null;
    for (int n : options.hits()) {
      // the exact top n of the documents does not depend on the graphs' quantization
      Exact docsExact = new Exact(q -> ExactScan.scan(docs, q, n), null);
      for (IndexSet set : sets) {
        addRuns(runs, set, n, curves(set, n, docsExact));
        if (hybrid != null) {
          addRuns(runs, set, n, hybridCurves(set, n, docsExact, hybrid));
        }
      }
    }
    if (config.only() != null) {
      runs.removeIf(r -> r.method().matches(config.only()) == false);
    }
    return measure(runs, data.queries());
  }

  /** Adds a run for every swept ef of every curve, curve by curve. */
  private void addRuns(List<Run> runs, IndexSet set, int n, List<Curve> curves) {
    for (Curve c : curves) {
      for (int ef : efs(n, c.defaultEf())) {
        runs.add(
            new Run(
                c.method(), set.quantization().id(), n, ef, ef == c.defaultEf(), c.search().apply(ef), c.map(),
                c.exact()));
      }
    }
  }

  /** The curves of one index set for n hits ({@link #METHODS}). */
  private List<Curve> curves(IndexSet set, int n, Exact docsExact) {
    PefaSchema schema = set.schema();
    IndexSearcher pefa = set.pefa();
    PefaQuantization quant = set.quantization();
    float oversample = config.oversample();
    Exact xsExact =
        new Exact(q -> pefa.search(xs(schema, q, n, AnnEffort.EXHAUSTIVE), n).scoreDocs, set.pefaMap());
    int kTop = topK(n);
    Exact xlExact =
        new Exact(q -> pefa.search(xl(schema, q, n, kTop, AnnEffort.EXHAUSTIVE), n).scoreDocs, set.pefaMap());
    int xsDefault = AnnEffort.defaultEf(PefaMode.XS, n);
    int xlDefault = AnnEffort.defaultEf(PefaMode.XL, n);
    return List.of(
        new Curve(
            "stock", n, set.stockMap(), docsExact,
            ef ->
                q -> set.stock().search(StockKnn.query(BenchRunner.STOCK_FIELD, q, n, ef, quant, oversample), n).scoreDocs),
        new Curve(
            "floor", xlDefault, set.stockMap(), docsExact,
            ef -> {
              // PEFA-XL's memory search: k neighbours with its memory beam (a beam below k is k)
              int memBeam = Math.max(config.k(), AnnEffort.ef(ef).forMemory(config.k()).efSearch());
              return q -> {
                ScoreDoc[] top =
                    set.stock().search(StockKnn.query(BenchRunner.STOCK_FIELD, q, n, ef, quant, oversample), n).scoreDocs;
                set.stockMem()
                    .search(StockKnn.query(BenchRunner.STOCK_FIELD, q, config.k(), memBeam, quant, oversample), config.k());
                return top;
              };
            }),
        new Curve(
            "xs", xsDefault, set.pefaMap(), xsExact,
            atEffort(effort -> q -> pefa.search(xs(schema, q, n, effort), n).scoreDocs)),
        new Curve(
            "xl", xlDefault, set.pefaMap(), xlExact,
            atEffort(effort -> q -> pefa.search(xl(schema, q, n, kTop, effort), n).scoreDocs)));
  }

  /** The hybrid curves of one index set for n hits ({@link #HYBRID_METHODS}). */
  private List<Curve> hybridCurves(IndexSet set, int n, Exact docsExact, HybridMethods hybrid) {
    PefaSchema schema = set.schema();
    IndexSearcher pefa = set.pefa();
    PefaQuantization quant = set.quantization();
    int kTop = topK(n);
    AnnEffort all = AnnEffort.EXHAUSTIVE;
    Exact ermExact =
        new Exact(q -> pefa.search(hybrid.fuse(hybrid.erm(schema, q, n, all), q), n).scoreDocs, set.pefaMap());
    Exact xsExact = new Exact(q -> pefa.search(hybrid.fuse(xs(schema, q, n, all), q), n).scoreDocs, set.pefaMap());
    Exact xlExact =
        new Exact(q -> pefa.search(hybrid.fuse(xl(schema, q, n, kTop, all), q), n).scoreDocs, set.pefaMap());
    int xsDefault = AnnEffort.defaultEf(PefaMode.XS, n);
    int xlDefault = AnnEffort.defaultEf(PefaMode.XL, n);
    return List.of(
        new Curve(
            "bm25+knn", n, set.stockMap(), docsExact,
            ef -> q -> hybrid.floor(
                set.stock(), StockKnn.query(BenchRunner.STOCK_FIELD, q, n, ef, quant, config.oversample()), q, n)),
        new Curve(
            "erm+bm25", xlDefault, set.pefaMap(), ermExact,
            atEffort(effort -> q -> pefa.search(hybrid.fuse(hybrid.erm(schema, q, n, effort), q), n).scoreDocs)),
        new Curve(
            "xs+bm25", xsDefault, set.pefaMap(), xsExact,
            atEffort(effort -> q -> pefa.search(hybrid.fuse(xs(schema, q, n, effort), q), n).scoreDocs)),
        new Curve(
            "xl+bm25", xlDefault, set.pefaMap(), xlExact,
            atEffort(effort -> q -> pefa.search(hybrid.fuse(xl(schema, q, n, kTop, effort), q), n).scoreDocs)));
  }

  /** The search at an ef of a method searched with {@link AnnEffort#ef(int)}: the effort made once per ef. */
  private static IntFunction<Search> atEffort(Function<AnnEffort, Search> search) {
    return ef -> search.apply(AnnEffort.ef(ef));
  }

  /** The swept ef values for n hits: those at least n, and the default. */
  private int[] efs(int n, int defaultEf) {
    return Arrays.stream(Arrays.copyOf(options.efs(), options.efs().length + 1))
        .map(ef -> ef == 0 ? defaultEf : ef)
        .filter(ef -> ef >= n)
        .distinct()
        .sorted()
        .toArray();
  }

  private PefaQuery xs(PefaSchema schema, float[] q, int n, AnnEffort effort) {
    return config.xs(schema, q, n).effort(effort).build();
  }

  private PefaQuery xl(PefaSchema schema, float[] q, int n, int topK, AnnEffort effort) {
    return config.xl(schema, q, n, topK).effort(effort).build();
  }

  private List<Point> measure(List<Run> runs, float[][] queries) throws IOException {
    int nq = queries.length;
    int total = Math.max(options.minTimed(), nq);
    int block = Math.min(nq, 50);
    log.printf(Locale.ROOT, "pareto: warming up %d points...%n", runs.size());
    for (Run r : runs) {
      BenchTiming.warmUp(r.search(), queries, options.warmupSeconds());
    }
    long[][] lat = new long[runs.size()][total];
    int[][][] results = new int[runs.size()][nq][];
    log.printf(Locale.ROOT, "pareto: timing %d queries per point in blocks of %d...%n", total, block);
    try (ProgressBar bar = new ProgressBar("pareto", (long) total * runs.size(), "queries")) {
      for (int from = 0; from < total; from += block) {
        int to = Math.min(total, from + block);
        for (int ri = 0; ri < runs.size(); ri++) {
          Run r = runs.get(ri);
          for (int j = from; j < to; j++) {
            long t0 = System.nanoTime();
            ScoreDoc[] hits = r.search().run(queries[j % nq]);
            lat[ri][j] = System.nanoTime() - t0;
            if (j < nq) {
              results[ri][j] = BenchTiming.map(hits, r.map());
            }
          }
          bar.advance(to - from);
        }
      }
    }
    Map<Exact, int[][]> exactCache = new IdentityHashMap<>();
    List<Point> points = new ArrayList<>();
    for (int ri = 0; ri < runs.size(); ri++) {
      Run r = runs.get(ri);
      int[][] exact = exactCache.get(r.exact());
      if (exact == null) {
        exact = new int[nq][];
        for (int i = 0; i < nq; i++) {
          exact[i] = BenchTiming.map(r.exact().search().run(queries[i]), r.exact().map());
        }
        exactCache.put(r.exact(), exact);
      }
      double recall = 0;
      for (int i = 0; i < nq; i++) {
        recall += BenchTiming.overlap(results[ri][i], exact[i], r.n());
      }
      long[] sorted = lat[ri].clone();
      Arrays.sort(sorted);
      double median =
          (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2.0 / 1e6;
      Point p = new Point(r.method(), r.n(), r.ef(), r.isDefault(), recall / nq, median, r.quantization());
      log.printf(
          Locale.ROOT,
          "  %-5s %-6s n %4d ef %5d%s  recall %.4f  median %8.3f ms%n",
          p.method(),
          p.quantization(),
          p.n(),
          p.ef(),
          p.isDefault() ? "*" : " ",
          p.recall(),
          p.latencyMs());
      points.add(p);
    }
    return points;
  }
}
