package io.github.lucenepefa.cli.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

  static final long SEC = 1_000_000_000L;

  @Test
  void renderFormat() {
    AtomicLong now = new AtomicLong(0);
    ProgressBar bar =
        new ProgressBar("encode", 5183, "docs", new PrintStream(new ByteArrayOutputStream()), false, 5000, now::get);
    assertEquals(
        "encode [=====>                        ] 1000/5183 docs 100.0 docs/s ETA 0:42",
        bar.render(1000, 10 * SEC));
    assertEquals("encode [>                             ] 0/5183 docs - docs/s ETA ?", bar.render(0, 0));
    assertEquals(
        "encode [==============================] 5183/5183 docs 51.8 docs/s ETA 0:00", bar.render(5183, 100 * SEC));
    assertEquals("encode: 5183 docs in 24.6 s (210.7 docs/s)", bar.summary(5183, (long) (24.6 * SEC)));
    assertEquals("encode: 5183 docs in 1:02:05 (1.4 docs/s)", bar.summary(5183, 3725 * SEC));
    ProgressBar unknown =
        new ProgressBar("scan", 0, "lines", new PrintStream(new ByteArrayOutputStream()), false, 5000, now::get);
    assertEquals("scan 42 lines 4.2 lines/s", unknown.render(42, 10 * SEC));
  }

  @Test
  void logModePrintsEveryIntervalAndSummary() {
    AtomicLong now = new AtomicLong(0);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressBar bar =
        new ProgressBar("idx", 100, "docs", new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 5000, now::get);
    for (int i = 0; i < 100; i++) {
      now.addAndGet(SEC / 4); // 25 s in total
      bar.step();
    }
    String s1 = bar.finish();
    String s2 = bar.finish(); // idempotent
    assertEquals(s1, s2);
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(6, lines.length); // at 5, 10, 15, 20, 25 s, then the summary
    assertTrue(lines[0].startsWith("idx [======>"), lines[0]);
    assertEquals("idx: 100 docs in 25.0 s (4.0 docs/s)", lines[5]);
  }

  @Test
  void ttyModeRedrawsInPlace() {
    AtomicLong now = new AtomicLong(0);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ProgressBar bar =
        new ProgressBar("idx", 10, "docs", new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 5000, now::get)) {
      for (int i = 0; i < 10; i++) {
        now.addAndGet(SEC);
        bar.advance(1);
      }
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(11, out.chars().filter(c -> c == '\r').count()); // 10 redraws + summary
    assertEquals(1, out.chars().filter(c -> c == '\n').count());
    // the summary overwrites the bar and is padded with spaces to cover the longer bar line
    String last = out.substring(out.lastIndexOf('\r') + 1);
    String previous = out.substring(out.lastIndexOf('\r', out.lastIndexOf('\r') - 1) + 1, out.lastIndexOf('\r'));
    assertEquals("idx: 10 docs in 10.0 s (1.0 docs/s)", last.strip());
    assertTrue(last.endsWith(" \n"));
    assertEquals(previous.length() + 1, last.length());
  }

  @Test
  void advanceIsThreadSafe() throws InterruptedException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressBar bar =
        new ProgressBar("t", 80_000, "ops", new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 1, System::nanoTime);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 10_000; i++) {
          bar.advance(1);
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(80_000, bar.count());
    assertTrue(bar.finish().startsWith("t: 80000 ops in "));
  }
}
