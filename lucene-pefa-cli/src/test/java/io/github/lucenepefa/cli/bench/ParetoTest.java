package io.github.lucenepefa.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.lucenepefa.cli.bench.ParetoSweep.Point;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code pefa bench --pareto} on a tiny synthetic index: the schema of pareto.json and the chart. */
class ParetoTest {

  @Test
  void paretoWritesJsonWithTheSchemaAndTheChart(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("out");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int rc;
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      rc =
          new CommandLine(new BenchCommand())
              .execute(
                  "--synthetic", "--docs", "400", "--memory-rows", "300", "--queries", "20", "--dim", "16",
                  "--seed", "7", "--hnsw-m", "8", "--hnsw-ef-construction", "20", "--min-timed", "20",
                  "--warmup", "0", "--work", tmp.toString(), "--pareto", "--out", out.toString(),
                  "--pareto-ef", "10,20,40", "--pareto-hits", "5,10");
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    assertEquals(0, rc, stderr.toString(StandardCharsets.UTF_8));
    JsonNode root = new ObjectMapper().readTree(out.resolve("pareto.json").toFile());
    assertTrue(root.isArray() && root.size() > 0, root.toString());
    Set<String> methods = new HashSet<>();
    Set<String> defaults = new HashSet<>();
    for (JsonNode p : root) {
      List<String> fields = new ArrayList<>();
      for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
        fields.add(it.next());
      }
      // the issue's keys, in its order, then the graphs' quantization
      assertEquals(List.of("method", "n", "ef", "default", "recall", "latency_ms", "quantization"), fields);
      assertEquals("none", p.get("quantization").asText(), p.toString());
      assertTrue(p.get("method").isTextual() && p.get("n").isInt() && p.get("ef").isInt(), p.toString());
      assertTrue(p.get("default").isBoolean(), p.toString());
      assertTrue(p.get("recall").isNumber() && p.get("latency_ms").isNumber(), p.toString());
      double recall = p.get("recall").asDouble();
      assertTrue(recall >= 0 && recall <= 1, p.toString());
      assertTrue(p.get("latency_ms").asDouble() > 0, p.toString());
      int n = p.get("n").asInt();
      assertTrue(n == 5 || n == 10, p.toString());
      assertTrue(p.get("ef").asInt() >= n, p.toString()); // a beam below n is n
      methods.add(p.get("method").asText());
      if (p.get("default").asBoolean()) {
        assertTrue(defaults.add(p.get("method").asText() + "@" + n), "two defaults: " + p);
      }
    }
    assertEquals(Set.of("stock", "floor", "xs", "xl"), methods);
    // one default point per method and n; stock's is its k = n
    assertEquals(8, defaults.size(), defaults.toString());
    for (JsonNode p : root) {
      if (p.get("method").asText().equals("stock") && p.get("default").asBoolean()) {
        assertEquals(p.get("n").asInt(), p.get("ef").asInt(), p.toString());
      }
    }
    // on 400 documents ef 40 at n = 5 finds the exact top 5 of every method
    List<Point> points = ParetoReport.readJson(out.resolve("pareto.json"));
    for (String m : List.of("stock", "floor", "xs", "xl")) {
      List<Point> c = ParetoReport.curve(points, m, 5);
      assertEquals(1.0, c.get(c.size() - 1).recall(), 1e-9, c.toString());
    }
    BufferedImage png = ImageIO.read(out.resolve("pareto.png").toFile());
    assertTrue(png != null && png.getWidth() > 100 && png.getHeight() > 100);
    String md = Files.readString(out.resolve("pareto.md"));
    assertTrue(md.contains("Latency at equal recall") && md.contains("| 10 | 0.95 |"), md);
    assertTrue(stdout.toString(StandardCharsets.UTF_8).contains("pareto.json"));
  }

  @Test
  void paretoSweepsEveryQuantizationBesideTheFloatCurves(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("out");
    Path indexes = tmp.resolve("indexes");
    String[] args = {
      "--synthetic", "--docs", "400", "--memory-rows", "300", "--queries", "20", "--dim", "16",
      "--seed", "7", "--hnsw-m", "8", "--hnsw-ef-construction", "20", "--min-timed", "20",
      "--warmup", "0", "--work", tmp.toString(), "--pareto", "--out", out.toString(),
      "--pareto-ef", "10,40", "--pareto-hits", "5", "--quantization", "none,int8,binary",
      "--index-dir", indexes.toString()
    };
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    assertEquals(0, bench(args, stderr), stderr.toString(StandardCharsets.UTF_8));
    List<Point> points = ParetoReport.readJson(out.resolve("pareto.json"));
    assertEquals(List.of("none", "int8", "binary"), ParetoReport.quantizations(points));
    for (String q : List.of("none", "int8", "binary")) {
      for (String m : List.of("stock", "floor", "xs", "xl")) {
        List<Point> c = ParetoReport.curve(points, m, q, 5);
        assertEquals(40, c.get(c.size() - 1).ef(), m + " " + q + " " + c);
        // a beam of 40 of 400 documents, rescored with the float vectors, finds the exact top 5 (PEFA
        // scans so small an index exactly; stock's 1-bit graph in 16 dimensions misses a few)
        double last = c.get(c.size() - 1).recall();
        assertTrue(q.equals("binary") && m.matches("stock|floor") ? last >= 0.9 : last == 1.0, m + " " + q + " " + c);
      }
    }
    String md = Files.readString(out.resolve("pareto.md"));
    assertTrue(md.contains("Quantized × float at equal recall") && md.contains("| int8 | 5 | 0.95 |"), md);
    // the index tables: the quantized fields have quantized vectors next to the float ones
    assertTrue(md.contains("| int8 | pefa | pefa.erm | 400 |"), md);
    assertTrue(md.contains("| binary | stock-docs | vec | 400 |"), md);
    assertTrue(md.contains("| int8 | PEFA-XL's fields (ERM + memory) |"), md);
    assertTrue(md.contains("| none | PEFA index (every field) |") && md.contains("| 1.000 |"), md);
    assertTrue(Files.exists(indexes.resolve("int8").resolve("pefa")), "a quantization's indexes in its folder");
    // a second run reuses the indexes, with the build times of the run that built them
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    assertEquals(0, bench(args, again), again.toString(StandardCharsets.UTF_8));
    assertTrue(again.toString(StandardCharsets.UTF_8).contains("reusing the indexes under"), again.toString());
    assertTrue(Files.readString(out.resolve("pareto.md")).contains("- binary: pefa "), "builds read back");
  }

  @Test
  void badQuantizationsAreRefused(@TempDir Path tmp) {
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    String[] common = {"--synthetic", "--docs", "50", "--memory-rows", "50", "--queries", "5", "--dim", "8"};
    String[] unknown = java.util.stream.Stream.concat(
        java.util.Arrays.stream(common), java.util.stream.Stream.of("--quantization", "int9")).toArray(String[]::new);
    assertTrue(bench(unknown, stderr) != 0);
    assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("int9"), stderr.toString());
    String[] list = java.util.stream.Stream.concat(
        java.util.Arrays.stream(common), java.util.stream.Stream.of("--quantization", "none,int8")).toArray(String[]::new);
    stderr.reset();
    assertTrue(bench(list, stderr) != 0);
    assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("without --pareto takes one quantization"), stderr.toString());
  }

  /** Runs pefa bench with stdout discarded and stderr into {@code stderr}; returns its exit code. */
  private static int bench(String[] args, ByteArrayOutputStream stderr) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    try {
      System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      return new CommandLine(new BenchCommand()).execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void latencyAtEqualRecallInterpolatesOnTheFrontier() {
    List<Point> c =
        List.of(
            new Point("xs", 10, 10, true, 0.90, 1.0),
            new Point("xs", 10, 20, false, 0.98, 4.0),
            new Point("xs", 10, 30, false, 0.97, 5.0), // dominated: more latency, less recall
            new Point("xs", 10, 40, false, 1.00, 8.0));
    // halfway from 0.90 to 0.98 in recall: the geometric mean of 1 and 4
    assertEquals(2.0, ParetoReport.latencyAt(c, 0.94), 1e-9);
    assertEquals(4.0, ParetoReport.latencyAt(c, 0.98), 1e-9);
    assertEquals(1.0, ParetoReport.latencyAt(c, 0.5), 1e-9);
    assertTrue(Double.isNaN(ParetoReport.latencyAt(c.subList(0, 1), 0.95)));
  }
}
