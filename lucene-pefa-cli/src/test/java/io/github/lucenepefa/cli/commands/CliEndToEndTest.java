package io.github.lucenepefa.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.lucenepefa.cli.index.IndexInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** index → search → eval → tune → encode on a tiny dataset, with the real MiniLM encoder. */
class CliEndToEndTest {

  @Test
  void allCommandsOnATinyDataset() throws Exception {
    Path work = CliRunner.work("e2e");
    Path data = CliRunner.tinyDataset(work.resolve("data"));
    Path cache = work.resolve("cache");
    Path index = work.resolve("index");
    String[] common = {"--data", data.toString(), "--cache", cache.toString()};

    CliRunner.Result r = CliRunner.run(cat(new String[] {"index", "--index", index.toString(), "--chunks", "2", "--chunk-words", "4"}, common));
    assertEquals(0, r.code(), r.err());
    IndexInfo info = IndexInfo.read(index);
    assertEquals(6, info.docs());
    // 4 train queries + 6 docs x 2 chunks of 4 words (every text here has >= 8 words)
    assertEquals(16, info.memoryInputs());
    assertTrue(Files.size(cache.resolve("all-minilm-l6-v2-max256/doc.vec")) > 6 * 384 * 4);

    r = CliRunner.run(cat(new String[] {"search", "--index", index.toString(), "--mode", "xl", "--explain", "-n", "3", "vitamin", "d", "fractures"}, common));
    assertEquals(0, r.code(), r.err());

    for (String mode : List.of("erm", "xs", "xl")) {
      r = CliRunner.run(cat(new String[] {"search", "--index", index.toString(), "--mode", mode, "-n", "3", "aspirin bleeding"}, common));
      assertEquals(0, r.code(), r.err());
    }

    Path out = work.resolve("eval");
    r = CliRunner.run(cat(new String[] {"eval", "--index", index.toString(), "--chunks", "2", "--chunk-words", "4", "--out", out.toString(), "--lam", "0.7", "--k", "2", "--knn-norm", "mean"}, common));
    assertEquals(0, r.code(), r.err());
    JsonNode m = new JsonMapper().readTree(out.resolve("metrics.json").toFile());
    for (String method : List.of("ERM", "PEFA-XS", "PEFA-XL")) {
      for (String metric : List.of("R@10", "R@20", "R@100", "nDCG@10", "MRR@10")) {
        assertTrue(m.path(method).path(metric).isNumber(), method + " " + metric);
      }
    }
    assertEquals(0.7, m.path("params").path("xs_lam").asDouble(), 1e-6);
    assertEquals("mean", m.path("params").path("knn_norm").asText());
    for (String f : List.of("report.md", "recall.png", "lam-sweep.png", "runs/erm.trec", "runs/xs.trec", "runs/xl.trec")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    List<String> trec = Files.readAllLines(out.resolve("runs/xl.trec"));
    assertTrue(trec.get(0).matches("q5 Q0 d\\d 1 -?[0-9.]+ pefa-xl"), trec.get(0));

    r = CliRunner.run(cat(new String[] {"tune", "--index", index.toString(), "--chunks", "2", "--chunk-words", "4", "--out", work.resolve("tune").toString(), "--ks", "1,2"}, common));
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.exists(work.resolve("tune/tune.json")));

    Path texts = work.resolve("texts.jsonl");
    Files.writeString(texts, "{\"text\": \"hello world\"}\n{\"title\": \"T\", \"text\": \"body\"}\n");
    Path npy = work.resolve("v.npy");
    r = CliRunner.run(cat(new String[] {"encode", "--input", texts.toString(), "--output", npy.toString(), "--kind", "doc"}, common));
    assertEquals(0, r.code(), r.err());
    byte[] b = Files.readAllBytes(npy);
    int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
    String header = new String(b, 10, headerLen, java.nio.charset.StandardCharsets.US_ASCII);
    assertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (2, 384)"), header);
    assertEquals(0, (10 + headerLen) % 64);
    assertEquals(10 + headerLen + 2 * 384 * 4, b.length);
    ByteBuffer bb = ByteBuffer.wrap(b, 10 + headerLen, 384 * 4).order(ByteOrder.LITTLE_ENDIAN);
    double norm = 0;
    for (int i = 0; i < 384; i++) {
      float f = bb.getFloat();
      norm += f * f;
    }
    assertEquals(1.0, norm, 1e-4);
  }

  static String[] cat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
