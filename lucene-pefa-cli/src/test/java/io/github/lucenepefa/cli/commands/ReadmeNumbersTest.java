package io.github.lucenepefa.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every retrieval metric README.md prints is one the regression files pin ({@code regressions/scifact-*.json},
 * which {@link ScifactRegressionTest} checks against {@code pefa eval}), so a change that moves a figure fails here
 * until the README says it. It reads the files only (fast):
 *
 * <ul>
 *   <li>each row of a metric table (columns {@code R@10}, {@code R@20}, {@code R@100}, {@code nDCG@10},
 *       {@code MRR@10}, a {@code + BM25} column being the row's method fused with BM25) equals, digit for digit,
 *       the values of one entry of its model's file: {@code expected}, a {@code variants} row or a {@code quantized}
 *       row; a difference printed beside a value, {@code 0.7342 (+0.0891)}, is the difference of the two pinned
 *       values, and a row of the {@code gain over ERM} table is the relative gain of one entry's values;
 *   <li>a {@code dev nDCG@10} column equals the entry's {@code dev} figure of the row's method (the dev-split
 *       figures {@code pefa tune} prints, pinned as documented figures: no test recomputes them);
 *   <li>each other four-decimal figure in the text is a pinned value (test metrics, dev figures, the test-split
 *       ceiling {@code test_ceiling}, published figures); a difference, a three-decimal figure or a p-value is one that
 *       an item of a file's {@code readme_figures} derives from its pins (JSON pointers: one value rounded, the
 *       difference of two, or for {@code p ≤ x} / {@code p ≥ x} the largest / smallest of several rounded up / down),
 *       and every such item is printed. The p-values are those {@link ScifactRegressionTest} recomputes ({@code
 *       p_values}, {@code p_values_between_settings}); the dev figures and the ceiling are documented figures.
 * </ul>
 *
 * It also checks that the quick-start table appears once and that the README names the default index folder.
 */
class ReadmeNumbersTest {

  static final List<String> METRICS = List.of("R@10", "R@20", "R@100", "nDCG@10", "MRR@10");
  static final List<String> METHODS =
      List.of("ERM", "PEFA-XS", "PEFA-XL", "BM25", "ERM+BM25", "PEFA-XS+BM25", "PEFA-XL+BM25");
  /** The quick-start table's header: the table {@code pefa demo} prints, with its default model. */
  static final String QUICK_START_HEADER = "| method | R@10 | R@20 | R@100 | nDCG@10 | MRR@10 |";
  static final String DEFAULT_MODEL = "all-minilm-l6-v2";

  /** One set of pinned metrics: method -> metric -> value, and its dev-split figures (method -> metric -> value). */
  record Entry(String model, String name, Map<String, Map<String, Double>> values, Map<String, Map<String, Double>> dev) {
    Double value(String method, String metric) {
      Map<String, Double> m = values.get(method);
      return m == null ? null : m.get(metric);
    }

    Double dev(String method, String metric) {
      Map<String, Double> m = dev.get(method);
      return m == null ? null : m.get(metric);
    }
  }

  static List<Entry> entries() throws Exception {
    List<Entry> out = new ArrayList<>();
    for (Path file : ScifactRegressionTest.regressions()) {
      JsonNode reg = ScifactRegressionTest.regression(file);
      String model = reg.path("model").asText();
      out.add(new Entry(model, file.getFileName() + " expected", read(reg.path("expected")), read(reg.path("dev"))));
      for (String list : List.of("variants", "quantized")) {
        int i = 0;
        for (JsonNode row : reg.path(list)) {
          String name = row.path("name").asText(row.path("quantization").asText(String.valueOf(i)));
          out.add(new Entry(model, file.getFileName() + " " + list + " " + name, read(row.path("expected")),
              read(row.path("dev"))));
          i++;
        }
      }
    }
    return out;
  }

  /** The test-split ceilings of the regression files ({@code test_ceiling}), one entry per file. */
  static List<Entry> ceilings() throws Exception {
    List<Entry> out = new ArrayList<>();
    for (Path file : ScifactRegressionTest.regressions()) {
      JsonNode reg = ScifactRegressionTest.regression(file);
      out.add(new Entry(reg.path("model").asText(), file.getFileName() + " test_ceiling",
          read(reg.path("test_ceiling").path("expected")), Map.of()));
    }
    return out;
  }

