package io.github.lucenepefa.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.cli.index.IndexInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Malformed inputs: a message naming file and line, a non-zero exit code, and no index that looks valid. */
class MalformedInputTest {

  private static CliRunner.Result index(Path data, Path index) {
    return CliRunner.run("index", "--data", data.toString(), "--index", index.toString(),
        "--cache", data.resolveSibling("cache").toString());
  }

  /** Builds the tiny dataset's index in {@code work/index} from {@code work/data}. */
  private static Path builtIndex(Path work) throws Exception {
    Path data = CliRunner.tinyDataset(work.resolve("data"));
    Path index = work.resolve("index");
    CliRunner.Result ok = index(data, index);
    assertEquals(0, ok.code(), ok.err());
    assertTrue(Files.exists(index.resolve(IndexInfo.FILE)));
    return index;
  }

  private static void assertNoIndex(Path index) throws Exception {
    assertFalse(Files.exists(index.resolve(IndexInfo.FILE)), "a valid-looking index was left at " + index);
    try (Stream<Path> s = Files.list(index.getParent())) {
      List<String> names = s.map(p -> p.getFileName().toString()).toList();
      assertTrue(names.stream().noneMatch(n -> n.contains(".tmp-")), "temporary index left: " + names);
    }
  }

  @Test
  void brokenJsonLine() throws Exception {
    Path work = CliRunner.work("broken-json");
    Path data = CliRunner.tinyDataset(work.resolve("data"));
    List<String> lines = Files.readAllLines(data.resolve("corpus.jsonl"));
    lines.set(2, "{\"_id\": \"d3\", \"text\": \"unterminated");
    Files.write(data.resolve("corpus.jsonl"), lines);
    Path index = work.resolve("index");
    CliRunner.Result r = index(data, index);
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("corpus.jsonl:3: malformed JSON"), r.err());
    assertNoIndex(index);
  }

  @Test
  void qrelsRowsNamingUnknownDocsOrQueriesAreSkippedWithAWarning() throws Exception {
    Path work = CliRunner.work("qrels-unknown");
    Path data = CliRunner.tinyDataset(work.resolve("data"));
    Files.writeString(data.resolve("qrels/train.tsv"),
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\tnope\t1\nq99\td2\t1\nq3\td3\t1\n");
    Path index = work.resolve("index");
    CliRunner.Result r = index(data, index);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("warning: qrels/train.tsv: skipped 2 qrels rows naming a query or document the dataset"
        + " does not have (1 unknown query-id, 1 unknown corpus-id; first at line 3: corpus-id \"nope\" is not in the"
        + " corpus)"), r.err());
    // q1 and q3 are the training queries; q2's only row was skipped
    assertEquals(2 + 6, io.github.lucenepefa.cli.index.IndexInfo.read(index).memoryInputs());
  }

  @Test
  void missingFileAndEmptyCorpus() throws Exception {
    Path work = CliRunner.work("missing");
    Path data = CliRunner.tinyDataset(work.resolve("data"));
    Files.delete(data.resolve("queries.jsonl"));
    Path index = work.resolve("index");
    CliRunner.Result r = index(data, index);
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("queries.jsonl: missing file"), r.err());
    assertNoIndex(index);

    CliRunner.tinyDataset(data);
    Files.writeString(data.resolve("corpus.jsonl"), "\n");
    r = index(data, index);
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("corpus.jsonl: empty corpus"), r.err());
    assertNoIndex(index);

    r = CliRunner.run("encode", "--input", work.resolve("nope.jsonl").toString(), "--output", work.resolve("x.npy").toString());
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("nope.jsonl: missing file"), r.err());

    r = CliRunner.run("search", "--index", work.resolve("no-index").toString(), "hello");
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("not a complete pefa index"), r.err());
  }

  @Test
  void unknownModelAndEmptyQueryAreErrorsAtTheirCause() throws Exception {
    Path work = CliRunner.work("search-args");
    // the unknown preset is named with the known ones, not blamed on the index it would select
    CliRunner.Result r = CliRunner.run("search", "--data", work.resolve("data").toString(), "--model", "nosuch", "q");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("unknown encoder preset 'nosuch'; known presets: "), r.err());
    assertTrue(r.err().contains("all-minilm-l6-v2") && r.err().contains("bge-small-en-v1.5"), r.err());
    assertFalse(r.err().contains("not a complete pefa index"), r.err());
    r = CliRunner.run("search", "--index", work.resolve("no-index").toString(), "--model", "nosuch", "q");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("unknown encoder preset 'nosuch'"), r.err());
    // an empty or blank query text
    for (String text : new String[] {"", "  ", "\t"}) {
      r = CliRunner.run("search", "--index", work.resolve("no-index").toString(), text);
      assertEquals(1, r.code(), "query [" + text + "]");
      assertTrue(r.err().contains("the query text is empty"), r.err());
    }
    Path queries = work.resolve("queries.jsonl");
    Files.writeString(queries, "{\"_id\": \"a\", \"text\": \"fine\"}\n{\"_id\": \"b\", \"text\": \" \"}\n");
    r = CliRunner.run("search", "--index", work.resolve("no-index").toString(), "--queries", queries.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("queries.jsonl:2: empty \"text\""), r.err());
  }

  @Test
  void trainingQueriesOfOneTextWithDifferentVectorsAreNamed() throws Exception {
    Path work = CliRunner.work("vectors-conflict");
    Path data = CliRunner.tinyDataset(work.resolve("data"));
    List<String> queries = Files.readAllLines(data.resolve("queries.jsonl"));
    queries.set(2, "{\"_id\": \"q3\", \"text\": \"does vitamin d prevent fractures\"}"); // q1's text
    Files.write(data.resolve("queries.jsonl"), queries);
    Path vec = work.resolve("vecs");
    Files.createDirectories(vec);
    float[][] docs = new float[6][4];
    float[][] qs = new float[6][4];
    for (int i = 0; i < 6; i++) {
      docs[i][i % 4] = 1;
      qs[i][(i + 1) % 4] = 1; // q1 and q3: different vectors
    }
    io.github.lucenepefa.cli.vectors.Npy.write(vec.resolve("corpus.npy"), docs);
    Files.write(vec.resolve("corpus.ids.txt"), List.of("d1", "d2", "d3", "d4", "d5", "d6"));
    io.github.lucenepefa.cli.vectors.Npy.write(vec.resolve("queries.npy"), qs);
    Files.write(vec.resolve("queries.ids.txt"), List.of("q1", "q2", "q3", "q4", "q5", "q6"));
    Path index = work.resolve("index");
    CliRunner.Result r = CliRunner.run("index", "--data", data.toString(), "--vectors", vec.toString(), "--index",
        index.toString(), "--chunks", "0");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("training queries q1 and q3 have the same text, so one memory row, but different"
        + " vectors in queries.npy"), r.err());
    assertNoIndex(index);
    // the same vector: one row, built
    qs[2] = qs[0].clone();
    io.github.lucenepefa.cli.vectors.Npy.write(vec.resolve("queries.npy"), qs);
    r = CliRunner.run("index", "--data", data.toString(), "--vectors", vec.toString(), "--index", index.toString(),
        "--chunks", "0");
    assertEquals(0, r.code(), r.err());
    assertEquals(3, IndexInfo.read(index).memoryRows());
  }

  @Test
  void encodeBrokenLine() throws Exception {
    Path work = CliRunner.work("encode-broken");
    Path in = work.resolve("texts.jsonl");
    Files.writeString(in, "{\"text\": \"fine\"}\n{\"text\": oops}\n");
    CliRunner.Result r = CliRunner.run("encode", "--input", in.toString(), "--output", work.resolve("x.npy").toString());
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("texts.jsonl:2: malformed JSON"), r.err());
    assertFalse(Files.exists(work.resolve("x.npy")));
  }

  @Test
  void badIndexOptionsAreNamedBeforeAnythingIsReadOrBuilt() throws Exception {
    Path work = CliRunner.work("bad-index-options");
    Path data = work.resolve("data");
    Path index = builtIndex(work);
    byte[] info = Files.readAllBytes(index.resolve(IndexInfo.FILE));
    String[] common = {"--data", data.toString(), "--index", index.toString(), "--cache", work.resolve("cache").toString()};
    String[][] cases = {
      {"index", "--index-lam", "1.5", "--index-lam must be in [0,1], got 1.5"},
      {"index", "--hnsw-m", "0", "--hnsw-m must be in [1, 512], got 0"},
      {"index", "--xs-hnsw-m", "600", "--xs-hnsw-m must be in [1, 512], got 600"},
      {"eval", "--index-lam", "2", "--index-lam must be in [0,1], got 2.0"},
      {"eval", "--chunks", "-1", "--chunks must be >= 0, got -1"},
      {"tune", "--chunk-words", "0", "--chunk-words must be >= 1, got 0"},
      {"tune", "--hnsw-ef-construction", "4000", "--hnsw-ef-construction must be in [1, 3200], got 4000"},
      {"demo", "--index-lam", "NaN", "--index-lam must be in [0,1], got NaN"},
      {"index", "--quantization", "int3",
          "--quantization: unknown quantization \"int3\"; expected one of none, int8, int4, binary"},
      {"eval", "--oversample", "0.5", "--oversample must be >= 1 and finite, got 0.5"},
    };
    for (String[] c : cases) {
      String[] args = new String[3 + common.length];
      System.arraycopy(c, 0, args, 0, 3);
      System.arraycopy(common, 0, args, 3, common.length);
      CliRunner.Result r = CliRunner.run(args);
      assertNotEquals(0, r.code(), String.join(" ", c));
      assertTrue(r.err().contains(c[3]), String.join(" ", c) + ": " + r.err());
      assertFalse(r.err().contains("rebuilding"), r.err()); // nothing was rebuilt
      // the committed index is untouched
      assertTrue(java.util.Arrays.equals(info, Files.readAllBytes(index.resolve(IndexInfo.FILE))), String.join(" ", c));
    }
  }

  @Test
  void failedRebuildKeepsOldIndexAndLeavesNoTemp() throws Exception {
    Path work = CliRunner.work("rebuild");
    Path data = work.resolve("data");
    Path index = builtIndex(work);
    Files.writeString(data.resolve("corpus.jsonl"), "{\"_id\": \"d1\", \"text\": \"x\"}\n{\"_id\": \"d1\", \"text\": \"y\"}\n");
    CliRunner.Result bad = index(data, index);
    assertNotEquals(0, bad.code());
    assertTrue(bad.err().contains("corpus.jsonl:2: duplicate document _id"), bad.err());
    assertTrue(Files.exists(index.resolve(IndexInfo.FILE)), "the previous complete index must survive");
  }
}
