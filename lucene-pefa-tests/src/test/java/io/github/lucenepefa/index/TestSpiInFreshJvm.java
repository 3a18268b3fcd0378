package io.github.lucenepefa.index;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * An index written by this version opens in a fresh JVM through Lucene's SPI alone: a child JVM
 * ({@link SpiReaderMain}) that names no codec or format finds {@code Pefa01} and {@code
 * Pefa01VectorsFormat} by the names the segments record, passes {@code CheckIndex}, and its PEFA-XL
 * and PEFA-XS results (exhaustive and default effort) are those of the same code in the writing
 * JVM: the same documents in the same order, with the same scores up to the last bits of float
 * rounding.
 */
public class TestSpiInFreshJvm extends LuceneTestCase {

  public void testIndexOpensThroughSpiInAFreshJvm() throws Exception {
    Path path = createTempDir("spi");
    Path real = Path.of(path.toAbsolutePath().toString());
    long seed = random().nextLong();
    Workload workload = new Workload(seed);
    WriteModel model = new WriteModel();
    try (Directory dir = FSDirectory.open(real);
        IndexWriter lucene = new IndexWriter(dir, Workload.config(random()))) {
      PefaIndexWriter writer = new PefaIndexWriter(lucene, workload.schema);
      for (int g = 1; g <= 6; g++) {
        for (Workload.Op op : workload.generation(g, model)) {
          op.apply(writer);
        }
      }
      lucene.setLiveCommitData(Map.of("app", "spi-test").entrySet());
      writer.commit();
      writer.close();
    }
    List<String> expected = new ArrayList<>();
    expected.add("available codecs include Pefa01: true");
    expected.add("available formats include Pefa01VectorsFormat: true");
    try (Directory dir = FSDirectory.open(real)) {
      expected.addAll(SpiReaderMain.facts(dir, seed));
    }
    assertEquals("segment codecs: [Pefa01]", expected.get(2));
    assertEquals("CheckIndex clean: true", expected.get(3));

    Path stderr = createTempDir("spi-log").resolve("stderr.txt");
    Process child =
        ChildJvm.builder(SpiReaderMain.class, real.toString(), Long.toString(seed))
            .redirectError(new java.io.File(stderr.toAbsolutePath().toString()))
            .start();
    List<String> got = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        got.add(line);
      }
    }
    assertTrue(child.waitFor(120, TimeUnit.SECONDS));
    assertEquals("child exit; stderr: " + Files.readString(stderr), 0, child.exitValue());
    assertEquals(String.join("\n", got), expected.size(), got.size());
    for (int i = 0; i < expected.size(); i++) {
      if (expected.get(i).startsWith("query ")) {
        assertSameHits(expected.get(i), got.get(i));
      } else {
        assertEquals(expected.get(i), got.get(i));
      }
    }
  }

  /**
   * Two JVMs may round a score differently in its last bits (the Vector API leaves the order of a
   * float reduction open, and a fresh JVM runs other code than a warm one): the hits must be the
   * same, with the same scores up to that rounding, in the same order except among such near-ties.
   */
  static void assertSameHits(String expected, String got) {
    String[] e = expected.split(" ");
    String[] g = got.split(" ");
    String ctx = "\n expected " + expected + "\n got      " + got;
    assertEquals(ctx, e.length, g.length);
    for (int i = 0; i < 3; i++) {
      assertEquals(ctx, e[i], g[i]); // "query", its number, XL or XS
    }
    java.util.Map<String, Float> want = new java.util.HashMap<>();
    java.util.Map<String, Float> have = new java.util.HashMap<>();
    for (int i = 3; i < e.length; i++) {
      want.put(key(e[i]), score(e[i]));
      have.put(key(g[i]), score(g[i]));
    }
    assertEquals(ctx, want.keySet(), have.keySet());
    for (int i = 3; i < e.length; i++) {
      float a = score(e[i]);
      float b = have.get(key(e[i]));
      assertTrue(ctx, Math.abs(a - b) <= 1e-6f * Math.max(1f, Math.abs(a)));
      if (key(e[i]).equals(key(g[i])) == false) {
        assertTrue(ctx, Math.abs(a - score(g[i])) <= 1e-6f * Math.max(1f, Math.abs(a)));
      }
    }
  }

  private static String key(String hit) {
    return hit.substring(0, hit.indexOf('='));
  }

  private static float score(String hit) {
    return Float.intBitsToFloat(Integer.parseUnsignedInt(hit.substring(hit.indexOf('=') + 1), 16));
  }
}
