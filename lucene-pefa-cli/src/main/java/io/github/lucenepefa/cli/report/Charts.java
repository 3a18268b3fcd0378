package io.github.lucenepefa.cli.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG charts of {@code pefa eval} and {@code pefa bench}, drawn with XChart without a display: a title, axis
 * titles, a legend, and every series told apart by its colour and by its marker or line style.
 */
public final class Charts {

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /**
   * One line (or single point) of a chart.
   *
   * @param name the legend label
   * @param x the x values
   * @param y the y values, as many as x; a point with a non-finite coordinate is left out
   * @param primary drawn with a thick solid line; otherwise (a variant of a primary series) thin and dashed
   */
  public record Series(String name, double[] x, double[] y, boolean primary) {
    /** Checks the lengths and copies the values. */
    public Series {
      if (x.length != y.length) {
        throw new IllegalArgumentException("series " + name + ": " + x.length + " x values, " + y.length + " y values");
      }
      x = x.clone();
      y = y.clone();
    }

    /**
     * A primary series.
     *
     * @param name the legend label
     * @param x the x values
     * @param y the y values
     */
    public Series(String name, double[] x, double[] y) {
      this(name, x, y, true);
    }
  }

  /**
   * Colours, taken in turn by the series of a chart: black, blue and red first (the first three series of a chart are
   * its main methods: ERM or stock kNN, PEFA-XS, PEFA-XL), then Tableau's others and their light tints, so that no two
   * of the first 20 series share a colour.
   */
  private static final Color[] COLOURS = {
    new Color(0x000000), new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
    new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22),
    new Color(0x17becf), new Color(0xaec7e8), new Color(0xff9896), new Color(0x98df8a), new Color(0xffbb78),
    new Color(0xc5b0d5), new Color(0xc49c94), new Color(0xf7b6d2), new Color(0xdbdb8d), new Color(0x9edae5)
  };

  /** Markers, taken in turn (7 of them: no two of the first 140 series share both colour and marker). */
  private static final Marker[] MARKERS = {
    SeriesMarkers.CIRCLE,
    SeriesMarkers.SQUARE,
    SeriesMarkers.DIAMOND,
    SeriesMarkers.TRIANGLE_UP,
    SeriesMarkers.TRIANGLE_DOWN,
    SeriesMarkers.CROSS,
    SeriesMarkers.PLUS
  };

  /** Line styles: solid, dashed, dash-dot, dotted (by turns for charts without markers). */
  private static final BasicStroke[] LINES = {
    new BasicStroke(2.5f),
    new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {9f, 5f}, 0f),
    new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {12f, 4f, 2f, 4f}, 0f),
    new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, new float[] {1f, 5f}, 0f)
  };

  private static final BasicStroke THIN_DASHED =
      new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f);

  private Charts() {}

  /**
   * Recall@k for k = 1..n, one line per method (told apart by colour and line style).
   *
   * @param png the output file
   * @param title the chart title
   * @param curves method → {@code curve[k-1]} = Recall@k (e.g. from {@link io.github.lucenepefa.cli.eval.Metrics#recallCurve})
   * @throws IOException on write failure
   */
  public static void recallCurve(Path png, String title, Map<String, double[]> curves) throws IOException {
    write(recallCurveChart(title, curves), png);
  }

  static XYChart recallCurveChart(String title, Map<String, double[]> curves) {
    List<Series> series = new ArrayList<>();
    for (Map.Entry<String, double[]> e : curves.entrySet()) {
      double[] y = e.getValue();
      double[] x = new double[y.length];
      for (int i = 0; i < y.length; i++) {
        x[i] = i + 1;
      }
      series.add(new Series(e.getKey(), x, y));
    }
    XYChart chart = chart(title, "k (number of results read)", "Recall@k (fraction of relevant documents found)", 960, 600);
    XYStyler st = chart.getStyler();
    st.setXAxisDecimalPattern("0");
    st.setYAxisDecimalPattern("0.00");
    st.setLegendPosition(LegendPosition.InsideSE);
    add(chart, series, false);
    return chart;
  }

  /**
   * One metric as a function of lam, one line per method (points marked).
   *
   * @param png the output file
   * @param title the chart title
   * @param metric the metric name (y-axis label), e.g. {@code "nDCG@10"}
   * @param lams the lam values (x)
   * @param values method → metric value at each lam (same length as {@code lams}; NaN for a missing point)
   * @throws IOException on write failure
   */
  public static void lamSweep(Path png, String title, String metric, double[] lams, Map<String, double[]> values)
      throws IOException {
    write(lamSweepChart(title, metric, lams, values), png);
  }

  static XYChart lamSweepChart(String title, String metric, double[] lams, Map<String, double[]> values) {
    List<Series> series = new ArrayList<>();
    for (Map.Entry<String, double[]> e : values.entrySet()) {
      series.add(new Series(e.getKey(), lams, e.getValue()));
    }
    XYChart chart = chart(title, "lam (weight of the ERM score; 1 = ERM alone)", metric, 960, 600);
    chart.getStyler().setXAxisDecimalPattern("0.0");
    chart.getStyler().setYAxisDecimalPattern("0.000");
    add(chart, series, true);
    return chart;
  }

  /**
   * The ann-benchmarks chart: recall of the top n against the exact result (x) and throughput on a logarithmic axis
   * (y), one line per method over its search settings (points marked), a single point for an exact method.
   *
   * @param png the output file
   * @param title the chart title
   * @param xLabel the x-axis title (the recall measure)
   * @param yLabel the y-axis title (the throughput measure and its unit)
   * @param series one per method; y values must be positive
   * @throws IOException on write failure
   */
  public static void recallVsQps(Path png, String title, String xLabel, String yLabel, List<Series> series)
      throws IOException {
    write(recallVsQpsChart(title, xLabel, yLabel, series), png);
  }

  /**
   * The recall-vs-latency chart of {@code pefa bench --pareto}: recall (x) against latency on a logarithmic axis (y),
   * one line per method over its search settings (points marked).
   *
   * @param png the output file
   * @param title the chart title
   * @param xLabel the x-axis title (the recall measure)
   * @param yLabel the y-axis title (the latency measure and its unit)
   * @param series one per method; y values must be positive
   * @throws IOException on write failure
   */
  public static void recallVsLatency(Path png, String title, String xLabel, String yLabel, List<Series> series)
      throws IOException {
    XYChart chart = recallVsQpsChart(title, xLabel, yLabel, series);
    chart.getStyler().setYAxisDecimalPattern("0.###");
    write(chart, png);
  }

  static XYChart recallVsQpsChart(String title, String xLabel, String yLabel, List<Series> series) {
    List<Series> positive = new ArrayList<>();
    for (Series s : series) {
      double[] y = s.y().clone();
      for (int i = 0; i < y.length; i++) {
        if (y[i] <= 0) {
          y[i] = Double.NaN; // a logarithmic axis has no place for it
        }
      }
      positive.add(new Series(s.name(), s.x(), y, s.primary()));
    }
    series = positive;
    XYChart chart = chart(title, xLabel, yLabel, 1200, 700);
    double xMin = 1;
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = 0;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
          xMin = Math.min(xMin, s.x()[i]);
          yMin = Math.min(yMin, s.y()[i]);
          yMax = Math.max(yMax, s.y()[i]);
        }
      }
    }
    // recall is at most 1; leave room on both sides so that points at 1 are not cut by the frame
    double pad = Math.max(0.002, (1 - xMin) * 0.05);
    XYStyler st = chart.getStyler();
    st.setYAxisLogarithmic(true);
    st.setYAxisLogarithmicDecadeOnly(false); // labels at 2,000, 3,000 ... too, not only at the powers of ten
    st.setXAxisMin(Math.max(0, xMin - pad));
    st.setXAxisMax(1 + pad);
    st.setXAxisDecimalPattern("0.000");
    st.setYAxisDecimalPattern("#,##0");
    if (yMax > 0) { // end the axis on labelled grid lines (multiples of the power of ten below each end)
      st.setYAxisMin(roundToGrid(yMin, false));
      st.setYAxisMax(roundToGrid(yMax, true));
    }
    add(chart, series, true);
    return chart;
  }

  /** The nearest multiple of the power of ten at or below {@code v}, at or above it ({@code up}) or below it. */
  static double roundToGrid(double v, boolean up) {
    double unit = Math.pow(10, Math.floor(Math.log10(v)));
    double m = v / unit;
    return (up ? Math.ceil(m - 1e-9) : Math.floor(m + 1e-9)) * unit;
  }

  private static XYChart chart(String title, String xLabel, String yLabel, int width, int height) {
    XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
    XYStyler st = chart.getStyler();
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotBackgroundColor(Color.WHITE);
    st.setPlotBorderColor(Color.DARK_GRAY);
    st.setPlotGridLinesColor(new Color(0xDDDDDD));
    st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
    st.setChartTitleBoxVisible(false);
    st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
    st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    st.setLegendPosition(LegendPosition.OutsideE);
    st.setLegendBorderColor(Color.GRAY);
    st.setAntiAlias(true);
    st.setMarkerSize(9);
    return chart;
  }

  /**
   * Adds the series with their styles: colour by position; with {@code markers} every series has a marker of its own
   * and a solid line (a thin dashed one when it is not primary), otherwise a line style of its own.
   */
  private static void add(XYChart chart, List<Series> series, boolean markers) {
    if (series.isEmpty()) {
      throw new IllegalArgumentException("a chart needs at least one series: " + chart.getTitle());
    }
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int j = 0; j < s.x().length; j++) {
        if (Double.isFinite(s.x()[j]) && Double.isFinite(s.y()[j])) {
          xs.add(s.x()[j]);
          ys.add(s.y()[j]);
        }
      }
      if (xs.isEmpty()) {
        continue; // nothing to draw (XChart refuses empty series)
      }
      XYSeries xy = chart.addSeries(s.name(), xs, ys);
      Color c = COLOURS[i % COLOURS.length];
      xy.setLineColor(c);
      xy.setMarkerColor(c);
      if (markers) {
        xy.setMarker(MARKERS[i % MARKERS.length]);
        xy.setLineStyle(s.primary() ? LINES[0] : THIN_DASHED);
      } else {
        xy.setMarker(SeriesMarkers.NONE);
        xy.setLineStyle(LINES[i % LINES.length]);
      }
    }
  }

  private static void write(XYChart chart, Path png) throws IOException {
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    // through ImageIO rather than BitmapEncoder.saveBitmap, which would add ".png" to a name without it
    if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", png.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }
}
