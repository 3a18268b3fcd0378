package io.github.lucenepefa.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.lucenepefa.cli.index.Bm25Settings;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.index.TunedParams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BM25 and hybrid search in the CLI on the tiny dataset: the text field in pefa-index.json, {@code --bm25-weight} in
 * search and eval (the four BM25 rows and their runs), tune's BM25 weights, and bad input (out of range, an index
 * without the text field: one line, exit 1, nothing written).
 */
class HybridCliTest {

  @Test
  void hybridRowsSearchTuneAndBadInput() throws Exception {
    Path work = CliRunner.work("hybrid");
    Path data = CliRunner.tinyDataset(work.resolve("data"));
    Path index = work.resolve("index");
    String[] common = {"--data", data.toString(), "--cache", work.resolve("cache").toString()};
    String[] build = {"--index", index.toString(), "--chunks", "2", "--chunk-words", "4"};

    CliRunner.Result r = CliRunner.run(cat(cat(new String[] {"index", "--bm25-k1", "1.2", "--bm25-b", "0.75"}, build),
        common));
    assertEquals(0, r.code(), r.err());
    assertEquals(new Bm25Settings(1.2f, 0.75f), IndexInfo.read(index).bm25());
    r = CliRunner.run(cat(cat(new String[] {"index"}, build), common)); // the defaults: rebuilt
    assertEquals(0, r.code(), r.err());
    assertEquals(Bm25Settings.DEFAULT, IndexInfo.read(index).bm25());

    for (String mode : List.of("erm", "xs", "xl")) {
      r = CliRunner.run(cat(new String[] {"search", "--index", index.toString(), "--mode", mode, "--bm25-weight", "0.3",
          "--explain", "-n", "3", "aspirin", "bleeding"}, common));
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("BM25 weight a=0.3"), r.out());
      assertTrue(r.out().contains("max, the top lexical score"), r.out());
    }

    Path out = work.resolve("eval");
    r = CliRunner.run(cat(cat(new String[] {"eval", "--out", out.toString(), "--no-sweep", "--bm25-weight", "0.2"},
        build), common));
    assertEquals(0, r.code(), r.err());
    JsonNode m = new JsonMapper().readTree(out.resolve("metrics.json").toFile());
    for (String method : List.of("BM25", "ERM+BM25", "PEFA-XS+BM25", "PEFA-XL+BM25")) {
      assertTrue(m.path(method).path("nDCG@10").isNumber(), method);
    }
    assertEquals(0.2, m.path("params").path("bm25_weight").path("PEFA-XL+BM25").asDouble(), 1e-6);
    assertTrue(m.path("params").path("p_value_vs_method_without_BM25").path("PEFA-XL+BM25").has("nDCG@10"));
    for (String f : List.of("bm25", "erm-bm25", "xs-bm25", "xl-bm25")) {
      assertTrue(Files.size(out.resolve("runs/" + f + ".trec")) > 0, f);
    }

    // per-method weights and the hybrid's own PEFA parameters
    r = CliRunner.run(cat(cat(new String[] {"eval", "--out", out.toString(), "--no-sweep", "--bm25-weight", "0.2",
        "--xl-bm25-weight", "0.4", "--bm25-xl-lam", "0.3", "--bm25-k", "1"}, build), common));
    assertEquals(0, r.code(), r.err());
    m = new JsonMapper().readTree(out.resolve("metrics.json").toFile());
    assertEquals(0.2, m.path("params").path("bm25_weight").path("ERM+BM25").asDouble(), 1e-6);
    assertEquals(0.4, m.path("params").path("bm25_weight").path("PEFA-XL+BM25").asDouble(), 1e-6);
    assertTrue(m.path("params").path("bm25_xl").asText().startsWith("lam=0.3, k=1,"), m.path("params").toString());

    r = CliRunner.run(cat(cat(new String[] {"tune", "--out", work.resolve("tune").toString(), "--ks", "1,2",
        "--lams", "0.5,1", "--bm25-weights", "0,0.5"}, build), common));
    assertEquals(0, r.code(), r.err());
    TunedParams tuned = TunedParams.read(index, IndexInfo.read(index), null);
    assertNotNull(tuned.bm25Xl(), "tuned BM25 weight");
    assertTrue(List.of(0f, 0.5f).contains(tuned.bm25Erm()), "" + tuned.bm25Erm());
    r = CliRunner.run(cat(new String[] {"search", "--index", index.toString(), "aspirin"}, common));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("BM25 weight a=" + tuned.bm25Xl() + " (tuned)"), r.out());

    // bad input: nothing written
    Path bad = work.resolve("eval-bad");
    r = CliRunner.run(cat(cat(new String[] {"eval", "--out", bad.toString(), "--bm25-weight", "1.5"}, build), common));
    assertEquals(1, r.code());
    assertTrue(r.err().contains("--bm25-weight must be in [0,1], got 1.5"), r.err());
    assertFalse(Files.exists(bad));
    r = CliRunner.run(cat(new String[] {"search", "--index", index.toString(), "--bm25-weight", "-0.1", "x"}, common));
    assertEquals(1, r.code());
    assertTrue(r.err().contains("--bm25-weight must be in [0,1], got -0.1"), r.err());
    // an index without the text field (as pefa-index.json says)
    ObjectNode json = (ObjectNode) new JsonMapper().readTree(index.resolve(IndexInfo.FILE).toFile());
    json.remove("bm25");
    new JsonMapper().writeValue(index.resolve(IndexInfo.FILE).toFile(), json);
    r = CliRunner.run(cat(new String[] {"search", "--index", index.toString(), "--bm25-weight", "0.1", "x"}, common));
    assertEquals(1, r.code());
    assertTrue(r.err().contains("has no BM25 text field"), r.err());
    r = CliRunner.run(cat(cat(new String[] {"eval", "--no-rebuild", "--out", bad.toString(), "--bm25-weight", "0.1"},
        build), common));
    assertEquals(1, r.code());
    assertTrue(r.err().contains("has no BM25 text field"), r.err());
    assertFalse(Files.exists(bad));
  }

  static String[] cat(String[] a, String[] b) {
    return CliEndToEndTest.cat(a, b);
  }
}
