package io.github.lucenepefa.cli.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.index.MemoryRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;

/**
 * {@code pefa memory add/remove} and {@code eval --no-rebuild}: after {@code memory add} of split B to an index built
 * from split A, the memory and eval's outputs equal those of a fresh index built from A+B, and {@code memory remove}
 * of B brings them back to A's. The dataset is synthetic and small (MiniLM encodes it in seconds) and has the cases
 * where a naive add would differ: a B query with the text of an A query (merged into A's row), a B query whose text is
 * a doc-as-query chunk (a fresh build gives it a query row id, not the chunk's), a query judged in both splits (weights
 * add up), and a grade-0 row (no pair).
 */
class MemoryCommandTest {

  static final String[] WORDS = {
    "protein", "cell", "receptor", "binding", "patients", "cancer", "treatment", "mortality", "gene", "expression",
    "mice", "vitamin", "levels", "risk", "trial", "dose", "immune", "response", "tumor", "growth", "insulin", "brain",
    "neurons", "bacteria", "infection", "antibody", "blood", "pressure", "heart", "lung", "liver", "kidney", "sleep",
    "diet", "exercise", "obesity", "glucose", "signal", "pathway", "mutation"
  };

  static String words(Random r, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  /** 24 documents, 30 queries, splits train-a, train-b and test (see the class comment). */
  static Path dataset(Path dir) throws Exception {
    Random r = new Random(3);
    Files.createDirectories(dir.resolve("qrels"));
    List<String> docTexts = new ArrayList<>();
    StringBuilder corpus = new StringBuilder();
    for (int i = 0; i < 24; i++) {
      String text = words(r, 10 + r.nextInt(10));
      docTexts.add(text);
      corpus.append("{\"_id\": \"d").append(i).append("\", \"title\": \"T").append(i).append("\", \"text\": \"")
          .append(text).append("\"}\n");
    }
    Files.writeString(dir.resolve("corpus.jsonl"), corpus);
    String[] q = new String[30];
    for (int i = 0; i < q.length; i++) {
      q[i] = words(r, 3 + r.nextInt(4));
    }
    q[11] = q[1]; // B's q11 has A's q1's text: it joins row q:q1
    q[12] = String.join(" ", List.of(docTexts.get(5).split(" ")).subList(0, 4)); // B's q12 is d5's first chunk
    StringBuilder queries = new StringBuilder();
    for (int i = 0; i < q.length; i++) {
      queries.append("{\"_id\": \"q").append(i).append("\", \"text\": \"").append(q[i]).append("\"}\n");
    }
    Files.writeString(dir.resolve("queries.jsonl"), queries);
    String h = "query-id\tcorpus-id\tscore\n";
    StringBuilder a = new StringBuilder(h);
    for (int i = 0; i < 10; i++) {
      a.append("q").append(i).append("\td").append(i).append("\t1\n");
      if (i % 3 == 0) {
        a.append("q").append(i).append("\td").append(i + 10).append("\t1\n");
      }
    }
    StringBuilder b = new StringBuilder(h);
    for (int i = 10; i < 18; i++) {
      b.append("q").append(i).append("\td").append(i - 4).append("\t1\n");
    }
    b.append("q3\td20\t1\n"); // q3 is judged in A too: its row gains a label
    b.append("q4\td4\t1\n"); // the same pair as in A: weight 2
    b.append("q18\td2\t0\n"); // grade 0: no pair
    Files.writeString(dir.resolve("qrels/train-a.tsv"), a);
    Files.writeString(dir.resolve("qrels/train-b.tsv"), b);
    StringBuilder t = new StringBuilder(h);
    for (int i = 20; i < 30; i++) {
      t.append("q").append(i).append("\td").append(i - 20).append("\t1\n");
      t.append("q").append(i).append("\td").append(23 - (i - 20)).append("\t1\n");
    }
    Files.writeString(dir.resolve("qrels/test.tsv"), t);
    return dir;
  }

  @Test
  void memoryAddEqualsAFreshBuildAndRemoveGoesBack() throws Exception {
    Path work = CliRunner.work("memory");
    Path data = dataset(work.resolve("data"));
    Path index = work.resolve("index");
    String[] common = {"--data", data.toString(), "--cache", work.resolve("cache").toString(), "--index", index.toString()};
    String[] build = {"--chunks", "2", "--chunk-words", "4"};

    run(cat(new String[] {"index", "--train-split", "train-a,train-b"}, build, common));
    Map<String, Map<String, Float>> rowsAB = rows(index);
    assertEquals(List.of("train-a", "train-b"), IndexInfo.read(index).trainSplits());
    Path fresh = eval(work, "fresh-ab", common);

    run(cat(new String[] {"index", "--train-split", "train-a"}, build, common));
    Map<String, Map<String, Float>> rowsA = rows(index);
    Path onlyA = eval(work, "fresh-a", common);
    assertNotEquals(rowsA, rowsAB);
    // the cases the dataset was made for
    assertEquals(Map.of("d1", 1f, "d7", 1f), rowsAB.get("q:q1")); // q1 (A, d1) + q11 (B, same text, d7)
    assertEquals(Map.of("d8", 1f, "d5", 1f), rowsAB.get("q:q12")); // q12's text is d5's chunk: a query row
    assertTrue(rowsA.containsKey("c:d5:0") && !rowsAB.containsKey("c:d5:0"));
    assertEquals(Map.of("d3", 1f, "d13", 1f, "d20", 1f), rowsAB.get("q:q3"));
    assertEquals(Map.of("d4", 2f), rowsAB.get("q:q4"));
    assertTrue(!rowsAB.containsKey("q:q18"));

    CliRunner.Result r = run(cat(new String[] {"memory", "add", "--split", "train-b"}, common));
    assertTrue(r.err().contains("memory add train-b:"), r.err());
    assertEquals(rowsAB, rows(index));
    assertEquals(List.of("train-a", "train-b"), IndexInfo.read(index).trainSplits());
    Path added = eval(work, "added-b", common);

    r = CliRunner.run(cat(new String[] {"memory", "add", "--split", "train-b"}, common));
    assertEquals(1, r.code());
    assertTrue(r.err().contains("already holds split train-b"), r.err());

    run(cat(new String[] {"memory", "remove", "--split", "train-b"}, common));
    assertEquals(rowsA, rows(index));
    assertEquals(List.of("train-a"), IndexInfo.read(index).trainSplits());
    Path removed = eval(work, "removed-b", common);
    r = CliRunner.run(cat(new String[] {"memory", "remove", "--split", "train-b"}, common));
    assertEquals(1, r.code());
    assertTrue(r.err().contains("does not hold split train-b"), r.err());

    // ERM, PEFA-XS (whose e_d follows the memory) and PEFA-XL: the same runs and metrics
    for (String f : List.of("runs/erm.trec", "runs/xs.trec", "runs/xl.trec")) {
      assertSameRun(fresh.resolve(f), added.resolve(f));
      assertSameRun(onlyA.resolve(f), removed.resolve(f));
    }
    assertArrayEquals(Files.readAllBytes(fresh.resolve("metrics.json")), Files.readAllBytes(added.resolve("metrics.json")));
    assertArrayEquals(
        Files.readAllBytes(onlyA.resolve("metrics.json")), Files.readAllBytes(removed.resolve("metrics.json")));
  }

  /**
   * Two TREC runs rank the same documents with the same scores, up to the last bits of a float:
   * Lucene's SIMD inner product sums its lanes in another order once the JIT compiles it, so the
   * same vectors can score one ulp apart in one JVM. Documents may trade places only where their
   * scores are that close.
   */
  static void assertSameRun(Path expected, Path actual) throws Exception {
    Map<String, Map<String, Float>> a = trecScores(expected);
    Map<String, Map<String, Float>> b = trecScores(actual);
    assertEquals(a.keySet(), b.keySet(), actual.toString());
    for (String q : a.keySet()) {
      assertEquals(a.get(q).keySet(), b.get(q).keySet(), actual + " " + q);
      for (Map.Entry<String, Float> e : a.get(q).entrySet()) {
        float other = b.get(q).get(e.getKey());
        assertTrue(Math.abs(e.getValue() - other) <= 1e-5f, actual + " " + q + " " + e.getKey() + ": " + e.getValue() + " vs " + other);
      }
    }
    List<String> la = Files.readAllLines(expected);
    List<String> lb = Files.readAllLines(actual);
    for (int i = 0; i < la.size(); i++) {
      String[] x = la.get(i).split(" ");
      String[] y = lb.get(i).split(" ");
      assertEquals(x[0] + " " + x[3], y[0] + " " + y[3], actual + " line " + (i + 1));
      assertTrue(
          x[2].equals(y[2]) || Math.abs(Float.parseFloat(x[4]) - Float.parseFloat(y[4])) <= 1e-5f,
          actual + " line " + (i + 1) + ": " + la.get(i) + " vs " + lb.get(i));
    }
  }

  /** A TREC run's scores: query, then document, then score. */
  static Map<String, Map<String, Float>> trecScores(Path run) throws Exception {
    Map<String, Map<String, Float>> out = new java.util.TreeMap<>();
    for (String line : Files.readAllLines(run)) {
      String[] f = line.split(" ");
      out.computeIfAbsent(f[0], k -> new java.util.HashMap<>()).put(f[2], Float.parseFloat(f[4]));
    }
    return out;
  }

  static CliRunner.Result run(String... args) {
    CliRunner.Result r = CliRunner.run(args);
    assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.err());
    return r;
  }

  static Path eval(Path work, String name, String[] common) {
    Path out = work.resolve(name);
    run(cat(new String[] {"eval", "--no-rebuild", "--no-sweep", "--split", "test", "--out", out.toString()}, common));
    return out;
  }

  static Map<String, Map<String, Float>> rows(Path index) throws Exception {
    try (FSDirectory d = FSDirectory.open(index); DirectoryReader r = DirectoryReader.open(d)) {
      return MemoryRows.read(r);
    }
  }

  static String[] cat(String[]... parts) {
    List<String> out = new ArrayList<>();
    for (String[] p : parts) {
      out.addAll(List.of(p));
    }
    return out.toArray(String[]::new);
  }
}
