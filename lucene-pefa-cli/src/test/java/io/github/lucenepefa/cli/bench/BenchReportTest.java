package io.github.lucenepefa.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 5's targets as the report computes them. */
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

  @Test
  void memoryBuildTargetComparesMediansOfTheRepeatedBuilds() {
    List<BenchRunner.Build> builds =
        List.of(
            build("stock-docs", 1, Map.of()),
            build("stock-memory", 10, Map.of()),
            build("pefa", 30, Map.of("memory_rows", 6.0, "docs", 20.0)),
            build("pefa-memory#2", 5.4, Map.of("memory_rows", 5.4)),
            build("stock-memory#2", 4, Map.of()),
            build("stock-memory#3", 5, Map.of()),
            build("pefa-memory#3", 100, Map.of("memory_rows", 100.0)));
    BenchRunner.Report r =
        new BenchRunner.Report(
            "test", 10, 10, 10, 10, 8, true, "jvm", BenchRunner.Config.defaults(), builds, 1, List.of());
    BenchReport.Target t =
        BenchReport.targets(r).stream()
            .filter(x -> x.name().startsWith("memory graph build"))
            .findFirst()
            .orElseThrow();
    assertEquals(6.0 / 5.0, t.value(), 1e-9); // medians: PEFA {6, 5.4, 100} -> 6, stock {10, 4, 5} -> 5
    assertFalse(t.met());
    assertTrue(t.detail().contains("median of 3 builds each"), t.detail());
    assertTrue(t.detail().contains("(fastest 5.40 s vs 4.00 s)"), t.detail());
  }

  @Test
  void memoryBuildTargetUsesOnlyTheForkedBuildsWhenThereAreAny() {
    List<BenchRunner.Build> builds =
        List.of(
            build("stock-memory", 10, Map.of()),
            build("pefa", 30, Map.of("memory_rows", 90.0, "docs", 20.0)),
            build("pefa-memory#2", 80, Map.of("memory_rows", 80.0)),
            build("stock-memory#2", 4, Map.of()),
            ForkedBuilds.parse("fork-build\tpefa-memory@1\t6.0\t100"),
            ForkedBuilds.parse("fork-build\tstock-memory@1\t5.0\t100"),
            ForkedBuilds.parse("fork-build\tstock-memory@2\t6.0\t100"),
            ForkedBuilds.parse("fork-build\tpefa-memory@2\t6.6\t100"),
            ForkedBuilds.parse("fork-build\tpefa-memory@3\t7.2\t100"),
            ForkedBuilds.parse("fork-build\tstock-memory@3\t6.0\t100"));
    BenchRunner.Report r =
        new BenchRunner.Report(
            "test", 10, 10, 10, 10, 8, true, "jvm", BenchRunner.Config.defaults(), builds, 1, List.of());
    BenchReport.Target t =
        BenchReport.targets(r).stream()
            .filter(x -> x.name().startsWith("memory graph build"))
            .findFirst()
            .orElseThrow();
    assertEquals(6.6 / 6.0, t.value(), 1e-9); // forks: PEFA {6, 6.6, 7.2}, stock {5, 6, 6}
    assertTrue(t.met());
    assertTrue(t.detail().contains("median of 3 builds each, one of each per fresh JVM"), t.detail());
    assertTrue(t.detail().contains("(fastest 6.00 s vs 5.00 s)"), t.detail());
  }

  @Test
  void forkLinesRoundTripAndMalformedOnesAreRefused() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    ForkedBuilds.print(
        List.of(new BenchRunner.Build("pefa-memory@3", 4.25, Map.of("memory_rows", 4.25), 1234, Map.of())),
        new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
    BenchRunner.Build b = ForkedBuilds.parse(bytes.toString(java.nio.charset.StandardCharsets.UTF_8).strip());
    assertEquals("pefa-memory@3", b.index());
    assertEquals(4.25, b.seconds());
    assertEquals(1234, b.bytes());
    assertEquals(Map.of("memory_rows", 4.25), b.phases());
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> ForkedBuilds.parse("fork-build\tpefa-memory@3\t4.25"));
    assertTrue(e.getMessage().contains("malformed build fork line"), e.getMessage());
  }

  @Test
  void jvmDescriptionNamesTheHeapOptionsButNotTheSystemProperties() {
    String d = BenchRunner.jvmDescription(); // the test JVM runs with -Xmx2g -Djava.awt.headless=true
    assertTrue(d.startsWith(System.getProperty("java.vm.name") + " " + Runtime.version()), d);
    assertTrue(d.contains("-Xmx2g"), d);
    assertFalse(d.contains("-Djava.awt.headless"), d);
  }

  private static BenchRunner.Build build(String index, double seconds, Map<String, Double> phases) {
    return new BenchRunner.Build(index, seconds, phases, 0, Map.of());
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
