package io.github.lucenepefa.cli.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The two standard report charts, as PNG files drawn by {@link LineChart}. */
public final class Charts {

  private Charts() {}

  /**
   * Recall@k for k = 1..n, one line per method.
   *
   * @param png the output file
   * @param title the chart title
   * @param curves method → {@code curve[k-1]} = Recall@k (e.g. from {@link io.github.lucenepefa.cli.eval.Metrics#recallCurve})
   * @throws IOException on write failure
   */
  public static void recallCurve(Path png, String title, Map<String, double[]> curves) throws IOException {
    LineChart chart = new LineChart(title, "k (cutoff)", "Recall@k");
    for (Map.Entry<String, double[]> e : curves.entrySet()) {
      double[] y = e.getValue();
      double[] x = new double[y.length];
      for (int i = 0; i < y.length; i++) {
        x[i] = i + 1;
      }
      chart.add(e.getKey(), x, y);
    }
    chart.writePng(png);
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
    LineChart chart = new LineChart(title, "lam (weight of the ERM score)", metric).markers(true);
    for (Map.Entry<String, double[]> e : values.entrySet()) {
      chart.add(e.getKey(), lams, e.getValue());
    }
    chart.writePng(png);
  }
}
