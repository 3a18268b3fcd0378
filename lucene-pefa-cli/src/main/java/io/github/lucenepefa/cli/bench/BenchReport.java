package io.github.lucenepefa.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.lucenepefa.cli.bench.BenchRunner.Build;
import io.github.lucenepefa.cli.bench.BenchRunner.Record;
import io.github.lucenepefa.cli.bench.BenchRunner.Report;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.lucenepefa.cli.report.Charts;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnWeighting;
import io.github.lucenepefa.scoring.KnnVote;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link Report}: text tables, Markdown, JSON and a recall-vs-QPS PNG; checks the targets. A report saved
 * with {@link #writeJson} is read back by {@link #readJson}, so its tables and chart can be rendered again without
 * re-running the benchmark.
 */
public final class BenchReport {

  private BenchReport() {}

  /** A performance target: a measured ratio or value against its limit. */
  public record Target(String name, double value, double limit, boolean atMost, String detail) {
    /**
     * @return whether the target is met
     */
    public boolean met() {
      return atMost ? value <= limit : value >= limit;
    }
  }

  private static String overlapName(Report r) {
    return "overlap_at_" + r.config().n();
  }

  /**
   * @param r the report
   * @return the header lines (data, SIMD, JVM, settings)
   */
  public static String header(Report r) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "data: %s — %d docs, %d memory rows (%d labels), %d query vectors, dim %d%n",
            r.dataset(),
            r.docs(),
            r.memoryRows(),
            r.labels(),
            r.queries(),
            r.dim()));
    sb.append(
        String.format(
            Locale.ROOT,
            "SIMD: %s (jdk.incubator.vector %s); JVM: %s; %d CPUs; QPS with %d threads%n",
            r.simd() ? "on" : "off",
            r.simd() ? "present" : "absent",
            r.javaVersion(),
            r.cpus(),
            r.config().threads()));
    BenchConfig c = r.config();
    sb.append(
        String.format(
            Locale.ROOT,
            "settings: n=%d, HNSW M=%d beamWidth=%d (all graphs), XL lambda=%s k=%d K=%d %s, XS lambda=%s%s, warm-up every query once then %.1f s/method, >= %d timed queries/method%n",
            c.n(),
            c.maxConn(),
            c.beamWidth(),
            c.xlLambda(),
            c.k(),
            c.topK(),
            c.voteLabel(),
            c.xsLambda(),
            c.xsAnyLambda() ? "" : " (e_d only)",
            c.warmupSeconds(),
            c.minTimedQueries()));
    if (c.quantization() != io.github.lucenepefa.codec.PefaQuantization.NONE || c.oversample() > 0) {
      sb.append(
          String.format(
              Locale.ROOT,
              "quantization: %s (PEFA's graphs and stock's, each graph's beam rescored with the float vectors),"
                  + " oversample %s%n",
              c.quantization().id(),
              c.oversample() > 0 ? Float.toString(c.oversample()) : "the quantization's default"));
    }
    return sb.toString();
  }

  /**
   * @param r the report
   * @return the build table (plain text, fixed width)
   */
  public static String buildTable(Report r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-14s %10s %12s  %s%n", "index", "build_s", "size_MB", "phases (s) / vector bytes per field (MB)"));
    for (Build b : r.builds()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-14s %10.2f %12.1f  %s %s%n",
              b.index(),
              b.seconds(),
              b.bytes() / 1e6,
              fmtMap(b.phases(), 2, 1),
              fmtMap(b.fieldBytes(), 1, 1e6)));
    }
    sb.append(String.format(Locale.ROOT, "heap used after build + open (after GC): %.0f MB%n", r.heapUsedMb()));
    return sb.toString();
  }

  /** One measurement row's values, in the column order of both tables. */
  private static Object[] cells(Record x) {
    return new Object[] {
      x.method(),
      x.ef() == 0 ? "-" : Integer.toString(x.ef()),
      x.topK() == 0 ? "-" : Integer.toString(x.topK()),
      x.latencyMsMean(),
      x.latencyMsP99(),
      x.qps(),
      x.overlapAtN(),
      x.nodesVisited(),
      x.allocBytesPerQuery()
    };
  }

  private static String fmtMap(Map<String, ? extends Number> m, int decimals, double div) {
    if (m.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    m.forEach(
        (k, v) ->
            parts.add(
                k + "=" + String.format(Locale.ROOT, "%." + decimals + "f", v.doubleValue() / div)));
    return "{" + String.join(", ", parts) + "}";
  }

  /**
   * @param r the report
   * @return the measurement table (plain text, fixed width)
   */
  public static String table(Report r) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%-24s %5s %5s %10s %10s %10s %10s %11s %12s%n",
            "method",
            "ef",
            "K",
            "mean_ms",
            "p99_ms",
            "qps",
            "overlap@" + r.config().n(),
            "visited",
            "alloc_B/q"));
    for (Record x : r.records()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-24s %5s %5s %10.3f %10.3f %10.1f %10.4f %11.0f %12.0f%n",
              cells(x)));
    }
    return sb.toString();
  }

  /** The methods of the summary table with an ef, in their order within one ef. */
  private static final List<String> SUMMARY_ANN =
      List.of(
          "lucene-knn",
          "pefa-xs",
          "pefa-xl",
          "lucene-knn-docs+memory",
          "lucene-knn-executor",
          "pefa-xl-executor",
          "lucene-knn-docs+memory-executor");

  /** The methods drawn first and with solid lines in the chart (the exact methods are points). */
  private static final List<String> CHART_PRIMARY = List.of("lucene-knn", "pefa-xs", "pefa-xl");

  /** The exact methods of the summary table, in order. */
  private static final List<String> SUMMARY_EXACT =
      List.of("exact-scan-docs", "pefa-xs-exhaustive", "pefa-xl-exhaustive", "exact-scan-docs+memory");

  /**
   * The summary table: stock Lucene kNN, PEFA-XS and PEFA-XL (and, where the run has them, the two-search floor and
   * the executor variants) at every ef, and the exact methods, with each method's mean latency as a multiple of stock
   * kNN's in the same run. Variants that only tune the measurement (graph-only, memory beams, K sweep) are left out;
   * the full table has them.
   *
   * @param r the report
   * @return a Markdown table and a line saying what the ratio column is
   */
  public static String summary(Report r) {
    Map<String, Record> byKey = new LinkedHashMap<>();
    for (Record x : r.records()) {
      byKey.putIfAbsent(x.method() + "@" + x.ef(), x);
    }
    List<Integer> efs = r.records().stream().map(Record::ef).filter(ef -> ef > 0).distinct().sorted().toList();
    Record firstStock = efs.isEmpty() ? null : byKey.get("lucene-knn@" + efs.get(0));
    StringBuilder sb = new StringBuilder();
    sb.append("| method | ef | mean (ms) | × stock kNN | p99 (ms) | QPS (")
        .append(r.config().threads())
        .append(" threads) | overlap@")
        .append(r.config().n())
        .append(" | vectors scored |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String m : SUMMARY_EXACT) {
      Record x = byKey.get(m + "@0");
      if (x != null) {
        summaryRow(sb, x, firstStock);
      }
    }
    for (int ef : efs) {
      for (String m : SUMMARY_ANN) {
        Record x = byKey.get(m + "@" + ef);
        if (x != null) {
          String base = m.endsWith("-executor") ? "lucene-knn-executor" : "lucene-knn";
          summaryRow(sb, x, byKey.get(base + "@" + ef));
        }
      }
    }
    sb.append("\n× stock kNN: mean latency over that of stock Lucene kNN at the same ef in the same run");
    List<String> notes = new ArrayList<>();
    if (r.records().stream().anyMatch(x -> x.method().endsWith("-executor"))) {
      notes.add("the executor variants over stock kNN with the executor");
    }
    if (firstStock != null && SUMMARY_EXACT.stream().anyMatch(m -> byKey.containsKey(m + "@0"))) {
      notes.add("the exact methods over stock kNN at ef " + firstStock.ef());
    }
    if (sb.indexOf("| – |") >= 0) {
      notes.add("– where the run has no such stock row");
    }
    sb.append(notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")").append(".\n");
    return sb.toString();
  }

  /** One row; {@code stock} is the row the ratio is taken to ({@code x} itself for stock kNN; null: none, "–"). */
  private static void summaryRow(StringBuilder sb, Record x, Record stock) {
    sb.append(
        String.format(
            Locale.ROOT,
            "| %s | %s | %.3f | %s | %.3f | %.0f | %.4f | %.0f |%n",
            x.method(),
            x.ef() == 0 ? "exact" : Integer.toString(x.ef()),
            x.latencyMsMean(),
            stock == null ? "–" : String.format(Locale.ROOT, "%.2f", x.latencyMsMean() / stock.latencyMsMean()),
            x.latencyMsP99(),
            x.qps(),
            x.overlapAtN(),
            x.nodesVisited()));
  }

  /**
   * @param r the report
   * @return Markdown: the header lines, then sections with the summary, the index builds, every measurement and the
   *     targets
   */
  public static String markdown(Report r) {
    StringBuilder sb = new StringBuilder();
    for (String line : header(r).split("\n")) {
      sb.append("- ").append(line).append('\n');
    }
    sb.append("\n### Summary\n\n").append(summary(r));
    if (HybridReport.has(r)) {
      sb.append("\n### Hybrid (BM25 + vectors)\n\n").append(HybridReport.table(r));
    }
    sb.append("\n### Index builds\n");
    sb.append("\n| index | build (s) | size (MB) | phases (s) | vector bytes per field (MB) |\n");
    sb.append("|---|---:|---:|---|---|\n");
    for (Build b : r.builds()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2f | %.1f | %s | %s |%n",
              b.index(),
              b.seconds(),
              b.bytes() / 1e6,
              fmtMap(b.phases(), 2, 1),
              fmtMap(b.fieldBytes(), 1, 1e6)));
    }
    sb.append(String.format(Locale.ROOT, "%nHeap used after build + open (after GC): %.0f MB.%n", r.heapUsedMb()));
    sb.append("\n### All measurements\n");
    sb.append("\n| method | ef | K | mean (ms) | p99 (ms) | QPS (")
        .append(r.config().threads())
        .append(" threads) | overlap@")
        .append(r.config().n())
        .append(" | visited | alloc (B/query) |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Record x : r.records()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %.3f | %.3f | %.1f | %.4f | %.0f | %.0f |%n",
              cells(x)));
    }
    List<Target> targets = targets(r);
    if (targets.isEmpty() == false) {
      sb.append("\n### Targets\n");
      sb.append("\n| target | measured | limit | met |\n|---|---:|---:|---|\n");
      for (Target t : targets) {
        sb.append(
            String.format(
                Locale.ROOT,
                "| %s%s | %.3f | %s %.3f | %s |%n",
                t.name(),
                t.detail().isEmpty() ? "" : " (" + t.detail() + ")",
                t.value(),
                t.atMost() ? "≤" : "≥",
                t.limit(),
                t.met() ? "yes" : "**no**"));
      }
    }
    return sb.toString();
  }

  /**
   * The issue's targets that this report can check (ratios from the same run).
   *
   * @param r the report
   * @return the targets
   */
  public static List<Target> targets(Report r) {
    List<Target> out = new ArrayList<>();
    Map<String, Record> byKey = new LinkedHashMap<>();
    for (Record x : r.records()) {
      byKey.put(x.method() + "@" + x.ef() + "/" + x.topK(), x);
    }
    for (Record x : r.records()) {
      if (x.method().equals("lucene-knn")) {
        Record xsGraph = byKey.get("pefa-xs-graph@" + x.ef() + "/0");
        Record xs = byKey.get("pefa-xs@" + x.ef() + "/0");
        Record xlGraph = byKey.get("pefa-xl-graph@" + x.ef() + "/" + r.config().topK());
        Record xl = byKey.get("pefa-xl@" + x.ef() + "/" + r.config().topK());
        if (xsGraph != null) {
          out.add(ratio("PEFA-XS graph / stock kNN latency, ef " + x.ef(), xsGraph, x, 1.05));
        }
        if (xs != null) {
          out.add(ratio("PEFA-XS auto / stock kNN latency, ef " + x.ef(), xs, x, 1.05));
        }
        if (xlGraph != null) {
          out.add(ratio("PEFA-XL graph / stock kNN latency, ef " + x.ef(), xlGraph, x, 1.6));
        }
        if (xl != null) {
          out.add(ratio("PEFA-XL auto / stock kNN latency, ef " + x.ef(), xl, x, 1.6));
        }
        Record two = byKey.get("lucene-knn-docs+memory@" + x.ef() + "/0");
        if (two != null) {
          out.add(
              ratio(
                  "floor of a two-graph PEFA-XL: stock kNN on docs + on memory / stock kNN, ef " + x.ef(),
                  two,
                  x,
                  1.6));
        }
      }
      if (x.method().equals("lucene-knn-executor")) {
        Record xl = byKey.get("pefa-xl-executor@" + x.ef() + "/" + r.config().topK());
        if (xl != null) {
          out.add(
              ratio(
                  "PEFA-XL / stock kNN latency, both with an executor, ef " + x.ef(), xl, x, 1.6));
        }
        Record two = byKey.get("lucene-knn-docs+memory-executor@" + x.ef() + "/0");
        if (two != null) {
          out.add(
              ratio(
                  "floor with an executor: stock kNN on docs + on memory at once / stock kNN, ef "
                      + x.ef(),
                  two,
                  x,
                  1.6));
        }
      }
    }
    Record scan = byKey.get("exact-scan-docs+memory@0/0");
    if (scan != null) {
      for (Record x : r.records()) {
        if (x.method().equals("pefa-xl")) {
          out.add(ratio("PEFA-XL auto / exact scan of docs+memory, ef " + x.ef(), x, scan, 2.0));
        }
      }
    }
    // issue 5: >= 0.99 on SciFact, >= 0.95 at 1M docs + 1M training queries (0.99 elsewhere)
    boolean million = r.docs() >= 1_000_000 && r.memoryRows() >= 1_000_000;
    double overlapLimit = million ? 0.95 : 0.99;
    String overlapDetail = million ? "target at 1M docs + 1M rows" : "SciFact target; 0.95 at 1M + 1M";
    for (Record x : r.records()) {
      if (x.method().startsWith("pefa-x") && x.ef() != 0 && x.method().contains("-K") == false
          && x.method().contains("+bm25") == false) {
        out.add(
            new Target(
                x.method() + " overlap@" + r.config().n() + " with exact, ef " + x.ef(),
                x.overlapAtN(),
                overlapLimit,
                false,
                overlapDetail));
      }
    }
    // the memory graph build: median over the repeated, interleaved builds of each side (over the
    // forks' builds only, when --build-forks ran); the fastest build of each side is shown next to
    // it, the target stays on the medians
    boolean forked = r.builds().stream().anyMatch(b -> b.index().contains("@"));
    List<Double> stockMem = new ArrayList<>();
    List<Double> pefaMem = new ArrayList<>();
    for (Build b : r.builds()) {
      String name = b.index();
      if (forked ? name.startsWith("stock-memory@") : name.equals("stock-memory") || name.startsWith("stock-memory#")) {
        stockMem.add(b.seconds());
      } else if ((forked ? name.startsWith("pefa-memory@") : name.equals("pefa") || name.startsWith("pefa-memory#"))
          && b.phases().containsKey("memory_rows")) {
        pefaMem.add(b.phases().get("memory_rows"));
      }
    }
    if (stockMem.isEmpty() == false && pefaMem.isEmpty() == false) {
      double stock = median(stockMem);
      double pefa = median(pefaMem);
      String detail =
          String.format(Locale.ROOT, "%.2f s vs %.2f s", pefa, stock)
              + (stockMem.size() > 1 || pefaMem.size() > 1
                  ? String.format(
                      Locale.ROOT,
                      forked
                          ? ", median of %d builds each, one of each per fresh JVM (fastest %.2f s vs %.2f s)"
                          : ", median of %d builds each, interleaved (fastest %.2f s vs %.2f s)",
                      Math.min(stockMem.size(), pefaMem.size()),
                      Collections.min(pefaMem),
                      Collections.min(stockMem))
                  : "");
      out.add(
          new Target(
              "memory graph build / stock HNSW build of the same vectors", pefa / stock, 1.1, true, detail));
    }
    return out;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }

  private static Target ratio(String name, Record a, Record b, double limit) {
    return new Target(
        name,
        a.latencyMsMean() / b.latencyMsMean(),
        limit,
        true,
        String.format(Locale.ROOT, "%.3f ms vs %.3f ms", a.latencyMsMean(), b.latencyMsMean()));
  }

  /**
   * @param r the report
   * @return the targets as text
   */
  public static String targetText(Report r) {
    StringBuilder sb = new StringBuilder("targets (ratios of means from this run):\n");
    for (Target t : targets(r)) {
      sb.append(
          String.format(
              Locale.ROOT,
              "  %-4s %-62s %8.3f %s %.3f  %s%n",
              t.met() ? "ok" : "MISS",
              t.name(),
              t.value(),
              t.atMost() ? "<=" : ">=",
              t.limit(),
              t.detail()));
    }
    return sb.toString();
  }

  /**
   * Writes the JSON file: one record per method and ANN setting ({@code method}, {@code ef}, {@code
   * latency_ms_mean}, {@code latency_ms_p99}, {@code qps}, {@code overlap_at_100}, ...), with the
   * build figures of the index it searched, and the run's header, build table and targets.
   *
   * @param r the report
   * @param file the output file
   * @throws IOException on write errors
   */
  public static void writeJson(Report r, Path file) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("dataset", r.dataset());
    root.put("docs", r.docs());
    root.put("memory_rows", r.memoryRows());
    root.put("labels", r.labels());
    root.put("queries", r.queries());
    root.put("dim", r.dim());
    root.put("simd", r.simd());
    root.put("java", r.javaVersion());
    root.put("cpus", r.cpus());
    BenchConfig c = r.config();
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("n", c.n());
    cfg.put("k", c.k());
    cfg.put("K", c.topK());
    cfg.put("xl_lambda", c.xlLambda());
    cfg.put("xs_lambda", c.xsLambda());
    cfg.put("knn_weighting", c.vote().weighting().name());
    cfg.put("knn_normalization", c.vote().normalization().name());
    cfg.put("temperature", c.vote().temperature());
    cfg.put("erm_score", c.ermMode().name());
    cfg.put("hnsw_max_conn", c.maxConn());
    cfg.put("hnsw_beam_width", c.beamWidth());
    cfg.put("threads", c.threads());
    cfg.put("warmup_seconds", c.warmupSeconds());
    cfg.put("warmup_full_pass", true);
    cfg.put("min_timed_queries", c.minTimedQueries());
    cfg.put("efs", c.efs());
    cfg.put("k_sweep", c.kSweep());
    cfg.put("xs_any_lambda", c.xsAnyLambda());
    cfg.put("graph_only", c.graphOnly());
    cfg.put("only", c.only());
    cfg.put("index_threads", c.indexThreads());
    cfg.put("force_merge", c.forceMerge());
    cfg.put("stock_memory", c.stockMemory());
    cfg.put("build_repeats", c.buildRepeats());
    cfg.put("ram_buffer_mb", c.ramBufferMb());
    cfg.put("quantization", c.quantization().id());
    cfg.put("oversample", c.oversample());
    if (c.hybrid()) {
      cfg.put("bm25_weight", c.bm25Weight());
    }
    root.put("config", cfg);
    Map<String, Build> builds = new LinkedHashMap<>();
    List<Object> buildList = new ArrayList<>();
    for (Build b : r.builds()) {
      builds.put(b.index(), b);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("index", b.index());
      m.put("build_s", b.seconds());
      m.put("size_bytes", b.bytes());
      m.put("phases_s", b.phases());
      m.put("field_vector_bytes", b.fieldBytes());
      buildList.add(m);
    }
    root.put("builds", buildList);
    root.put("heap_used_mb", r.heapUsedMb());
    List<Object> records = new ArrayList<>();
    for (Record x : r.records()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("method", x.method());
      m.put("ef", x.ef());
      m.put("latency_ms_mean", x.latencyMsMean());
      m.put("latency_ms_p99", x.latencyMsP99());
      m.put("qps", x.qps());
      m.put(overlapName(r), x.overlapAtN());
      m.put("K", x.topK());
      m.put("nodes_visited", x.nodesVisited());
      m.put("alloc_bytes_per_query", x.allocBytesPerQuery());
      m.put("timed_queries", x.timedQueries());
      Build b =
          x.method().startsWith("pefa")
              ? builds.get("pefa")
              : x.method().startsWith("lucene") ? builds.get("stock-docs") : null;
      m.put("index", b == null ? null : b.index());
      m.put("index_build_s", b == null ? null : b.seconds());
      m.put("index_size_bytes", b == null ? null : b.bytes());
      records.add(m);
    }
    root.put("records", records);
    List<Object> targets = new ArrayList<>();
    for (Target t : targets(r)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("target", t.name());
      m.put("value", t.value());
      m.put("limit", t.limit());
      m.put("at_most", t.atMost());
      m.put("met", t.met());
      m.put("detail", t.detail());
      targets.add(m);
    }
    root.put("targets", targets);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }

  /**
   * Writes the ann-benchmarks style chart: overlap@n with the exact result of the same mode (x) against QPS on a
   * logarithmic axis (y), one line per method over its ef values; exact methods are single points, the K sweep is
   * left out. Stock kNN, PEFA-XS and PEFA-XL come first (black, blue, red; thick lines), the variants that tune the
   * measurement after them (thin dashed lines).
   *
   * @param r the report
   * @param file the PNG
   * @throws IOException on write errors
   */
  public static void writePng(Report r, Path file) throws IOException {
    Map<String, List<Record>> byMethod = new LinkedHashMap<>();
    for (String m : CHART_PRIMARY) { // first, so that they take the chart's first colours and markers
      if (r.records().stream().anyMatch(x -> x.method().equals(m))) {
        byMethod.put(m, new ArrayList<>());
      }
    }
    for (Record x : r.records()) {
      if (x.method().contains("-K")) {
        continue;
      }
      byMethod.computeIfAbsent(x.method(), m -> new ArrayList<>()).add(x);
    }
    List<Charts.Series> series = new ArrayList<>();
    for (Map.Entry<String, List<Record>> e : byMethod.entrySet()) {
      List<Record> l = new ArrayList<>(e.getValue());
      l.sort((a, b) -> Integer.compare(a.ef(), b.ef()));
      double[] x = new double[l.size()];
      double[] y = new double[l.size()];
      for (int i = 0; i < l.size(); i++) {
        x[i] = l.get(i).overlapAtN();
        y[i] = l.get(i).qps();
      }
      boolean primary = CHART_PRIMARY.contains(e.getKey()) || l.stream().allMatch(z -> z.ef() == 0);
      series.add(new Charts.Series(e.getKey(), x, y, primary));
    }
    int n = r.config().n();
    Charts.recallVsQps(
        file,
        "Recall vs QPS: " + r.dataset(),
        "overlap@" + n + " (share of the exact top " + n + " found; ef grows to the right)",
        "queries per second, " + r.config().threads() + " threads (log scale)",
        series);
  }

  /**
   * Reads a report written by {@link #writeJson}: its tables and chart can then be rendered again. The targets are
   * recomputed from the records. Settings that the file does not hold (files written before they were added) take the
   * defaults of {@link BenchConfig#defaults()}, except that PEFA-XS counts as {@code e_d} only when the PEFA
   * index has no pair field.
   *
   * @param file the JSON file
   * @return the report
   * @throws IOException on read errors, or when the file is not a bench result (the message names the missing field)
   */
  public static Report readJson(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    if (root == null || root.isObject() == false) {
      throw new IOException(file + ": not a pefa bench JSON result (expected an object)");
    }
    JsonNode cfg = required(file, root, "config");
    List<Build> builds = new ArrayList<>();
    for (JsonNode b : required(file, root, "builds")) {
      Map<String, Double> phases = new LinkedHashMap<>();
      b.path("phases_s").fields().forEachRemaining(e -> phases.put(e.getKey(), e.getValue().asDouble()));
      Map<String, Long> fieldBytes = new LinkedHashMap<>();
      b.path("field_vector_bytes").fields().forEachRemaining(e -> fieldBytes.put(e.getKey(), e.getValue().asLong()));
      builds.add(
          new Build(
              required(file, b, "index").asText(),
              required(file, b, "build_s").asDouble(),
              phases,
              b.path("size_bytes").asLong(),
              fieldBytes));
    }
    int n = required(file, cfg, "n").asInt();
    List<Record> records = new ArrayList<>();
    for (JsonNode x : required(file, root, "records")) {
      records.add(
          new Record(
              required(file, x, "method").asText(),
              required(file, x, "ef").asInt(),
              x.path("K").asInt(),
              required(file, x, "latency_ms_mean").asDouble(),
              required(file, x, "latency_ms_p99").asDouble(),
              required(file, x, "qps").asDouble(),
              required(file, x, "overlap_at_" + n).asDouble(),
              x.path("nodes_visited").asDouble(),
              x.path("alloc_bytes_per_query").asDouble(),
              x.path("timed_queries").asInt()));
    }
    BenchConfig d = BenchConfig.defaults();
    boolean pairField =
        builds.stream()
            .filter(b -> b.index().equals("pefa"))
            .findFirst()
            .map(b -> b.fieldBytes().isEmpty() || b.fieldBytes().containsKey("pefa.xs"))
            .orElse(true);
    int[] efs =
        cfg.has("efs")
            ? ints(cfg.get("efs"))
            : records.stream().mapToInt(Record::ef).filter(ef -> ef > 0).distinct().sorted().toArray();
    BenchConfig config =
        new BenchConfig(
            efs,
            n,
            new KnnVote(
                cfg.path("k").asInt(d.vote().k()),
                KnnWeighting.valueOf(cfg.path("knn_weighting").asText(d.vote().weighting().name())),
                KnnNormalization.valueOf(
                    cfg.path("knn_normalization").asText(d.vote().normalization().name())),
                (float) cfg.path("temperature").asDouble(d.vote().temperature())),
            ErmScoreMode.valueOf(cfg.path("erm_score").asText(d.ermMode().name())),
            cfg.path("K").asInt(d.topK()),
            cfg.has("k_sweep") ? ints(cfg.get("k_sweep")) : d.kSweep(),
            (float) cfg.path("xl_lambda").asDouble(d.xlLambda()),
            (float) cfg.path("xs_lambda").asDouble(d.xsLambda()),
            cfg.path("hnsw_max_conn").asInt(d.maxConn()),
            cfg.path("hnsw_beam_width").asInt(d.beamWidth()),
            cfg.path("threads").asInt(d.threads()),
            cfg.path("warmup_seconds").asDouble(d.warmupSeconds()),
            cfg.path("min_timed_queries").asInt(d.minTimedQueries()),
            cfg.path("ram_buffer_mb").asDouble(d.ramBufferMb()),
            d.workDir(),
            false,
            cfg.path("graph_only").asBoolean(d.graphOnly()),
            cfg.hasNonNull("only") ? cfg.get("only").asText() : null,
            cfg.has("xs_any_lambda") ? cfg.get("xs_any_lambda").asBoolean() : pairField,
            cfg.path("index_threads").asInt(d.indexThreads()),
            cfg.path("force_merge").asBoolean(d.forceMerge()),
            cfg.path("stock_memory").asBoolean(d.stockMemory()),
            cfg.path("build_repeats").asInt(d.buildRepeats()),
            io.github.lucenepefa.codec.PefaQuantization.parse(cfg.path("quantization").asText("none")),
            (float) cfg.path("oversample").asDouble(0),
            cfg.hasNonNull("bm25_weight") ? (float) cfg.get("bm25_weight").asDouble() : Float.NaN);
    return new Report(
        required(file, root, "dataset").asText(),
        required(file, root, "docs").asInt(),
        required(file, root, "memory_rows").asInt(),
        root.path("labels").asLong(),
        required(file, root, "queries").asInt(),
        required(file, root, "dim").asInt(),
        root.path("simd").asBoolean(),
        root.path("java").asText(""),
        root.path("cpus").asInt(0),
        config,
        builds,
        root.path("heap_used_mb").asDouble(),
        records);
  }

  private static JsonNode required(Path file, JsonNode node, String field) throws IOException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IOException(file + ": not a pefa bench JSON result (no \"" + field + "\")");
    }
    return v;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
