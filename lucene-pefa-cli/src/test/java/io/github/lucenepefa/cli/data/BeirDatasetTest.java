package io.github.lucenepefa.cli.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.cli.TestData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeirDatasetTest {

  static BeirDataset scifact;

  @BeforeAll
  static void load() throws IOException {
    scifact = BeirDataset.load(TestData.scifact(), List.of("train", "test"));
  }

  @Test
  void scifactCounts() {
    assertEquals(5183, scifact.docs().size());
    assertEquals(1109, scifact.queries().size());
    assertEquals(List.of("test", "train"), List.copyOf(scifact.splits()));
    assertEquals(809, scifact.qrels("train").size());
    assertEquals(300, scifact.qrels("test").size());
    assertEquals(919, scifact.qrels("train").values().stream().mapToInt(Map::size).sum());
    assertEquals(339, scifact.qrels("test").values().stream().mapToInt(Map::size).sum());
    BeirDataset.Doc first = scifact.docs().get(0);
    assertEquals("4983", first.id());
    assertEquals(0, first.position());
    assertTrue(first.title().startsWith("Microstructural development"));
    assertEquals(0, scifact.docPosition("4983"));
    assertEquals(-1, scifact.docPosition("nope"));
    for (int i = 0; i < scifact.docs().size(); i++) {
      assertEquals(i, scifact.docs().get(i).position());
    }
    // test queries in qrels order of first appearance
    assertEquals("1", scifact.queries("test").get(0).id());
    assertEquals(300, scifact.queries("test").size());
    assertThrows(IllegalArgumentException.class, () -> scifact.qrels("dev"));
  }

  // ---------------------------------------------------------------------------------------- malformed input

  private static final String DOC1 = "{\"_id\": \"d1\", \"title\": \"T1\", \"text\": \"one two three\"}";
  private static final String DOC2 = "{\"_id\": \"d2\", \"title\": \"T2\", \"text\": \"four five\"}";
  private static final String Q1 = "{\"_id\": \"q1\", \"text\": \"query one\"}";
  private static final String QRELS_HEADER = "query-id\tcorpus-id\tscore";

  static Path write(Path dir, String corpus, String queries, String qrelsTest) throws IOException {
    if (corpus != null) {
      Files.writeString(dir.resolve("corpus.jsonl"), corpus);
    }
    if (queries != null) {
      Files.writeString(dir.resolve("queries.jsonl"), queries);
    }
    if (qrelsTest != null) {
      Files.createDirectories(dir.resolve("qrels"));
      Files.writeString(dir.resolve("qrels/test.tsv"), qrelsTest);
    }
    return dir;
  }

  static String message(Path dir) {
    return assertThrows(DatasetException.class, () -> BeirDataset.load(dir, List.of("test"))).getMessage();
  }

  @Test
  void validTinyDataset(@TempDir Path dir) throws IOException {
    write(dir, DOC1 + "\n" + DOC2 + "\n\n", Q1 + "\n", QRELS_HEADER + "\nq1\td2\t1\nq1\td1\t0\n");
    BeirDataset ds = BeirDataset.load(dir);
    assertEquals(2, ds.docs().size());
    assertEquals("T1 one two three", ds.doc("d1").titleAndText());
    assertEquals(Map.of("d2", 1, "d1", 0), ds.qrels("test").get("q1"));
    assertEquals(List.of("d2", "d1"), List.copyOf(ds.qrels("test").get("q1").keySet()));
  }

  @Test
  void brokenJsonLine(@TempDir Path dir) throws IOException {
    write(dir, DOC1 + "\n{\"_id\": \"d2\", \"text\": \"unterminated\n", Q1 + "\n", QRELS_HEADER + "\n");
    String m = message(dir);
    assertTrue(m.startsWith("corpus.jsonl:2: malformed JSON:"), m);
  }

  @Test
  void trailingGarbageAfterObject(@TempDir Path dir) throws IOException {
    write(dir, DOC1 + "\n", Q1 + " x\n", QRELS_HEADER + "\n");
    assertTrue(message(dir).startsWith("queries.jsonl:1: malformed JSON:"), message(dir));
  }

  @Test
  void brokenJsonLineInGzipCorpus(@TempDir Path dir) throws IOException {
    write(dir, null, Q1 + "\n", QRELS_HEADER + "\n");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("corpus.jsonl.gz")))) {
      out.write((DOC1 + "\n" + DOC2 + "\n[1, 2]\n").getBytes(StandardCharsets.UTF_8));
    }
    String m = message(dir);
    assertTrue(m.startsWith("corpus.jsonl.gz:3: malformed JSON: expected one object per line"), m);
  }

  @Test
  void missingId(@TempDir Path dir) throws IOException {
    write(dir, DOC1 + "\n{\"title\": \"x\", \"text\": \"y\"}\n", Q1 + "\n", QRELS_HEADER + "\n");
    assertEquals("corpus.jsonl:2: missing _id", message(dir));
  }

  @Test
  void missingText(@TempDir Path dir) throws IOException {
    write(dir, DOC1 + "\n", "{\"_id\": \"q1\"}\n", QRELS_HEADER + "\n");
    assertEquals("queries.jsonl:1: missing \"text\"", message(dir));
  }

  @Test
  void duplicateDocId(@TempDir Path dir) throws IOException {
    write(dir, DOC1 + "\n" + DOC2 + "\n" + DOC1 + "\n", Q1 + "\n", QRELS_HEADER + "\n");
    assertEquals("corpus.jsonl:3: duplicate document _id \"d1\" (first at line 1)", message(dir));
  }

  @Test
  void qrelsRowsNamingUnknownDocsOrQueriesAreSkippedWithOneCountedWarning(@TempDir Path dir) throws IOException {
    write(dir, DOC1 + "\n" + DOC2 + "\n", Q1 + "\n",
        QRELS_HEADER + "\nq1\td1\t1\nq1\td9\t1\nq7\td1\t1\nq1\td8\t1\nq1\td2\t0\n");
    BeirDataset ds = BeirDataset.load(dir);
    assertEquals(Map.of("q1", Map.of("d1", 1, "d2", 0)), ds.qrels("test"));
    assertEquals(List.of("qrels/test.tsv: skipped 3 qrels rows naming a query or document the dataset does not have"
        + " (1 unknown query-id, 2 unknown corpus-id; first at line 3: corpus-id \"d9\" is not in the corpus)"),
        ds.warnings());
  }

  @Test
  void aSplitOfUnknownQueriesOnlyIsEmpty(@TempDir Path dir) throws IOException {
    write(dir, DOC1 + "\n", Q1 + "\n", QRELS_HEADER + "\nq7\td1\t1\n");
    BeirDataset ds = BeirDataset.load(dir);
    assertEquals(Map.of(), ds.qrels("test"));
    assertEquals(1, ds.warnings().size());
    assertTrue(ds.warnings().get(0).contains("first at line 2: query-id \"q7\" is not in the queries file"),
        ds.warnings().get(0));
  }

  @Test
  void malformedLinesStayFatalEvenAfterSkippedRows(@TempDir Path dir) throws IOException {
    write(dir, DOC1 + "\n", Q1 + "\n", QRELS_HEADER + "\nq1\td9\t1\nq1\td1\tx\n");
    assertEquals("qrels/test.tsv:3: malformed qrels row: score \"x\" is not an integer", message(dir));
  }

  @Test
  void malformedQrelsRows(@TempDir Path dir) throws IOException {
    write(dir, DOC1 + "\n", Q1 + "\n", QRELS_HEADER + "\nq1 d1 1\n");
    assertTrue(message(dir).startsWith("qrels/test.tsv:2: malformed qrels row: expected 3 tab-separated fields"));
    write(dir, DOC1 + "\n", Q1 + "\n", QRELS_HEADER + "\nq1\td1\tyes\n");
    assertEquals("qrels/test.tsv:2: malformed qrels row: score \"yes\" is not an integer", message(dir));
    write(dir, DOC1 + "\n", Q1 + "\n", QRELS_HEADER + "\nq1\td1\t1\nq1\td1\t1\n");
    assertEquals("qrels/test.tsv:3: duplicate qrels pair (q1, d1), first at line 2", message(dir));
    write(dir, DOC1 + "\n", Q1 + "\n", "q1\td1\t1\n");
    assertTrue(message(dir).startsWith("qrels/test.tsv:1: expected the header line"));
  }

  @Test
  void missingFiles(@TempDir Path dir) throws IOException {
    Path a = Files.createDirectories(dir.resolve("a"));
    write(a, null, Q1 + "\n", QRELS_HEADER + "\n");
    String m = message(a);
    assertTrue(m.startsWith("corpus.jsonl: missing file (neither corpus.jsonl nor corpus.jsonl.gz"), m);
    Path b = Files.createDirectories(dir.resolve("b"));
    write(b, DOC1 + "\n", null, null);
    assertTrue(message(b).startsWith("queries.jsonl: missing file"), message(b));
    Path c = Files.createDirectories(dir.resolve("c"));
    write(c, DOC1 + "\n", Q1 + "\n", null);
    assertTrue(message(c).startsWith("qrels/test.tsv: missing file"), message(c));
    assertEquals(Set.of(), BeirDataset.load(c).splits()); // no qrels folder: fine unless a split is required
    DatasetException e =
        assertThrows(DatasetException.class, () -> BeirDataset.load(dir.resolve("nowhere")));
    assertTrue(e.getMessage().endsWith("dataset folder does not exist"));
  }

  @Test
  void emptyCorpus(@TempDir Path dir) throws IOException {
    write(dir, "\n\n", Q1 + "\n", QRELS_HEADER + "\n");
    DatasetException e = assertThrows(DatasetException.class, () -> BeirDataset.load(dir));
    assertEquals("corpus.jsonl: empty corpus: no documents", e.getMessage());
    assertEquals("corpus.jsonl", e.file());
    assertEquals(0, e.line());
  }

  @Test
  void invalidUtf8(@TempDir Path dir) throws IOException {
    write(dir, null, Q1 + "\n", QRELS_HEADER + "\n");
    byte[] bad = (DOC1 + "\n{\"_id\": \"d2\", \"text\": \"x").getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[bad.length + 4];
    System.arraycopy(bad, 0, all, 0, bad.length);
    all[bad.length] = (byte) 0xC3; // truncated 2-byte sequence
    all[bad.length + 1] = '"';
    all[bad.length + 2] = '}';
    all[bad.length + 3] = '\n';
    Files.write(dir.resolve("corpus.jsonl"), all);
    assertEquals("corpus.jsonl:2: invalid UTF-8", message(dir));
  }
}
