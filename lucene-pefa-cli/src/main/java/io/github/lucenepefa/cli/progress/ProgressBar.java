package io.github.lucenepefa.cli.progress;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A console progress indicator for long work, e.g.
 *
 * <pre>
 * encode docs [=============&gt;                ] 1234/5183 docs 210.5 docs/s ETA 0:18
 * encode docs: 5183 docs in 24.6 s (210.7 docs/s)
 * </pre>
 *
 * <p>On a terminal the line is redrawn in place (carriage return) at most every 200 ms; otherwise (CI logs,
 * redirected output) a new line is printed at most every few seconds (default 5). {@link #finish()} (or {@link
 * #close()}) prints the final summary line with count, elapsed time and rate. With an unknown total ({@code total
 * <= 0}) the bar and ETA are left out. Output goes to {@code System.err} by default so standard output stays clean.
 *
 * <p>{@link #advance(long)} is thread-safe and cheap: the count is atomic and only one thread at a time renders.
 */
public final class ProgressBar implements AutoCloseable {

  private static final int BAR_WIDTH = 30;
  private static final long TTY_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final String label;
  private final long total;
  private final String unit;
  private final PrintStream out;
  private final boolean tty;
  private final long intervalNanos;
  private final LongSupplier clock;
  private final long start;
  private final AtomicLong count = new AtomicLong();
  private volatile long lastPrint;
  private int lastWidth;
  private boolean finished;

  /**
   * A bar on {@code System.err}, in-place when a terminal is attached, else a line every 5 s.
   *
   * @param label what is being done, e.g. {@code "encode docs"}
   * @param total the expected count, or {@code <= 0} if unknown
   * @param unit the unit name, e.g. {@code "docs"}
   */
  public ProgressBar(String label, long total, String unit) {
    this(label, total, unit, System.err, isTerminal(), TimeUnit.SECONDS.toMillis(5), System::nanoTime);
  }

  /**
   * Full control, for tests and special outputs.
   *
   * @param label what is being done
   * @param total the expected count, or {@code <= 0} if unknown
   * @param unit the unit name
   * @param out where to print
   * @param tty redraw in place (terminal) instead of printing lines
   * @param logIntervalMillis minimum time between lines when not a terminal
   * @param nanoClock the time source (nanoseconds, like {@link System#nanoTime()})
   */
  public ProgressBar(
      String label,
      long total,
      String unit,
      PrintStream out,
      boolean tty,
      long logIntervalMillis,
      LongSupplier nanoClock) {
    this.label = label;
    this.total = total;
    this.unit = unit;
    this.out = out;
    this.tty = tty;
    this.intervalNanos = tty ? TTY_INTERVAL_NANOS : TimeUnit.MILLISECONDS.toNanos(logIntervalMillis);
    this.clock = nanoClock;
    this.start = nanoClock.getAsLong();
    this.lastPrint = start;
  }

  /**
   * Whether standard output/error look like an interactive terminal: {@code System.console() != null}, refined by
   * {@code Console.isTerminal()} on Java 22+ (where {@code System.console()} is no longer null when redirected).
   *
   * @return true for a terminal
   */
  public static boolean isTerminal() {
    Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      Method m = Console.class.getMethod("isTerminal");
      return (Boolean) m.invoke(c);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true;
    }
  }

  /**
   * Adds {@code n} to the count and redraws if the interval has passed. Thread-safe.
   *
   * @param n the amount of work just done
   */
  public void advance(long n) {
    long c = count.addAndGet(n);
    long now = clock.getAsLong();
    if (now - lastPrint >= intervalNanos) {
      synchronized (this) {
        if (!finished && now - lastPrint >= intervalNanos) {
          lastPrint = now;
          print(render(Math.max(c, count.get()), now - start));
        }
      }
    }
  }

  /** Same as {@code advance(1)}. */
  public void step() {
    advance(1);
  }

  /** @return the count so far */
  public long count() {
    return count.get();
  }

  /**
   * Prints the summary line once (later calls do nothing) and returns it.
   *
   * @return the summary, e.g. {@code "encode docs: 5183 docs in 24.6 s (210.7 docs/s)"}
   */
  public synchronized String finish() {
    String s = summary(count.get(), clock.getAsLong() - start);
    if (!finished) {
      finished = true;
      if (tty) {
        out.print("\r" + pad(s) + "\n");
      } else {
        out.println(s);
      }
      out.flush();
    }
    return s;
  }

  /** Calls {@link #finish()}. */
  @Override
  public void close() {
    finish();
  }

  private void print(String line) {
    if (tty) {
      out.print("\r" + pad(line));
    } else {
      out.println(line);
    }
    out.flush();
  }

  private String pad(String line) {
    int w = line.length();
    String padded = w < lastWidth ? line + " ".repeat(lastWidth - w) : line;
    lastWidth = w;
    return padded;
  }

  /**
   * The progress line for a given state.
   *
   * @param c the count
   * @param elapsedNanos time since start
   * @return e.g. {@code "label [=====>    ] 1234/5183 docs 210.5 docs/s ETA 0:12"}
   */
  String render(long c, long elapsedNanos) {
    double secs = elapsedNanos / 1e9;
    double rate = secs > 0 ? c / secs : 0;
    StringBuilder sb = new StringBuilder(label).append(' ');
    if (total > 0) {
      double frac = Math.min(1, (double) c / total);
      int filled = (int) Math.floor(frac * BAR_WIDTH);
      sb.append('[');
      for (int i = 0; i < BAR_WIDTH; i++) {
        sb.append(i < filled ? '=' : i == filled ? '>' : ' ');
      }
      sb.append("] ").append(c).append('/').append(total).append(' ').append(unit);
    } else {
      sb.append(c).append(' ').append(unit);
    }
    sb.append(' ').append(rate > 0 ? String.format(Locale.ROOT, "%.1f", rate) : "-").append(' ').append(unit).append("/s");
    if (total > 0) {
      sb.append(" ETA ").append(rate > 0 ? clock(Math.max(0, total - c) / rate) : "?");
    }
    return sb.toString();
  }

  /**
   * The summary line for a given state.
   *
   * @param c the count
   * @param elapsedNanos time since start
   * @return e.g. {@code "label: 5183 docs in 24.6 s (210.7 docs/s)"}
   */
  String summary(long c, long elapsedNanos) {
    double secs = elapsedNanos / 1e9;
    String rate = secs > 0 ? String.format(Locale.ROOT, "%.1f", c / secs) : "-";
    return label + ": " + c + " " + unit + " in " + duration(secs) + " (" + rate + " " + unit + "/s)";
  }

  /**
   * Formats seconds as {@code M:SS} or {@code H:MM:SS} (rounded to whole seconds).
   *
   * @param seconds a duration
   * @return the clock form
   */
  public static String clock(double seconds) {
    long s = Math.round(seconds);
    long h = s / 3600, m = (s % 3600) / 60, sec = s % 60;
    return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
  }

  /**
   * Formats a duration: {@code 24.6 s} below a minute, else {@link #clock(double)}.
   *
   * @param seconds a duration
   * @return the text
   */
  public static String duration(double seconds) {
    return seconds < 60 ? String.format(Locale.ROOT, "%.1f s", seconds) : clock(seconds);
  }
}