  private static Map<String, Map<String, Double>> read(JsonNode expected) {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> method = it.next();
      Map<String, Double> metrics = new LinkedHashMap<>();
      method.getValue().fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
      out.put(method.getKey(), metrics);
    }
    return out;
  }

  static String readme() throws Exception {
    return Files.readString(ScifactRegressionTest.repo().resolve("README.md"), StandardCharsets.UTF_8);
  }

  static String fourDecimals(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  /** The model a table row names ("all-MiniLM-L6-v2", "bge-small-en-v1.5"), as the regression files spell it. */
  static String model(String cell) {
    String c = cell.toLowerCase(Locale.ROOT);
    return c.contains("minilm") ? DEFAULT_MODEL : c.contains("bge-small") ? "bge-small-en-v1.5" : null;
  }

  /** The method a row label names: a method's name, or (a PEFA-XL vote's description) PEFA-XL. */
  static String method(String label) {
    String l = label.replace("*", "").trim();
    if (METHODS.contains(l)) {
      return l;
    }
    for (String m : List.of("PEFA-XS", "ERM")) {
      if (l.startsWith(m)) {
        return m;
      }
    }
    return "PEFA-XL";
  }

  static List<String> cells(String line) {
    String t = line.trim();
    List<String> out = new ArrayList<>();
    for (String c : t.substring(1, t.length() - (t.endsWith("|") ? 1 : 0)).split("\\|", -1)) {
      out.add(c.trim());
    }
    return out;
  }

  /** The checks of one table row against one entry; null when it matches, else what differs. */
  static String mismatch(Entry e, String method, List<String[]> checks) {
    List<String> diffs = new ArrayList<>();
    for (String[] c : checks) { // {kind, method, metric, cell}
      String m = c[1].equals("+BM25") ? (method.equals("ERM") || method.startsWith("PEFA") ? method + "+BM25" : null) : c[1];
      Double v = m == null ? null : c[0].equals("dev") ? e.dev(m, c[2]) : e.value(m, c[2]);
      if (v == null) {
        diffs.add((c[0].equals("dev") ? "dev " : "") + c[2] + " of " + m + " not pinned");
        continue;
      }
      String cell = c[3];
      switch (c[0]) {
        case "dev" -> {
          if (!cell.equals(fourDecimals(v))) {
            diffs.add(m + " dev " + c[2] + ": README " + cell + ", pinned " + fourDecimals(v));
          }
        }
        case "value" -> {
          String shown = cell.split(" ")[0];
          if (!shown.equals(fourDecimals(v))) {
            diffs.add(m + " " + c[2] + ": README " + shown + ", pinned " + fourDecimals(v));
          }
          Matcher delta = Pattern.compile("\\(([+−-])(\\d\\.\\d{4})\\)").matcher(cell);
          if (delta.find()) {
            Double base = e.value(method, c[2]);
            double d = (delta.group(1).equals("+") ? 1 : -1) * Double.parseDouble(delta.group(2));
            if (base == null || Math.abs(d - (v - base)) > 1.1e-4) {
              diffs.add(m + " " + c[2] + ": README difference " + d + ", pinned " + (base == null ? "none" : fourDecimals(v - base)));
            }
          }
        }
        case "gain" -> {
          Double erm = e.value("ERM", c[2]);
          if (erm == null) {
            diffs.add("ERM " + c[2] + " not pinned");
            continue;
          }
          double shown = Double.parseDouble(cell.replace("%", "").replace("+", ""));
          double gain = (v / erm - 1) * 100;
          // the README rounds the gain of the unrounded metrics to 0.1 %; the pinned values are rounded to 4
          // decimals, which moves the gain by up to 100 * 0.00005 * (1 + v / erm) / erm (about 0.012 %)
          double slack = 0.05 + 100 * 0.00005 * (1 + v / erm) / erm + 1e-9;
          if (!(Math.abs(shown - gain) <= slack)) {
            diffs.add(m + " " + c[2] + ": README gain " + cell + ", pinned " + String.format(Locale.ROOT, "%+.1f%%", gain));
          }
        }
        default -> throw new AssertionError(c[0]);
      }
    }
    return diffs.isEmpty() ? null : String.join("; ", diffs);
  }

  @Test
  void everyMetricTableRowIsPinned() throws Exception {
    List<Entry> entries = entries();
    List<String> lines = readme().lines().toList();
    List<String> failures = new ArrayList<>();
    int rows = 0;
    for (int i = 0; i + 2 < lines.size(); i++) {
      if (!lines.get(i).startsWith("|") || !lines.get(i + 1).startsWith("|---") || (i > 0 && lines.get(i - 1).startsWith("|"))) {
        continue;
      }
      List<String> header = cells(lines.get(i));
      boolean gainTable = header.get(0).startsWith("gain over ERM");
      if (header.stream().noneMatch(METRICS::contains)) {
        continue;
      }
      String model = null;
      for (int j = i + 2; j < lines.size() && lines.get(j).startsWith("|"); j++) {
        List<String> row = cells(lines.get(j));
        String label = null;
        List<String[]> checks = new ArrayList<>();
        String previousMetric = null;
        for (int c = 0; c < header.size() && c < row.size(); c++) {
          String h = header.get(c);
          if (h.equals("model")) {
            if (!row.get(c).isEmpty()) {
              model = model(row.get(c));
            }
          } else if (METRICS.contains(h)) {
            checks.add(new String[] {gainTable ? "gain" : "value", null, h, row.get(c)});
            previousMetric = h;
          } else if (h.equals("+ BM25") && previousMetric != null) {
            checks.add(new String[] {"value", "+BM25", previousMetric, row.get(c)});
          } else if (h.startsWith("dev ") && METRICS.contains(h.substring(4))) {
            checks.add(new String[] {"dev", null, h.substring(4), row.get(c)});
          } else if (label == null && !h.startsWith("dev") && !h.startsWith("`a`")) {
            label = row.get(c);
          }
        }
        String method = method(label);
        String rowModel = model == null ? DEFAULT_MODEL : model;
        for (String[] c : checks) {
          if (c[1] == null) {
            c[1] = method;
          }
        }
        List<String> misses = new ArrayList<>();
        boolean matched = false;
        for (Entry e : entries) {
          if (e.model().equals(rowModel)) {
            String miss = mismatch(e, method, checks);
            matched |= miss == null;
            if (miss != null) {
              misses.add(e.name() + ": " + miss);
            }
          }
        }
        if (!matched) {
          failures.add("README.md:" + (j + 1) + " " + lines.get(j) + "\n    no pinned entry of " + rowModel + " gives it:\n      "
              + String.join("\n      ", misses));
        }
        rows++;
      }
    }
    System.err.printf("README: %d metric table rows compared with the regression files%n", rows);
    assertTrue(rows >= 25, "metric table rows found: " + rows);
    assertTrue(failures.isEmpty(), "README figures the regression files do not pin:\n" + String.join("\n", failures));
  }

  /** One figure of README.md's text derived from pins ({@code readme_figures}): its text and its derivation. */
  record Derived(String file, String text, List<Double> values, String note) {

    /** The figure the derivation gives, rounded as {@code text} shows it ({@code p ≤}: up, {@code p ≥}: down). */
    String figure() {
      String shown = text.replaceAll("^p [=≤≥<>] ", "").replace("+", "").replace("−", "-");
      int decimals = shown.length() - shown.indexOf('.') - 1;
      java.math.BigDecimal v;
      java.math.RoundingMode mode = java.math.RoundingMode.HALF_UP;
      if (text.startsWith("p ≤") || text.startsWith("p <")) {
        v = java.math.BigDecimal.valueOf(values.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        mode = java.math.RoundingMode.CEILING;
      } else if (text.startsWith("p ≥") || text.startsWith("p >")) {
        v = java.math.BigDecimal.valueOf(values.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
        mode = java.math.RoundingMode.FLOOR;
      } else if (values.size() == 2) {
        v = java.math.BigDecimal.valueOf(values.get(0)).subtract(java.math.BigDecimal.valueOf(values.get(1)));
      } else if (values.size() == 1) {
        v = java.math.BigDecimal.valueOf(values.get(0));
      } else {
        throw new AssertionError(file + ": " + text + " needs one or two pointers, or a p bound");
      }
      String out = v.setScale(decimals, mode).toPlainString();
      return text.startsWith("p ") ? text.substring(0, 4) + out
          : (out.startsWith("-") ? "−" + out.substring(1) : (text.startsWith("+") ? "+" : "") + out);
    }
  }

  /** The {@code readme_figures} of every regression file, their pointers resolved. */
  static List<Derived> derived() throws Exception {
    List<Derived> out = new ArrayList<>();
    for (Path file : ScifactRegressionTest.regressions()) {
      JsonNode reg = ScifactRegressionTest.regression(file);
      for (JsonNode item : reg.path("readme_figures")) {
        List<Double> values = new ArrayList<>();
        for (JsonNode pointer : item.path("of")) {
          JsonNode v = reg.at(pointer.asText());
          assertTrue(v.isNumber(), file.getFileName() + ": " + pointer.asText() + " is no pinned number");
          values.add(v.asDouble());
        }
        out.add(new Derived(file.getFileName().toString(), item.path("text").asText(), values, item.path("note").asText()));
      }
    }
    return out;
  }

  @Test
  void everyFigureInTheTextIsPinned() throws Exception {
    List<Entry> entries = new ArrayList<>(entries());
    entries.addAll(ceilings());
    List<Double> pinned = new ArrayList<>();
    for (Entry e : entries) {
      e.values().values().forEach(m -> pinned.addAll(m.values()));
      e.dev().values().forEach(m -> pinned.addAll(m.values()));
    }
    for (Path file : ScifactRegressionTest.regressions()) {
      JsonNode reg = ScifactRegressionTest.regression(file);
      for (String key : List.of("published", "published_BM25")) {
        reg.path(key).fields().forEachRemaining(f -> {
          if (f.getValue().isNumber()) {
            pinned.add(f.getValue().asDouble());
          }
        });
      }
    }
    List<Derived> derived = derived();
    List<String> failures = new ArrayList<>();
    for (Derived d : derived) { // each derivation gives the figure it names
      if (!d.figure().equals(d.text())) {
        failures.add(d.file() + " readme_figures: " + d.text() + " (" + d.note() + ") is " + d.figure() + " by its pins "
            + d.values());
      }
    }
    java.util.Set<String> given = new java.util.HashSet<>();
    for (Derived d : derived) {
      if (d.figure().equals(d.text())) {
        given.add(d.text());
      }
    }
    StringBuilder text = new StringBuilder();
    for (String line : readme().lines().toList()) {
      if (!line.startsWith("|")) {
        text.append(line).append('\n');
      }
    }
    java.util.Set<String> printed = new java.util.HashSet<>();
    int figures = 0;
    // p-values, then four- and three-decimal figures: a pinned four-decimal value as printed, else a derived figure
    Matcher m = Pattern.compile("p [=≤≥<>] \\d\\.\\d+|(?<![\\d.])[+−-]?\\d\\.\\d{3,4}(?![\\d.])").matcher(text);
    while (m.find()) {
      String figure = m.group();
      printed.add(figure);
      boolean ok = given.contains(figure)
          || (figure.matches("\\d\\.\\d{4}") && pinned.stream().anyMatch(p -> fourDecimals(p).equals(figure)));
      if (!ok) {
        failures.add(figure + " in \"..." + context(text, m.start(), m.end()) + "...\": no pinned value, and no"
            + " readme_figures item of a regression file gives it");
      }
      figures++;
    }
    for (Derived d : derived) {
      if (!printed.contains(d.text())) {
        failures.add(d.file() + " readme_figures: " + d.text() + " (" + d.note() + ") is not in README.md");
      }
    }
    System.err.printf("README: %d figures of the text (%d derived) compared with the regression files%n", figures,
        derived.size());
    assertTrue(figures >= 10, "figures found: " + figures);
    assertTrue(failures.isEmpty(), "README figures no regression file pins:\n" + String.join("\n", failures));
  }

  private static String context(CharSequence text, int start, int end) {
    return text.subSequence(Math.max(0, start - 60), Math.min(text.length(), end + 20)).toString().replace('\n', ' ');
  }

  @Test
  void theQuickStartTableAppearsOnceAndTheDefaultIndexFolderIsNamed() throws Exception {
    String readme = readme();
    assertEquals(1, readme.split(Pattern.quote(QUICK_START_HEADER), -1).length - 1, "quick-start tables in README.md");
    assertTrue(readme.contains("`work/scifact/index-all-minilm-l6-v2`"), "the demo's index folder");
    Path index = new Common().defaultIndex(); // what every command uses without --index
    assertTrue(index.endsWith(Path.of("work", "scifact", "index-all-minilm-l6-v2")), index.toString());
    assertTrue(readme.contains("`work/<dataset>/index-<model>`"), "every command's default index folder");
  }
}
