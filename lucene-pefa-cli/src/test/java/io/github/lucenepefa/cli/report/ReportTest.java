package io.github.lucenepefa.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.cli.eval.ScoredDoc;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

class ReportTest {

  static Map<String, Map<String, Double>> methods() {
    Map<String, Map<String, Double>> m = new LinkedHashMap<>();
    m.put("ERM", metrics(0.80, 0.85, 0.95, 0.645, 0.60));
    m.put("PEFA-XS", metrics(0.84, 0.88, 0.96, 0.70, 0.66));
    m.put("PEFA-XL", metrics(0.86, 0.90, 0.95, 0.72, 0.0));
    return m;
  }

  static Map<String, Double> metrics(double r10, double r20, double r100, double ndcg, double mrr) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("R@10", r10);
    m.put("R@20", r20);
    m.put("R@100", r100);
    m.put("nDCG@10", ndcg);
    m.put("MRR@10", mrr);
    return m;
  }

  @Test
  void trecRunFormatAndRoundTrip(@TempDir Path dir) throws IOException {
    Map<String, List<ScoredDoc>> run = new LinkedHashMap<>();
    run.put("q2", List.of(new ScoredDoc("d9", 0.875), new ScoredDoc("d1", 0.5), new ScoredDoc("d3", -0.25)));
    run.put("q1", List.of(new ScoredDoc("d1", 1.0 / 3)));
    StringWriter w = new StringWriter();
    TrecRun.write(w, run, "pefa-xs", 2);
    assertEquals(
        "q2 Q0 d9 1 0.875 pefa-xs\nq2 Q0 d1 2 0.5 pefa-xs\nq1 Q0 d1 1 0.3333333333333333 pefa-xs\n",
        w.toString());
    Path f = dir.resolve("sub/run.trec");
    TrecRun.write(f, run, "t", Integer.MAX_VALUE);
    Map<String, List<ScoredDoc>> back = TrecRun.read(f);
    assertEquals(List.of("q2", "q1"), List.copyOf(back.keySet()));
    assertEquals(List.of("d9", "d1", "d3"), TrecRun.docIds(back).get("q2"));
    assertEquals(-0.25, back.get("q2").get(2).score(), 0);
    assertThrows(
        IllegalArgumentException.class,
        () -> TrecRun.write(new StringWriter(), Map.of("q 1", List.of(new ScoredDoc("d", 1))), "t", 10));
    assertThrows(
        IllegalArgumentException.class,
        () -> TrecRun.write(new StringWriter(), Map.of("q1", List.of(new ScoredDoc("d", Double.NaN))), "t", 10));
  }

  @Test
  void scoresAreWrittenExactlyAndEvaluatedInTrecEvalOrder() {
    assertEquals("1.2345678", TrecRun.formatScore(1.2345678f));
    assertEquals(1.2345678f, Float.parseFloat(TrecRun.formatScore(1.2345678f)), 0f);
    assertEquals("0.00001", TrecRun.formatScore(1e-5f));
    assertEquals("0", TrecRun.formatScore(-0.0));
    assertEquals("2", TrecRun.formatScore(2f));
    assertEquals("-0.25", TrecRun.formatScore(-0.25f));
    // distinct floats stay distinct, equal ones equal
    float a = 0.7f;
    float b = Math.nextUp(a);
    assertTrue(Double.parseDouble(TrecRun.formatScore(b)) > Double.parseDouble(TrecRun.formatScore(a)));
    Map<String, List<ScoredDoc>> run = new LinkedHashMap<>();
    run.put("q", List.of(new ScoredDoc("d10", 0.5f), new ScoredDoc("d2", 0.9f), new ScoredDoc("d9", 0.5f),
        new ScoredDoc("é", 0.5f), new ScoredDoc("d1", 0.5f)));
    // score decreasing, then doc id decreasing in byte order ("é" is 0xC3 0xA9, after every ASCII id)
    assertEquals(List.of("d2", "é", "d9", "d10", "d1"), TrecRun.docIds(TrecRun.evaluationOrder(run)).get("q"));
  }

  @Test
  void metricsJson(@TempDir Path dir) throws IOException {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("dataset", "scifact");
    params.put("k", 16);
    params.put("lam", 0.5);
    Path f = dir.resolve("out/metrics.json");
    MetricsJson.write(f, methods(), params);
    String json = Files.readString(f);
    assertTrue(json.startsWith("{\n  \"ERM\" : {\n    \"R@10\" : 0.8,"), json);
    assertTrue(json.indexOf("\"params\"") > json.indexOf("\"PEFA-XL\""));
    assertTrue(json.contains("\"lam\" : 0.5"));
    assertEquals(methods(), MetricsJson.readMethods(f));
    assertThrows(IllegalArgumentException.class, () -> MetricsJson.toJson(Map.of("params", Map.of()), Map.of()));
    assertThrows(
        IllegalArgumentException.class, () -> MetricsJson.toJson(Map.of("X", Map.of("R@10", Double.NaN)), Map.of()));
  }

  @Test
  void markdownTable() {
    String md = MarkdownTable.render(methods());
    String expected =
        """
        | method | R@10 | R@20 | R@100 | nDCG@10 | MRR@10 |
        |---|---:|---:|---:|---:|---:|
        | ERM | 0.8000 | 0.8500 | 0.9500 | 0.6450 | 0.6000 |
        | PEFA-XS | 0.8400 | 0.8800 | 0.9600 | 0.7000 | 0.6600 |
        | PEFA-XL | 0.8600 | 0.9000 | 0.9500 | 0.7200 | 0.0000 |

        | gain over ERM | R@10 | R@20 | R@100 | nDCG@10 | MRR@10 |
        |---|---:|---:|---:|---:|---:|
        | PEFA-XS | +5.0% | +3.5% | +1.1% | +8.5% | +10.0% |
        | PEFA-XL | +7.5% | +5.9% | +0.0% | +11.6% | -100.0% |
        """;
    assertEquals(expected, md);
    assertTrue(!MarkdownTable.render(methods(), "BM25").contains("gain over"));
  }

  @Test
  void charts() throws IOException {
    Path out = Path.of("target", "charts");
    int n = 100;
    Map<String, double[]> curves = new LinkedHashMap<>();
    String[] names = {"ERM", "PEFA-XS (lam=0.5)", "PEFA-XL (k=16, MEAN, lam=0.1)"};
    for (int m = 0; m < names.length; m++) {
      double[] y = new double[n];
      for (int k = 1; k <= n; k++) {
        y[k - 1] = Math.min(1, (0.45 + 0.05 * m) + (0.5 - 0.03 * m) * (1 - Math.exp(-k / (12.0 - 2 * m))));
      }
      curves.put(names[m], y);
    }
    Path recall = out.resolve("recall-at-k.png");
    Charts.recallCurve(recall, "Recall@k on SciFact test (sample data)", curves);

    double[] lams = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    Map<String, double[]> sweep = new LinkedHashMap<>();
    double[] xs = new double[lams.length], xl = new double[lams.length];
    for (int i = 0; i < lams.length; i++) {
      double l = lams[i];
      xs[i] = 0.645 + 0.2 * l * (1 - l) - 0.05 * (1 - l) * (1 - l);
      xl[i] = 0.645 + 0.25 * l * (1 - l) - 0.1 * (1 - l) * (1 - l);
    }
    sweep.put("PEFA-XS", xs);
    sweep.put("PEFA-XL", xl);
    Path lam = out.resolve("lam-sweep.png");
    Charts.lamSweep(lam, "nDCG@10 vs lam on SciFact dev (sample data)", "nDCG@10", lams, sweep);

    for (Path p : List.of(recall, lam)) {
      BufferedImage img = ImageIO.read(p.toFile());
      assertEquals(960, img.getWidth());
      assertEquals(600, img.getHeight());
      // something other than white was drawn in the plot area
      int nonWhite = 0;
      for (int x = 100; x < 700; x += 3) {
        for (int y = 100; y < 500; y += 3) {
          if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
            nonWhite++;
          }
        }
      }
      assertTrue(nonWhite > 100, p + ": " + nonWhite);
    }
  }

  @Test
  void everySeriesHasItsOwnColourAndMarkerOrLineStyle() {
    List<Charts.Series> series = new java.util.ArrayList<>();
    for (int i = 0; i < 15; i++) { // more series than colours, as a full bench run has
      series.add(new Charts.Series("m" + i, new double[] {0.9, 0.95, 0.99}, new double[] {4000 - i, 2000 - i, 900 - i}));
    }
    XYChart qps = Charts.recallVsQpsChart("t", "overlap@100", "queries per second", series);
    assertTrue(qps.getStyler().isYAxisLogarithmic());
    // the axis ends on labelled grid lines: 886 .. 4000 -> 800 .. 4000
    assertEquals(800, qps.getStyler().getYAxisMin(), 1e-9);
    assertEquals(4000, qps.getStyler().getYAxisMax(), 1e-9);
    assertEquals(2000, Charts.roundToGrid(1884, true), 1e-9);
    assertEquals(500, Charts.roundToGrid(592, false), 1e-9);
    assertEquals(20000, Charts.roundToGrid(12405, true), 1e-9);
    assertEquals(1200, qps.getWidth());
    Set<String> styles = new HashSet<>();
    for (XYSeries s : qps.getSeriesMap().values()) {
      assertTrue(s.getMarker() != SeriesMarkers.NONE, s.getName());
      styles.add(s.getLineColor() + "/" + s.getMarker().getClass().getSimpleName());
    }
    assertEquals(15, styles.size(), styles.toString());

    Map<String, double[]> curves = new LinkedHashMap<>();
    for (String m : List.of("ERM", "PEFA-XS", "PEFA-XL", "BM25")) {
      curves.put(m, new double[] {0.5, 0.7, 0.8});
    }
    XYChart recall = Charts.recallCurveChart("t", curves);
    assertFalse(recall.getStyler().isYAxisLogarithmic());
    Set<Object> strokes = new HashSet<>();
    Set<Object> colours = new HashSet<>();
    for (XYSeries s : recall.getSeriesMap().values()) {
      strokes.add(java.util.Arrays.toString(s.getLineStyle().getDashArray()));
      colours.add(s.getLineColor());
    }
    assertEquals(4, strokes.size(), strokes.toString());
    assertEquals(4, colours.size());
    assertEquals("k (number of results read)", recall.getXAxisTitle());
  }

  @Test
  void pointsALogarithmicAxisCannotShowAreLeftOutAndEmptyChartsRefused() {
    XYChart c =
        Charts.recallVsQpsChart(
            "t", "x", "y", List.of(new Charts.Series("a", new double[] {0.5, 0.9}, new double[] {0, 10})));
    assertEquals(1, c.getSeriesMap().get("a").getXData().length);
    assertThrows(IllegalArgumentException.class, () -> Charts.recallVsQpsChart("t", "x", "y", List.of()));
    assertThrows(
        IllegalArgumentException.class, () -> new Charts.Series("a", new double[] {1, 2}, new double[] {1}));
  }
}
