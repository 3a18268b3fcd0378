package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.bench.BenchRunner.Build;
import io.github.lucenepefa.cli.bench.BenchRunner.Record;
import io.github.lucenepefa.cli.bench.BenchRunner.Report;
import io.github.lucenepefa.cli.report.Charts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link Report}: text tables, Markdown and a recall-vs-QPS PNG, with the targets of {@link
 * BenchTargets}. A report saved by {@link BenchJson} is read back by it, so its tables and chart can be rendered
 * again without re-running the benchmark.
 */
public final class BenchReport {

  private BenchReport() {}

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
            "settings: n=%d, HNSW M=%d (PEFA-XS graph %d) beamWidth=%d, XL lambda=%s k=%d K=%d %s, XS lambda=%s%s, warm-up every query once then %.1f s/method, >= %d timed queries/method%n",
            c.n(),
            c.maxConn(),
            c.xsMaxConn(),
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
    List<BenchTargets.Target> targets = BenchTargets.of(r);
    if (targets.isEmpty() == false) {
      sb.append("\n### Targets\n");
      sb.append("\n| target | measured | limit | met |\n|---|---:|---:|---|\n");
      for (BenchTargets.Target t : targets) {
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

}
