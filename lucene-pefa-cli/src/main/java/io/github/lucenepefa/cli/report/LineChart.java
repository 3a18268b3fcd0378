package io.github.lucenepefa.cli.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A small line chart drawn with plain Java2D (no chart library, works headless): title, axes with "nice" ticks and
 * grid, axis labels, one coloured line per series (optional point markers) and a legend to the right of the plot.
 * Non-finite points are skipped (the line breaks there).
 *
 * <pre>
 * new LineChart("Recall@k on SciFact test", "k", "Recall@k")
 *     .add("ERM", xs, ys).add("PEFA-XS", xs, ys2)
 *     .writePng(Path.of("recall.png"));
 * </pre>
 */
public final class LineChart {

  /**
   * One line.
   *
   * @param name the legend label
   * @param x the x values
   * @param y the y values (same length as x)
   */
  public record Series(String name, double[] x, double[] y) {
    /** Checks the lengths. */
    public Series {
      if (x.length != y.length) {
        throw new IllegalArgumentException("series " + name + ": " + x.length + " x values, " + y.length + " y values");
      }
    }
  }

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** Tableau-10 colours, cycled over series. */
  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
    new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)
  };

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();
  private int width = 960;
  private int height = 600;
  private boolean markers;
  private Double yMin;
  private Double yMax;

  /**
   * @param title the chart title
   * @param xLabel the x-axis label
   * @param yLabel the y-axis label
   */
  public LineChart(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /**
   * Adds a series.
   *
   * @param name legend label
   * @param x x values
   * @param y y values
   * @return this
   */
  public LineChart add(String name, double[] x, double[] y) {
    series.add(new Series(name, x.clone(), y.clone()));
    return this;
  }

  /**
   * @param width image width in pixels
   * @param height image height in pixels
   * @return this
   */
  public LineChart size(int width, int height) {
    this.width = width;
    this.height = height;
    return this;
  }

  /**
   * @param on draw a dot at every point (useful for sparse sweeps)
   * @return this
   */
  public LineChart markers(boolean on) {
    this.markers = on;
    return this;
  }

  /**
   * Fixes the y range instead of fitting it to the data (ticks are still "nice").
   *
   * @param min lower bound
   * @param max upper bound
   * @return this
   */
  public LineChart yRange(double min, double max) {
    this.yMin = min;
    this.yMax = max;
    return this;
  }

  /**
   * Draws the chart.
   *
   * @return the image (ARGB, white background)
   */
  public BufferedImage render() {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = img.createGraphics();
    try {
      draw(g);
    } finally {
      g.dispose();
    }
    return img;
  }

  /**
   * Draws the chart and writes it as PNG (creating parent folders).
   *
   * @param file the output file
   * @throws IOException on write failure
   */
  public void writePng(Path file) throws IOException {
    BufferedImage img = render();
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  private void draw(Graphics2D g) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);

    Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 18);
    Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    // data ranges
    double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY;
    double y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
          x0 = Math.min(x0, s.x()[i]);
          x1 = Math.max(x1, s.x()[i]);
          y0 = Math.min(y0, s.y()[i]);
          y1 = Math.max(y1, s.y()[i]);
        }
      }
    }
    if (x0 > x1) { // no data
      x0 = 0;
      x1 = 1;
      y0 = 0;
      y1 = 1;
    }
    if (yMin != null) {
      y0 = yMin;
      y1 = yMax;
    }
    double[] xt = niceTicks(x0, x1, 8);
    double[] yt = niceTicks(y0, y1, 8);
    final double xs = xt[0], xe = xt[1], xstep = xt[2];
    final double ys = yt[0], ye = yt[1], ystep = yt[2];

    // layout
    FontMetrics tfm = g.getFontMetrics(tickFont);
    int maxYTick = 0;
    for (double v = ys; v <= ye + ystep / 2; v += ystep) {
      maxYTick = Math.max(maxYTick, tfm.stringWidth(fmt(v, ystep)));
    }
    FontMetrics lfm = g.getFontMetrics(labelFont);
    int legendW = 0;
    for (Series s : series) {
      legendW = Math.max(legendW, lfm.stringWidth(s.name()));
    }
    legendW = series.isEmpty() ? 0 : legendW + 48;
    int left = 20 + lfm.getHeight() + maxYTick + 12;
    int right = width - 24 - (legendW == 0 ? 0 : legendW + 16);
    int top = 24 + g.getFontMetrics(titleFont).getHeight() + 8;
    int bottom = height - (16 + lfm.getHeight() + tfm.getHeight() + 12);
    int pw = right - left, ph = bottom - top;
    java.util.function.DoubleUnaryOperator px = v -> left + (v - xs) / (xe - xs) * pw;
    java.util.function.DoubleUnaryOperator py = v -> bottom - (v - ys) / (ye - ys) * ph;

    // title
    g.setColor(Color.BLACK);
    g.setFont(titleFont);
    FontMetrics hfm = g.getFontMetrics();
    g.drawString(title, Math.max(4, left + (pw - hfm.stringWidth(title)) / 2), 24 + hfm.getAscent());

    // grid and ticks
    g.setFont(tickFont);
    g.setStroke(new BasicStroke(1f));
    for (double v = ys; v <= ye + ystep / 2; v += ystep) {
      int yy = (int) Math.round(py.applyAsDouble(v));
      g.setColor(new Color(0xE6E6E6));
      g.drawLine(left, yy, right, yy);
      g.setColor(Color.DARK_GRAY);
      g.drawLine(left - 5, yy, left, yy);
      String t = fmt(v, ystep);
      g.drawString(t, left - 8 - tfm.stringWidth(t), yy + tfm.getAscent() / 2 - 1);
    }
    for (double v = xs; v <= xe + xstep / 2; v += xstep) {
      int xx = (int) Math.round(px.applyAsDouble(v));
      g.setColor(new Color(0xE6E6E6));
      g.drawLine(xx, top, xx, bottom);
      g.setColor(Color.DARK_GRAY);
      g.drawLine(xx, bottom, xx, bottom + 5);
      String t = fmt(v, xstep);
      g.drawString(t, xx - tfm.stringWidth(t) / 2, bottom + 8 + tfm.getAscent());
    }
    g.setColor(Color.BLACK);
    g.drawRect(left, top, pw, ph);

    // axis labels
    g.setFont(labelFont);
    g.drawString(xLabel, left + (pw - lfm.stringWidth(xLabel)) / 2, height - 16 - lfm.getDescent());
    AffineTransform saved = g.getTransform();
    g.rotate(-Math.PI / 2);
    g.drawString(yLabel, -(top + (ph + lfm.stringWidth(yLabel)) / 2), 20 + lfm.getAscent());
    g.setTransform(saved);

    // lines
    Shape clip = g.getClip();
    g.clipRect(left - 4, top - 4, pw + 8, ph + 8);
    for (int si = 0; si < series.size(); si++) {
      Series s = series.get(si);
      Color c = PALETTE[si % PALETTE.length];
      g.setColor(c);
      g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      Path2D.Double path = new Path2D.Double();
      boolean pen = false;
      for (int i = 0; i < s.x().length; i++) {
        if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) {
          pen = false;
          continue;
        }
        double xx = px.applyAsDouble(s.x()[i]), yy = py.applyAsDouble(s.y()[i]);
        if (pen) {
          path.lineTo(xx, yy);
        } else {
          path.moveTo(xx, yy);
          pen = true;
        }
        if (markers) {
          g.fill(new Ellipse2D.Double(xx - 3.5, yy - 3.5, 7, 7));
        }
      }
      g.draw(path);
    }
    g.setClip(clip);

    // legend
    if (!series.isEmpty()) {
      int lx = right + 16, ly = top;
      int rowH = lfm.getHeight() + 6;
      g.setColor(Color.WHITE);
      g.fillRect(lx, ly, legendW, rowH * series.size() + 10);
      g.setColor(Color.GRAY);
      g.setStroke(new BasicStroke(1f));
      g.drawRect(lx, ly, legendW, rowH * series.size() + 10);
      for (int si = 0; si < series.size(); si++) {
        int cy = ly + 5 + si * rowH + rowH / 2;
        g.setColor(PALETTE[si % PALETTE.length]);
        g.setStroke(new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.drawLine(lx + 10, cy, lx + 34, cy);
        if (markers) {
          g.fill(new Ellipse2D.Double(lx + 22 - 3.5, cy - 3.5, 7, 7));
        }
        g.setColor(Color.BLACK);
        g.drawString(series.get(si).name(), lx + 42, cy + lfm.getAscent() / 2 - 2);
      }
    }
  }

  /** Returns {start, end, step} of nice ticks covering [lo, hi] with about {@code n} intervals. */
  static double[] niceTicks(double lo, double hi, int n) {
    if (hi - lo < 1e-12) {
      double pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.05 : 0.5;
      lo -= pad;
      hi += pad;
    }
    double step = niceNum((hi - lo) / n);
    double start = Math.floor(lo / step + 1e-9) * step;
    double end = Math.ceil(hi / step - 1e-9) * step;
    return new double[] {start, end, step};
  }

  private static double niceNum(double raw) {
    double exp = Math.floor(Math.log10(raw));
    double f = raw / Math.pow(10, exp);
    double nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return nf * Math.pow(10, exp);
  }

  private static String fmt(double v, double step) {
    int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
    if (step * Math.pow(10, decimals) % 1 > 1e-6) {
      decimals++; // steps like 0.25
    }
    double r = Math.abs(v) < step * 1e-6 ? 0 : v;
    return String.format(Locale.ROOT, "%." + decimals + "f", r);
  }
}
