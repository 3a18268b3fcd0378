package io.github.lucenepefa.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.lucenepefa.cli.bench.ParetoSweep.Point;
import io.github.lucenepefa.cli.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The files of {@code pefa bench --pareto --out DIR}: {@code pareto.json} (every point), {@code
 * pareto.png} (log latency against recall, one curve per method, quantization and n) and {@code
 * pareto.md} (the latency ratios at equal recall, then every point). With several quantizations
 * every table has a row per quantization, and the equal-recall ratios compare methods of the same
 * quantization; a second table compares each quantized curve with the float curve of its method.
 */
final class ParetoReport {

  /** Recall levels at which the report compares latencies. */
  static final double[] EQUAL_RECALL = {0.95, 0.99};

  private ParetoReport() {}

  /**
   * Writes {@code pareto.json}: a list of {@code {"method", "n", "ef", "default", "recall",
   * "latency_ms", "quantization"}} (quantization: {@code none}, {@code int8}, {@code int4} or {@code
   * binary}).
   *
   * @param points the points
   * @param file the JSON file
   * @throws IOException on write errors
   */
  static void writeJson(List<Point> points, Path file) throws IOException {
    List<Map<String, Object>> list = new ArrayList<>();
    for (Point p : points) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("method", p.method());
      m.put("n", p.n());
      m.put("ef", p.ef());
      m.put("default", p.isDefault());
      m.put("recall", p.recall());
      m.put("latency_ms", p.latencyMs());
      m.put("quantization", p.quantization());
      list.add(m);
    }
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), list);
  }

  /**
   * Reads a {@code pareto.json} (a point without {@code "quantization"} is of float graphs).
   *
   * @param file the JSON file
   * @return the points
   * @throws IOException on read errors or a malformed file
   */
  static List<Point> readJson(Path file) throws IOException {
    List<Point> out = new ArrayList<>();
    for (JsonNode x : new ObjectMapper().readTree(file.toFile())) {
      for (String f : List.of("method", "n", "ef", "default", "recall", "latency_ms")) {
        if (x.has(f) == false) {
          throw new IOException(file + ": a point has no \"" + f + "\"");
        }
      }
      out.add(
          new Point(
              x.get("method").asText(),
              x.get("n").asInt(),
              x.get("ef").asInt(),
              x.get("default").asBoolean(),
              x.get("recall").asDouble(),
              x.get("latency_ms").asDouble(),
              x.has("quantization") ? x.get("quantization").asText() : "none"));
    }
    return out;
  }

  /** One method's points of float graphs for n hits, by ef. */
  static List<Point> curve(List<Point> points, String method, int n) {
    return curve(points, method, "none", n);
  }

  /** One method's points of one quantization for n hits, by ef. */
  static List<Point> curve(List<Point> points, String method, String quantization, int n) {
    return points.stream()
        .filter(p -> p.method().equals(method) && p.n() == n && p.quantization().equals(quantization))
        .sorted(Comparator.comparingInt(Point::ef))
        .toList();
  }

  /** The quantizations of the points, in the order of {@code PefaQuantization}. */
  static List<String> quantizations(List<Point> points) {
    List<String> order = List.of("none", "int8", "int4", "binary");
    return points.stream()
        .map(Point::quantization)
        .distinct()
        .sorted(Comparator.comparingInt(order::indexOf))
        .toList();
  }

  /** The numbers of hits of the points, ascending. */
  static List<Integer> hits(List<Point> points) {
    return new ArrayList<>(new TreeSet<>(points.stream().map(Point::n).toList()));
  }

  /**
   * The latency at which a curve reaches {@code recall}: on its Pareto frontier (the points no
   * other point beats in both recall and latency), interpolated linearly in log latency between the
   * two frontier points around {@code recall}; the cheapest point's latency when every point is at
   * least that good; NaN when none reaches it.
   *
   * @param curve the points of one method
   * @param recall the recall level
   * @return the latency in ms
   */
  static double latencyAt(List<Point> curve, double recall) {
    List<Point> byRecall = new ArrayList<>(curve);
    byRecall.sort(Comparator.comparingDouble(Point::recall).reversed());
    List<Point> frontier = new ArrayList<>(); // descending recall, strictly descending latency
    for (Point p : byRecall) {
      if (frontier.isEmpty() || p.latencyMs() < frontier.get(frontier.size() - 1).latencyMs()) {
        frontier.add(p);
      }
    }
    if (frontier.isEmpty() || frontier.get(0).recall() < recall) {
      return Double.NaN;
    }
    for (int i = frontier.size() - 1; i >= 0; i--) {
      Point lo = frontier.get(i); // the cheapest frontier point with recall >= the level
      if (lo.recall() >= recall) {
        if (i == frontier.size() - 1 || lo.recall() == recall) {
          return lo.latencyMs();
        }
        Point below = frontier.get(i + 1);
        double t = (recall - below.recall()) / (lo.recall() - below.recall());
        return Math.exp(
            Math.log(below.latencyMs()) + t * (Math.log(lo.latencyMs()) - Math.log(below.latencyMs())));
      }
    }
    return Double.NaN;
  }

  /**
   * The report: for each n, the latency of each method at equal recall and the ratios the targets
   * name (PEFA-XS to stock, PEFA-XL to the floor and to stock), then the default points, then every
   * point.
   *
   * @param points the points
   * @param header lines to put first (data set, machine), may be empty
   * @return Markdown
   */
  static String markdown(List<Point> points, String header) {
    StringBuilder sb = new StringBuilder(header);
    sb.append("### Latency at equal recall (median ms, interpolated; ratio in the same run)\n\n");
    sb.append("| quantization | n | recall | stock | floor | PEFA-XS | PEFA-XL | XS × stock | XL × floor | XL × stock |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    List<String> quants = quantizations(points);
    for (String qz : quants) {
      for (int n : hits(points)) {
        for (double r : EQUAL_RECALL) {
          double stock = latencyAt(curve(points, "stock", qz, n), r);
          double floor = latencyAt(curve(points, "floor", qz, n), r);
          double xs = latencyAt(curve(points, "xs", qz, n), r);
          double xl = latencyAt(curve(points, "xl", qz, n), r);
          sb.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %d | %.2f | %s | %s | %s | %s | %s | %s | %s |%n",
                  qz,
                  n,
                  r,
                  ms(stock),
                  ms(floor),
                  ms(xs),
                  ms(xl),
                  ratio(xs, stock),
                  ratio(xl, floor),
                  ratio(xl, stock)));
        }
      }
    }
    if (points.stream().anyMatch(p -> ParetoSweep.HYBRID_METHODS.contains(p.method()))) {
      hybridTable(sb, points, quants);
    }
    if (quants.size() > 1 && quants.get(0).equals("none")) {
      sb.append("\n### Quantized × float at equal recall (same method, same run)\n\n");
      sb.append("| quantization | n | recall | stock | floor | PEFA-XS | PEFA-XL |\n|---|---:|---:|---:|---:|---:|---:|\n");
      for (String qz : quants.subList(1, quants.size())) {
        for (int n : hits(points)) {
          for (double r : EQUAL_RECALL) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f |", qz, n, r));
            for (String m : ParetoSweep.METHODS) {
              double lq = latencyAt(curve(points, m, qz, n), r);
              double lf = latencyAt(curve(points, m, "none", n), r);
              sb.append(' ').append(ratio(lq, lf)).append(" |");
            }
            sb.append('\n');
          }
        }
      }
    }
    sb.append("\n### Defaults (no effort given)\n\n");
    sb.append("| quantization | n | method | ef | recall | median ms | × stock default |\n|---|---:|---|---:|---:|---:|---:|\n");
    for (String qz : quants) {
      for (int n : hits(points)) {
        Point stockDefault = defaultPoint(points, "stock", qz, n);
        for (String m : ParetoSweep.ALL_METHODS) {
          Point p = defaultPoint(points, m, qz, n);
          if (p != null) {
            sb.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %d | %s | %d | %.4f | %.3f | %s |%n",
                    qz,
                    n,
                    m,
                    p.ef(),
                    p.recall(),
                    p.latencyMs(),
                    stockDefault == null ? "–" : ratio(p.latencyMs(), stockDefault.latencyMs())));
          }
        }
      }
    }
    sb.append(
        "\n### Every point\n\n| method | quantization | n | ef | default | recall | median ms |\n"
            + "|---|---|---:|---:|---|---:|---:|\n");
    for (String qz : quants) {
      for (int n : hits(points)) {
        for (String m : ParetoSweep.ALL_METHODS) {
          for (Point p : curve(points, m, qz, n)) {
            sb.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %d | %s | %.4f | %.3f |%n",
                    m,
                    qz,
                    n,
                    p.ef(),
                    p.isDefault() ? "yes" : "",
                    p.recall(),
                    p.latencyMs()));
          }
        }
      }
    }
    return sb.toString();
  }

  /**
   * The hybrid methods at equal recall: each beside stock kNN, the hybrid floor (stock BM25 + stock kNN)
   * and its non-hybrid counterpart (ERM: stock kNN).
   */
  private static void hybridTable(StringBuilder sb, List<Point> points, List<String> quants) {
    sb.append("\n### Hybrid (--bm25-weight) latency at equal recall (median ms, interpolated; ratio in the same run)\n\n");
    sb.append("| quantization | n | recall | stock | BM25+kNN | ERM+BM25 | PEFA-XS+BM25 | PEFA-XL+BM25 | ERM+BM25 × stock"
        + " | XS+BM25 × XS | XL+BM25 × XL | XL+BM25 × BM25+kNN | XL+BM25 × stock |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String qz : quants) {
      for (int n : hits(points)) {
        for (double r : EQUAL_RECALL) {
          double stock = latencyAt(curve(points, "stock", qz, n), r);
          double floor = latencyAt(curve(points, "bm25+knn", qz, n), r);
          double erm = latencyAt(curve(points, "erm+bm25", qz, n), r);
          double xsh = latencyAt(curve(points, "xs+bm25", qz, n), r);
          double xlh = latencyAt(curve(points, "xl+bm25", qz, n), r);
          double xs = latencyAt(curve(points, "xs", qz, n), r);
          double xl = latencyAt(curve(points, "xl", qz, n), r);
          sb.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %d | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                  qz, n, r, ms(stock), ms(floor), ms(erm), ms(xsh), ms(xlh), ratio(erm, stock), ratio(xsh, xs),
                  ratio(xlh, xl), ratio(xlh, floor), ratio(xlh, stock)));
        }
      }
    }
  }

  private static Point defaultPoint(List<Point> points, String method, String quantization, int n) {
    return curve(points, method, quantization, n).stream().filter(Point::isDefault).findFirst().orElse(null);
  }

  private static String ms(double v) {
    return Double.isNaN(v) ? "not reached" : String.format(Locale.ROOT, "%.3f", v);
  }

  private static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) ? "–" : String.format(Locale.ROOT, "%.2f", a / b);
  }

  /**
   * Writes the chart: recall (x) against median latency on a log axis (y), one curve per method and
   * n (n = 10 dashed), the default points as their own markers.
   *
   * @param points the points
   * @param title the chart title
   * @param file the PNG
   * @throws IOException on write errors
   */
  static void writePng(List<Point> points, String title, Path file) throws IOException {
    List<Charts.Series> series = new ArrayList<>();
    List<Integer> hits = hits(points);
    for (int n : hits.reversed()) {
      for (String qz : quantizations(points)) {
        for (String m : ParetoSweep.ALL_METHODS) {
          List<Point> c = curve(points, m, qz, n);
          if (c.isEmpty()) {
            continue;
          }
          double[] x = c.stream().mapToDouble(Point::recall).toArray();
          double[] y = c.stream().mapToDouble(Point::latencyMs).toArray();
          String name = label(m) + (qz.equals("none") ? "" : " " + qz) + ", n=" + n;
          series.add(new Charts.Series(name, x, y, n == hits.get(hits.size() - 1)));
        }
      }
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Charts.recallVsLatency(
        file,
        title,
        "recall@n (overlap with the method's own exact top n; ef grows to the right)",
        "median latency, ms, 1 thread (log scale)",
        series);
  }

  private static String label(String method) {
    return switch (method) {
      case "stock" -> "stock kNN";
      case "floor" -> "floor (2 stock searches)";
      case "xs" -> "PEFA-XS";
      case "xl" -> "PEFA-XL";
      case "bm25+knn" -> "BM25 + stock kNN";
      case "erm+bm25" -> "ERM+BM25";
      case "xs+bm25" -> "PEFA-XS+BM25";
      case "xl+bm25" -> "PEFA-XL+BM25";
      default -> method;
    };
  }
}
