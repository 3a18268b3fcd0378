package io.github.lucenepefa.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code pefa bench --bm25-weight A} on the tiny dataset: the hybrid methods timed beside their non-hybrid
 * counterparts and the stock floor (the bench's indexes have the BM25 text field: a lexical query on a missing field
 * fails), the hybrid table, the JSON and the pareto points; and the refusals (synthetic data, a weight outside
 * [0, 1]: one line, exit 1, nothing written).
 */
class BenchHybridCliTest {

  @Test
  void benchTimesTheHybridMethodsBesideStockBm25AndKnn() throws Exception {
    Path work = CliRunner.work("bench-hybrid");
    Path data = CliRunner.tinyDataset(work.resolve("data"));
    String[] common = {"--data", data.toString(), "--cache", work.resolve("cache").toString()};
    String[] small = {"--ef", "4", "--hits", "3", "--top-k", "3", "--k", "2", "--top-k-sweep", "0", "--no-graph-only",
        "--min-timed", "4", "--warmup", "0", "--build-repeats", "1", "--work", work.toString()
        };
    Path json = work.resolve("bench.json");
    CliRunner.Result r = CliRunner.run(HybridCliTest.cat(HybridCliTest.cat(
        new String[] {"bench", "--bm25-weight", "0.3", "--json", json.toString()}, small), common));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("BM25 weight a = 0.3"), r.out());
    assertTrue(r.out().contains("× stock BM25+kNN"), r.out());
    JsonNode root = new JsonMapper().readTree(json.toFile());
    assertEquals(0.3, root.path("config").path("bm25_weight").asDouble(), 1e-6);
    Map<String, JsonNode> byMethod = new HashMap<>();
    root.get("records").forEach(x -> byMethod.putIfAbsent(x.get("method").asText(), x));
    for (String m : List.of("lucene-bm25", "lucene-bm25+knn", "lucene-knn", "pefa-erm+bm25", "pefa-xs+bm25",
        "pefa-xl+bm25", "pefa-xs", "pefa-xl", "pefa-erm+bm25-exhaustive", "pefa-xs+bm25-exhaustive",
        "pefa-xl+bm25-exhaustive")) {
      assertTrue(byMethod.containsKey(m), m + " in " + byMethod.keySet());
    }
    for (String m : List.of("lucene-bm25", "pefa-erm+bm25-exhaustive", "pefa-xs+bm25-exhaustive",
        "pefa-xl+bm25-exhaustive")) {
      assertEquals(1.0, byMethod.get(m).get("overlap_at_3").asDouble(), 1e-9, m);
    }
    // the floor returns stock kNN's hits
    assertEquals(byMethod.get("lucene-knn").get("overlap_at_3").asDouble(),
        byMethod.get("lucene-bm25+knn").get("overlap_at_3").asDouble(), 1e-9);
    // --from-json renders the hybrid table again
    r = CliRunner.run("bench", "--from-json", json.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("| pefa-xl+bm25 | 4 |"), r.out());

    // --pareto: the hybrid curves beside the others
    Path pareto = work.resolve("pareto");
    r = CliRunner.run(HybridCliTest.cat(HybridCliTest.cat(new String[] {"bench", "--pareto", "--out", pareto.toString(),
        "--pareto-ef", "3,6", "--pareto-hits", "3", "--bm25-weight", "0.3"}, small), common));
    assertEquals(0, r.code(), r.err());
    JsonNode points = new JsonMapper().readTree(pareto.resolve("pareto.json").toFile());
    java.util.Set<String> methods = new java.util.HashSet<>();
    points.forEach(p -> methods.add(p.get("method").asText()));
    assertTrue(methods.containsAll(List.of("stock", "floor", "xs", "xl", "bm25+knn", "erm+bm25", "xs+bm25", "xl+bm25")),
        methods.toString());
    String md = Files.readString(pareto.resolve("pareto.md"));
    assertTrue(md.contains("### Hybrid (--bm25-weight)"), md);
    assertTrue(md.contains("hybrid methods at BM25 weight a = 0.3"), md);
  }

  @Test
  void benchRefusesTheWeightWithoutTextsOrOutOfRange() throws Exception {
    Path work = CliRunner.work("bench-hybrid-bad");
    Path json = work.resolve("bench.json");
    String[] synthetic = {"bench", "--synthetic", "--docs", "50", "--memory-rows", "50", "--queries", "5", "--dim", "8",
        "--ef", "10", "--hits", "5", "--top-k-sweep", "0", "--min-timed", "5", "--warmup", "0", "--work",
        work.toString(), "--json", json.toString()};
    CliRunner.Result r = CliRunner.run(HybridCliTest.cat(synthetic, new String[] {"--bm25-weight", "0.2"}));
    assertEquals(1, r.code());
    assertTrue(r.err().contains("--bm25-weight: --synthetic data has no texts"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(Files.exists(json));
    r = CliRunner.run(HybridCliTest.cat(synthetic, new String[] {"--bm25-weight", "0.2", "--bm25-xl-lam", "0.3"}));
    assertEquals(1, r.code());
    assertTrue(r.err().contains("pefa bench times each hybrid method with the settings of the method alone"), r.err());
    assertFalse(Files.exists(json));
    r = CliRunner.run(HybridCliTest.cat(synthetic, new String[] {"--bm25-weight", "1.5"}));
    assertEquals(1, r.code());
    assertTrue(r.err().contains("--bm25-weight must be in [0,1], got 1.5"), r.err());
    assertFalse(Files.exists(json));
    try (var s = Files.list(work)) {
      assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith("pefa-bench-")).count());
    }
  }
}
