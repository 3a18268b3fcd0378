package io.github.lucenepefa.cli.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Markdown results tables: methods as rows, metrics as columns (values with 4 decimals), followed by a second table
 * of the relative gain of every other method over a baseline (default {@code "ERM"}) in percent, {@code (m - b) / b
 * * 100}, written with a sign and one decimal ({@code +3.2%}); {@code n/a} where the baseline value is 0. The gain
 * table is omitted when the baseline is not among the methods.
 */
public final class MarkdownTable {

  /** The default baseline method name. */
  public static final String DEFAULT_BASELINE = "ERM";

  private MarkdownTable() {}

  /**
   * Renders with the {@link #DEFAULT_BASELINE}.
   *
   * @param methods method → (metric → value), in display order
   * @return the Markdown text
   */
  public static String render(Map<String, Map<String, Double>> methods) {
    return render(methods, DEFAULT_BASELINE);
  }

  /**
   * Renders the values table and the gain table.
   *
   * @param methods method → (metric → value), in display order; metrics are the union in first-seen order
   * @param baseline the method gains are relative to
   * @return the Markdown text (ends with a newline)
   */
  public static String render(Map<String, Map<String, Double>> methods, String baseline) {
    Set<String> metricSet = new LinkedHashSet<>();
    methods.values().forEach(m -> metricSet.addAll(m.keySet()));
    List<String> metrics = new ArrayList<>(metricSet);
    StringBuilder sb = new StringBuilder();
    header(sb, "method", metrics);
    for (Map.Entry<String, Map<String, Double>> e : methods.entrySet()) {
      sb.append("| ").append(escape(e.getKey()));
      for (String m : metrics) {
        Double v = e.getValue().get(m);
        sb.append(" | ").append(v == null ? "" : String.format(Locale.ROOT, "%.4f", v));
      }
      sb.append(" |\n");
    }
    Map<String, Double> base = methods.get(baseline);
    if (base != null && methods.size() > 1) {
      sb.append("\n");
      header(sb, "gain over " + escape(baseline), metrics);
      for (Map.Entry<String, Map<String, Double>> e : methods.entrySet()) {
        if (e.getKey().equals(baseline)) {
          continue;
        }
        sb.append("| ").append(escape(e.getKey()));
        for (String m : metrics) {
          Double v = e.getValue().get(m);
          Double b = base.get(m);
          String cell;
          if (v == null || b == null) {
            cell = "";
          } else if (b == 0) {
            cell = "n/a";
          } else {
            cell = String.format(Locale.ROOT, "%+.1f%%", (v - b) / b * 100);
          }
          sb.append(" | ").append(cell);
        }
        sb.append(" |\n");
      }
    }
    return sb.toString();
  }

  private static void header(StringBuilder sb, String first, List<String> metrics) {
    sb.append("| ").append(first);
    for (String m : metrics) {
      sb.append(" | ").append(escape(m));
    }
    sb.append(" |\n|---");
    for (int i = 0; i < metrics.size(); i++) {
      sb.append("|---:");
    }
    sb.append("|\n");
  }

  private static String escape(String s) {
    return s.replace("|", "\\|");
  }
}
