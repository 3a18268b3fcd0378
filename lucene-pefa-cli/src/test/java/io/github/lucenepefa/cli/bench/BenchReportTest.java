package io.github.lucenepefa.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The overlap target depends on the data set's size, as issue 5 states it. */
class BenchReportTest {

  @Test
  void overlapLimitIs095AtOneMillionDocsAndRowsElse099() {
    BenchReport.Target small = overlapTarget(5_183, 19_700);
    assertEquals(0.99, small.limit());
    assertFalse(small.met());
    BenchReport.Target million = overlapTarget(1_000_000, 1_000_000);
    assertEquals(0.95, million.limit());
    assertTrue(million.met());
    assertEquals(0.99, overlapTarget(1_000_000, 100_000).limit()); // 1M docs but not 1M rows
  }

  private static BenchReport.Target overlapTarget(int docs, int rows) {
    BenchRunner.Record xl = new BenchRunner.Record("pefa-xl", 200, 100, 1, 2, 3, 0.966, 4000, 1000, 300);
    BenchRunner.Report r =
        new BenchRunner.Report(
            "test", docs, rows, rows, 300, 384, true, "jvm", BenchRunner.Config.defaults(), List.of(), 1, List.of(xl));
    return BenchReport.targets(r).stream()
        .filter(t -> t.name().startsWith("pefa-xl overlap@"))
        .findFirst()
        .orElseThrow();
  }
}
