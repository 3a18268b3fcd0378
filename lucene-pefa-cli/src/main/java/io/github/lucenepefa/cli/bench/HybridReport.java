package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.bench.BenchRunner.Record;
import io.github.lucenepefa.cli.bench.BenchRunner.Report;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hybrid table of {@code pefa bench --bm25-weight A} ({@link HybridMethods}): each hybrid method's
 * mean latency as a multiple of stock kNN's, of the hybrid floor's (stock BM25 + stock kNN) and of its
 * non-hybrid counterpart's, all at the same ef in the same run.
 */
final class HybridReport {

  private HybridReport() {}

  /** Each hybrid method and the method it adds BM25 to (ERM: stock kNN). */
  private static final Map<String, String> COUNTERPART = new LinkedHashMap<>();

  static {
    COUNTERPART.put(HybridMethods.STOCK_BM25, null);
    COUNTERPART.put("pefa-erm+bm25-exhaustive", "exact-scan-docs");
    COUNTERPART.put("pefa-xs+bm25-exhaustive", "pefa-xs-exhaustive");
    COUNTERPART.put("pefa-xl+bm25-exhaustive", "pefa-xl-exhaustive");
    COUNTERPART.put("lucene-knn", null);
    COUNTERPART.put(HybridMethods.FLOOR, "lucene-knn");
    COUNTERPART.put("pefa-erm+bm25", "lucene-knn");
    COUNTERPART.put("pefa-xs+bm25", "pefa-xs");
    COUNTERPART.put("pefa-xl+bm25", "pefa-xl");
  }

  /**
   * @param r the report
   * @return whether it has hybrid measurements
   */
  static boolean has(Report r) {
    return r.records().stream().anyMatch(x -> x.method().equals(HybridMethods.FLOOR));
  }

  /**
   * @param r the report, with hybrid measurements
   * @return a Markdown table and a line saying what the ratio columns are
   */
  static String table(Report r) {
    Map<String, Record> byKey = new LinkedHashMap<>();
    for (Record x : r.records()) {
      byKey.putIfAbsent(x.method() + "@" + x.ef(), x);
    }
    List<Integer> efs = r.records().stream().map(Record::ef).filter(ef -> ef > 0).distinct().sorted().toList();
    int first = efs.isEmpty() ? 0 : efs.get(0);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "BM25 weight a = %s%n%n", r.config().bm25Weight()));
    sb.append("| method | ef | mean (ms) | × stock kNN | × stock BM25+kNN | × without BM25 | p99 (ms) | QPS (")
        .append(r.config().threads())
        .append(" threads) | overlap@")
        .append(r.config().n())
        .append(" |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<String, String> e : COUNTERPART.entrySet()) {
      if (e.getKey().equals("lucene-knn") || e.getKey().equals(HybridMethods.FLOOR)) {
        continue; // rows of an ef
      }
      Record x = byKey.get(e.getKey() + "@0");
      if (x != null && x.ef() == 0) {
        row(sb, x, byKey.get("lucene-knn@" + first), byKey.get(HybridMethods.FLOOR + "@" + first),
            e.getValue() == null ? null : byKey.get(e.getValue() + "@0"));
      }
    }
    for (int ef : efs) {
      for (Map.Entry<String, String> e : COUNTERPART.entrySet()) {
        Record x = byKey.get(e.getKey() + "@" + ef);
        if (x != null) {
          row(sb, x, byKey.get("lucene-knn@" + ef), byKey.get(HybridMethods.FLOOR + "@" + ef),
              e.getValue() == null ? null : byKey.get(e.getValue() + "@" + ef));
        }
      }
    }
    sb.append(
        "\nRatios: mean latency over that of stock kNN (lucene-knn), of stock BM25 + stock kNN (lucene-bm25+knn) and"
            + " of the same method without BM25 (ERM: lucene-knn) at the same ef in the same run; the exact rows over"
            + " stock kNN and the floor at ef "
            + first
            + " and over the exact method without BM25; overlap@n with the same fusion scored exhaustively (stock rows:"
            + " with the exact kNN top n).\n");
    return sb.toString();
  }

  private static void row(StringBuilder sb, Record x, Record stock, Record floor, Record plain) {
    sb.append(
        String.format(
            Locale.ROOT,
            "| %s | %s | %.3f | %s | %s | %s | %.3f | %.0f | %.4f |%n",
            x.method(),
            x.ef() == 0 ? "exact" : Integer.toString(x.ef()),
            x.latencyMsMean(),
            ratio(x, stock),
            ratio(x, floor),
            ratio(x, plain),
            x.latencyMsP99(),
            x.qps(),
            x.overlapAtN()));
  }

  private static String ratio(Record x, Record base) {
    return base == null || base == x ? "–" : String.format(Locale.ROOT, "%.2f", x.latencyMsMean() / base.latencyMsMean());
  }
}
