package io.github.lucenepefa.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnVote;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny smoke run of the benchmark harness (a few hundred docs; no timing assertions). */
class BenchRunnerTest {

  @Test
  void randomQueriesAreSeededUnitVectorsFarFromTheData() {
    BenchData data = SyntheticData.generate(300, 300, 20, 16, 7);
    BenchData random = data.withRandomQueries(3);
    assertEquals(data.name() + "-random-queries", random.name());
    assertTrue(random.docs() == data.docs() && random.rows() == data.rows());
    assertEquals(data.queries().length, random.queries().length);
    assertTrue(java.util.Arrays.deepEquals(random.queries(), data.withRandomQueries(3).queries()));
    assertTrue(java.util.Arrays.deepEquals(random.queries(), data.withRandomQueries(4).queries()) == false);
    double nearestData = 0;
    double nearestRandom = 0;
    for (int i = 0; i < random.queries().length; i++) {
      float[] q = random.queries()[i];
      assertEquals(1.0, org.apache.lucene.util.VectorUtil.dotProduct(q, q), 1e-5);
      nearestData += bestDot(data.queries()[i], data.docs());
      nearestRandom += bestDot(q, data.docs());
    }
    // the generated queries are drawn near documents, random ones are not
    assertTrue(nearestRandom < nearestData, nearestRandom + " vs " + nearestData);
  }

  private static double bestDot(float[] q, float[][] docs) {
    double best = -1;
    for (float[] d : docs) {
      best = Math.max(best, org.apache.lucene.util.VectorUtil.dotProduct(q, d));
    }
    return best;
  }

