package io.github.lucenepefa.cli.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The targets ({@link BenchTargets}), summary table and chart ({@link BenchReport}) and saved results ({@link BenchJson}). */
class BenchReportTest {

  @Test
  void overlapLimitIs095AtOneMillionDocsAndRowsElse099() {
    BenchTargets.Target small = overlapTarget(5_183, 19_700);
    assertEquals(0.99, small.limit());
    assertFalse(small.met());
    BenchTargets.Target million = overlapTarget(1_000_000, 1_000_000);
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
            "test", 10, 10, 10, 10, 8, true, "jvm", 2, BenchConfig.defaults(), builds, 1, List.of());
    BenchTargets.Target t =
        BenchTargets.of(r).stream()
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
            "test", 10, 10, 10, 10, 8, true, "jvm", 2, BenchConfig.defaults(), builds, 1, List.of());
    BenchTargets.Target t =
        BenchTargets.of(r).stream()
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

  @Test
  void aSavedResultRendersTheSameTablesAndChartAgain(@TempDir Path dir) throws IOException {
    BenchRunner.Report r = sampleReport();
    Path json = dir.resolve("run/bench.json");
    BenchJson.write(r, json);
    BenchRunner.Report back = BenchJson.read(json);
    assertEquals(BenchReport.markdown(r), BenchReport.markdown(back));
    assertEquals(BenchReport.table(r), BenchReport.table(back));
    assertEquals(BenchReport.header(r), BenchReport.header(back));
    assertEquals(r.records(), back.records());
    Path png = dir.resolve("run/recall-qps.png");
    BenchReport.writePng(back, png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(1200, img.getWidth());
    assertEquals(700, img.getHeight());
  }

  @Test
  void theQuantizationAndOversampleOfARunAreSavedAndShown(@TempDir Path dir) throws IOException {
    BenchRunner.Report plain = sampleReport();
    BenchConfig d = plain.config();
    BenchConfig c =
        new BenchConfig(
            d.efs(), d.n(), d.vote(), d.ermMode(), d.topK(), d.kSweep(), d.xlLambda(), d.xsLambda(), d.maxConn(),
            d.beamWidth(), d.threads(), d.warmupSeconds(), d.minTimedQueries(), d.ramBufferMb(), d.workDir(),
            d.keepIndexes(), d.graphOnly(), d.only(), d.xsAnyLambda(), d.indexThreads(), d.forceMerge(),
            d.stockMemory(), d.buildRepeats(), io.github.lucenepefa.codec.PefaQuantization.BINARY, 2.5f,
            d.bm25Weight(), d.xsMaxConn());
    BenchRunner.Report r =
        new BenchRunner.Report(
            plain.dataset(), plain.docs(), plain.memoryRows(), plain.labels(), plain.queries(), plain.dim(),
            plain.simd(), plain.javaVersion(), plain.cpus(), c, plain.builds(), plain.heapUsedMb(), plain.records());
    Path json = dir.resolve("q.json");
    BenchJson.write(r, json);
    BenchRunner.Report back = BenchJson.read(json);
    assertEquals(io.github.lucenepefa.codec.PefaQuantization.BINARY, back.config().quantization());
    assertEquals(2.5f, back.config().oversample());
    assertTrue(BenchReport.header(back).contains("quantization: binary"), BenchReport.header(back));
    assertTrue(BenchReport.header(back).contains("oversample 2.5"), BenchReport.header(back));
    // a float run without an oversample says nothing of either, and an older result reads as float
    assertFalse(BenchReport.header(plain).contains("quantization"), BenchReport.header(plain));
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = (ObjectNode) mapper.readTree(json.toFile());
    ((ObjectNode) root.get("config")).remove(List.of("quantization", "oversample"));
    mapper.writeValue(json.toFile(), root);
    assertEquals(io.github.lucenepefa.codec.PefaQuantization.NONE, BenchJson.read(json).config().quantization());
  }

  @Test
  void olderResultsWithoutTheNewerSettingsStillRender(@TempDir Path dir) throws IOException {
    Path json = dir.resolve("old.json");
    BenchJson.write(sampleReport(), json);
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = (ObjectNode) mapper.readTree(json.toFile());
    ((ObjectNode) root.get("config")).remove(List.of("xs_any_lambda", "efs", "k_sweep", "graph_only"));
    ((ObjectNode) root.get("builds").get(0)).set("field_vector_bytes", mapper.readTree("{\"pefa.erm\": 10, \"pefa.xs.e\": 10}"));
    mapper.writeValue(json.toFile(), root);
    BenchRunner.Report back = BenchJson.read(json);
    assertTrue(BenchReport.header(back).contains("XS lambda=0.5 (e_d only)"), BenchReport.header(back));
    assertArrayEquals(new int[] {100, 200}, back.config().efs());

    Path notBench = dir.resolve("metrics.json");
    Files.writeString(notBench, "{\"ERM\": {\"R@10\": 0.8}}");
    IOException e = assertThrows(IOException.class, () -> BenchJson.read(notBench));
    assertTrue(e.getMessage().contains("not a pefa bench JSON result (no \"config\")"), e.getMessage());
  }

  @Test
  void summaryGivesEachMethodItsLatencyAsAMultipleOfStockKnnAtTheSameEf() {
    String md = BenchReport.summary(sampleReport());
    assertTrue(md.contains("| exact-scan-docs | exact | 0.600 | 4.00 |"), md); // over stock at the first ef
    assertTrue(md.contains("| lucene-knn | 100 | 0.150 | 1.00 |"), md);
    assertTrue(md.contains("| lucene-knn-docs+memory-executor | 200 | 0.300 | – |"), md); // no stock kNN with the executor at 200
    assertTrue(md.contains("| pefa-xs | 100 | 0.165 | 1.10 |"), md);
    assertTrue(md.contains("| pefa-xl | 200 | 0.750 | 2.50 |"), md);
    assertTrue(md.contains("| pefa-xl-executor | 100 | 0.400 | 2.00 |"), md); // over stock with the executor
    assertFalse(md.contains("pefa-xl-graph-memef16"), md);
    assertTrue(md.indexOf("exact-scan-docs") < md.indexOf("| lucene-knn | 100"), md);
    assertTrue(md.indexOf("| pefa-xl | 100") < md.indexOf("| lucene-knn | 200"), md);
  }

  private static BenchRunner.Report sampleReport() {
    List<BenchRunner.Record> records =
        List.of(
            rec("exact-scan-docs", 0, 0, 0.6, 3000),
            rec("lucene-knn", 100, 0, 0.15, 12000),
            rec("pefa-xs", 100, 0, 0.165, 11000),
            rec("pefa-xl", 100, 100, 0.42, 4500),
            rec("lucene-knn", 200, 0, 0.3, 6000),
            rec("pefa-xs", 200, 0, 0.28, 6500),
            rec("pefa-xl", 200, 100, 0.75, 2500),
            rec("pefa-xl-graph-memef16", 100, 100, 0.4, 4800),
            rec("lucene-knn-executor", 100, 0, 0.2, 11000),
            rec("pefa-xl-executor", 100, 100, 0.4, 4000),
            rec("lucene-knn-docs+memory-executor", 200, 0, 0.3, 6000),
            rec("pefa-xl-K500", 100, 500, 0.9, 2000));
    List<BenchRunner.Build> builds =
        List.of(
            new BenchRunner.Build(
                "pefa", 12.5, Map.of("memory_rows", 6.0), 64_000_000, Map.of("pefa.erm", 10L, "pefa.xs", 20L)),
            new BenchRunner.Build("stock-docs", 1.5, Map.of("add", 1.4), 8_000_000, Map.of("vec", 10L)));
    return new BenchRunner.Report(
        "test", 5183, 19700, 19813, 300, 384, true, "jvm", 2, BenchConfig.defaults(), builds, 47, records);
  }

  private static BenchRunner.Record rec(String method, int ef, int topK, double meanMs, double qps) {
    return new BenchRunner.Record(method, ef, topK, meanMs, meanMs * 2, qps, ef == 0 ? 1 : 0.97, 1000, 20000, 600);
  }

  private static BenchRunner.Build build(String index, double seconds, Map<String, Double> phases) {
    return new BenchRunner.Build(index, seconds, phases, 0, Map.of());
  }

  private static BenchTargets.Target overlapTarget(int docs, int rows) {
    BenchRunner.Record xl = new BenchRunner.Record("pefa-xl", 200, 100, 1, 2, 3, 0.966, 4000, 1000, 300);
    BenchRunner.Report r =
        new BenchRunner.Report(
            "test", docs, rows, rows, 300, 384, true, "jvm", 2, BenchConfig.defaults(), List.of(), 1, List.of(xl));
    return BenchTargets.of(r).stream()
        .filter(t -> t.name().startsWith("pefa-xl overlap@"))
        .findFirst()
        .orElseThrow();
  }
}
