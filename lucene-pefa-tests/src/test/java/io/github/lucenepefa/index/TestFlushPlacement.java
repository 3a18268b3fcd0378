package io.github.lucenepefa.index;

import io.github.lucenepefa.oracle.Content;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * The same calls give the same index wherever flushes fall: a {@link Workload} is written with no
 * flush but its own, with a flush after every call, or with flushes at random (by a small buffer,
 * explicit flushes, or near-real-time reopens), and each commit must be exactly what the calls
 * say, applied one by one ({@link WriteModel}), with the oracle's PEFA-XS vectors and searches.
 * Two scripted cases pin what that needs of buffered weights: removing more weight than a row
 * holds, and removing a pair of a row that does not exist.
 *
 * <p>Workloads per run: {@code -Dpefa.placement.seeds} (default 8).
 */
public class TestFlushPlacement extends LuceneTestCase {

  static final int SEEDS = Integer.getInteger("pefa.placement.seeds", 8);

  public void testFlushesAnywhereGiveTheSameIndex() throws IOException {
    for (int i = 0; i < SEEDS; i++) {
      long seed = random().nextLong();
      int placement = i % 4;
      try {
        run(seed, placement);
      } catch (AssertionError e) {
        throw new AssertionError("workload seed " + seed + ", placement " + placement, e);
      }
    }
  }

  /** A step of a scripted sequence: a call, or a flush (null). */
  private interface Step {
    void apply(PefaIndexWriter w, float[] x) throws IOException;
  }

  /**
   * Runs the steps, flushing where they say and (when {@code flushAll}) after every call, commits,
   * and returns the labels of row {@code q} in the commit (empty when the row is gone).
   */
  private java.util.Map<String, Float> labelsAfter(boolean flushAll, Step... steps)
      throws IOException {
    PefaSchema schema = PefaSchema.builder(4).build();
    float[] x = Workload.gaussianUnit(random(), 4);
    try (Directory dir = newDirectory();
        PefaIndexWriter writer = PefaIndexWriter.open(dir, schema)) {
      writer.addDocument("k", Workload.gaussianUnit(random(), 4));
      for (Step step : steps) {
        if (step == null) {
          writer.flush();
          continue;
        }
        step.apply(writer, x);
        if (flushAll) {
          writer.flush();
        }
      }
      writer.commit();
      try (PefaDirectoryReader reader = PefaDirectoryReader.open(dir)) {
        for (Content.Row row : Content.read(reader, schema, null).rows()) {
          if (row.rowId().equals("q")) {
            return row.labels();
          }
        }
        return java.util.Map.of();
      }
    }
  }

  /**
   * Removing more weight than a row holds removes the label (its weight cannot go below zero),
   * whether or not the removal and a later add share a flush: the calls, one by one, leave {@code
   * k} with weight 1.
   */
  public void testRemovingMoreThanHeldDoesNotDependOnFlushes() throws IOException {
    Step add1 = (w, x) -> w.addTrainingPair("q", x, "k", 1f);
    Step remove2 = (w, x) -> w.removeTrainingPair("q", "k", 2f);
    java.util.Map<String, Float> expected = java.util.Map.of("k", 1f);
    assertEquals("flushed after every call", expected, labelsAfter(true, add1, remove2, add1));
    assertEquals("one flush", expected, labelsAfter(false, add1, null, remove2, add1));
  }

  /**
   * Removing a pair of a row that does not exist changes nothing, even when the row is added
   * after a flush: the removal is not kept to cancel a later add.
   */
  public void testRemovingFromAMissingRowChangesNothing() throws IOException {
    Step add1 = (w, x) -> w.addTrainingPair("q", x, "k", 1f);
    Step remove1 = (w, x) -> w.removeTrainingPair("q", "k", 1f);
    java.util.Map<String, Float> expected = java.util.Map.of("k", 1f);
    assertEquals("flushed after every call", expected, labelsAfter(true, remove1, add1));
    assertEquals("a flush between", expected, labelsAfter(false, remove1, null, add1));
  }

  /**
   * @param placement 0: only the workload's own flushes; 1: after every call; 2: at random; 3: a
   *     buffer of one or two changes
   */
  private void run(long seed, int placement) throws IOException {
    Workload workload = new Workload(seed);
    Random random = new Random(seed ^ 0x5DEECE66DL);
    WriteModel model = new WriteModel();
    try (Directory dir = newDirectory(random);
        IndexWriter lucene = new IndexWriter(dir, Workload.config(random))) {
      PefaIndexWriter writer =
          placement == 3
              ? new PefaIndexWriter(lucene, workload.schema, 1 + random.nextInt(2), 1)
              : new PefaIndexWriter(lucene, workload.schema);
      int generations = 3 + random.nextInt(6);
      for (int g = 1; g <= generations; g++) {
        List<Workload.Op> ops = workload.generation(g, model);
        for (Workload.Op op : ops) {
          if (placement == 0 && (op instanceof Workload.Flush || op instanceof Workload.Reopen)) {
            continue;
          }
          op.apply(writer);
          if (placement == 1 || (placement == 2 && random.nextInt(3) == 0)) {
            if (random.nextBoolean()) {
              writer.flush();
            } else {
              PefaDirectoryReader.open(writer).close();
            }
          }
        }
      }
      writer.commit();
      try (PefaDirectoryReader reader = PefaDirectoryReader.open(dir)) {
        String ctx = "after " + generations + " generations";
        model.assertSameAs(Content.read(reader, workload.schema, Workload.COLOR), ctx);
        Content content = model.content(reader, workload.schema);
        OracleChecks.assertXsVectors(reader, workload.schema, content, ctx);
        IndexSearcher searcher = new IndexSearcher(reader);
        OracleChecks.assertDocumentsOnly(searcher, content, ctx);
        OracleChecks.assertSearches(searcher, workload.schema, content, random, 10, ctx);
      }
      writer.close();
    }
  }
}