  @Test
  void tinySyntheticRunWritesTableJsonAndPng(@TempDir Path tmp) throws Exception {
    BenchData data = SyntheticData.generate(300, 300, 20, 16, 7);
    assertEquals(data, data); // records
    BenchConfig config =
        new BenchConfig(
            new int[] {10, 40},
            10,
            KnnVote.softmax(4, 0.05f), // the sharper vote: its exact and graph paths must agree as the paper's do
            ErmScoreMode.EXACT,
            10,
            new int[] {20},
            0.5f,
            0.5f,
            8,
            20,
            2,
            0.0,
            20,
            64,
            tmp,
            false,
            true,
            null,
            false, // e_d only: the bench must not need the pair field
            2,
            true,
            true,
            2,
            io.github.lucenepefa.codec.PefaQuantization.NONE,
            0f,
            Float.NaN, // no hybrid methods
            8);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    BenchRunner.Report r =
        new BenchRunner(config, new PrintStream(log, true, StandardCharsets.UTF_8)).run(data);
    Set<String> methods = new HashSet<>();
    for (BenchRunner.Record rec : r.records()) {
      methods.add(rec.method());
      assertTrue(rec.latencyMsMean() > 0, rec.toString());
      assertTrue(rec.qps() > 0, rec.toString());
      assertTrue(rec.overlapAtN() >= 0 && rec.overlapAtN() <= 1, rec.toString());
      if (rec.method().endsWith("-exhaustive") || rec.method().startsWith("exact-scan")) {
        assertEquals(1.0, rec.overlapAtN(), 1e-9, rec.toString());
      }
    }
    assertTrue(
        methods.containsAll(
            Set.of(
                "lucene-knn",
                "pefa-xs",
                "pefa-xl",
                "pefa-xs-graph",
                "pefa-xl-graph",
                "pefa-xl-exhaustive",
                "exact-scan-docs+memory",
                "pefa-xl-K20",
                "lucene-knn-docs+memory",
                "lucene-knn-docs+memory-executor")),
        methods.toString());
    // the two-search floor returns stock kNN's documents and scores both graphs
    for (BenchRunner.Record floor : r.records()) {
      if (floor.method().startsWith("lucene-knn-docs+memory")) {
        BenchRunner.Record knn =
            r.records().stream()
                .filter(x -> x.method().equals("lucene-knn") && x.ef() == floor.ef())
                .findFirst()
                .orElseThrow();
        assertEquals(knn.overlapAtN(), floor.overlapAtN(), 1e-9, floor.toString());
        assertTrue(floor.nodesVisited() > knn.nodesVisited(), floor + " vs " + knn);
      }
    }
    assertTrue(
        BenchTargets.of(r).stream()
                .filter(t -> t.name().startsWith("floor of a two-graph PEFA-XL"))
                .count()
            == 2,
        BenchTargets.of(r).toString());
    // stock-docs, stock-memory, pefa, then the second memory builds in alternating order
    assertEquals(
        List.of("stock-docs", "stock-memory", "pefa", "pefa-memory#2", "stock-memory#2"),
        r.builds().stream().map(BenchRunner.Build::index).toList());
    assertTrue(
        BenchTargets.of(r).stream().anyMatch(t -> t.detail().contains("median of 2 builds each")),
        BenchTargets.of(r).toString());
    Path json = tmp.resolve("bench.json");
    Path png = tmp.resolve("bench.png");
    BenchJson.write(r, json);
    BenchReport.writePng(r, png);
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    JsonNode first = root.get("records").get(0);
    for (String f :
        new String[] {"method", "ef", "latency_ms_mean", "latency_ms_p99", "qps", "overlap_at_10"}) {
      assertTrue(first.has(f), f);
    }
    assertEquals(5, root.get("builds").size());
    assertTrue(Files.size(png) > 1000);
    String table = BenchReport.table(r);
    assertTrue(table.contains("pefa-xl-graph"), table);
    assertTrue(BenchReport.header(r).contains("SIMD: "));
    assertTrue(BenchReport.markdown(r).contains("| method |"));
    // the temporary indexes are removed
    try (var s = Files.list(tmp)) {
      assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith("pefa-bench-")).count());
    }
  }

  @Test
  void buildForksRunEachPairInAFreshJvmAndDecideTheBuildTarget(@TempDir Path tmp) throws Exception {
    Path json = tmp.resolve("bench.json");
    int code =
        new picocli.CommandLine(new BenchCommand())
            .execute(
                "--synthetic", "--docs", "200", "--memory-rows", "200", "--queries", "10", "--dim", "8",
                "--ef", "10", "--hits", "10", "--top-k", "10", "--k", "4", "--top-k-sweep", "0", "--no-graph-only",
                "--only", "lucene-knn$", "--min-timed", "5", "--warmup", "0", "--build-repeats", "1",
                "--build-forks", "2", "--work", tmp.toString(), "--json", json.toString());
    assertEquals(0, code);
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    List<String> builds = new java.util.ArrayList<>();
    root.get("builds").forEach(b -> builds.add(b.get("index").asText()));
    // fork 1 builds PEFA's rows first, fork 2 the stock index first
    assertEquals(
        List.of(
            "stock-docs", "stock-memory", "pefa",
            "pefa-memory@1", "stock-memory@1", "stock-memory@2", "pefa-memory@2"),
        builds);
    JsonNode target = null;
    for (JsonNode t : root.get("targets")) {
      if (t.get("target").asText().startsWith("memory graph build")) {
        target = t;
      }
    }
    assertTrue(target != null, root.get("targets").toString());
    assertTrue(target.get("detail").asText().contains("median of 2 builds each, one of each per fresh JVM"), target.toString());
    try (var s = Files.list(tmp)) {
      assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith("pefa-bench-")).count());
    }
  }

  @Test
  void warmUpRunsEveryQueryVectorBeforeTiming() throws Exception {
    // more query vectors than a time-only warm-up of zero seconds would run (20): the timed loop must not be
    // the first to run any of them (on a large index, the first run of a query reads index pages from disk)
    float[][] queries = new float[300][];
    for (int i = 0; i < queries.length; i++) {
      queries[i] = new float[] {i};
    }
    List<Integer> seen = new java.util.ArrayList<>();
    BenchMethod.Search search =
        q -> {
          seen.add((int) q[0]);
          return new org.apache.lucene.search.ScoreDoc[0];
        };
    int runs = BenchTiming.warmUp(search, queries, 0);
    assertEquals(queries.length, runs);
    for (int i = 0; i < queries.length; i++) {
      assertEquals(i, seen.get(i), "query vectors run once each, in order");
    }
    // the seconds come after the pass: a pass slower than them (300 x 0.3 ms > 50 ms) is followed by more
    seen.clear();
    BenchMethod.Search slow =
        q -> {
          java.util.concurrent.locks.LockSupport.parkNanos(300_000);
          return search.run(q);
        };
    runs = BenchTiming.warmUp(slow, queries, 0.05);
    assertEquals(runs, seen.size());
    assertTrue(runs > queries.length, "the seconds come on top of the full pass: " + runs);
    for (int i = 0; i < runs; i++) {
      assertEquals(i % queries.length, seen.get(i), "cycling through the vectors");
    }
  }

  @Test
  void syntheticDataIsSeededAndUnitLength() {
    BenchData a = SyntheticData.generate(200, 100, 10, 8, 3);
    BenchData b = SyntheticData.generate(200, 100, 10, 8, 3);
    for (int i = 0; i < a.docs().length; i++) {
      assertTrue(java.util.Arrays.equals(a.docs()[i], b.docs()[i]));
      double s = 0;
      for (float x : a.docs()[i]) {
        s += x * x;
      }
      assertEquals(1.0, s, 1e-4);
    }
    assertEquals(100, a.rows().size());
    for (BenchData.Row r : a.rows()) {
      assertTrue(r.docs().length >= 1);
    }
  }

  @Test
  void overlapAndScan() {
    assertEquals(0.5, BenchTiming.overlap(new int[] {1, 2}, new int[] {2, 3}, 2), 1e-9);
    float[][] v = {{1, 0}, {0, 1}, {0.6f, 0.8f}};
    var top = ExactScan.scan(v, new float[] {0, 1}, 2);
    assertEquals(1, top[0].doc);
    assertEquals(2, top[1].doc);
  }
}
