package io.github.lucenepefa.index;

import io.github.lucenepefa.oracle.Content;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.tests.store.MockDirectoryWrapper;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.LuceneTestCase.SuppressSysoutChecks;
import org.apache.lucene.tests.util.TestUtil;

/**
 * {@link PefaIndexWriter} on a {@link MockDirectoryWrapper} that throws random {@link
 * IOException}s (on writes and file opens) or runs out of disk, during adds, flushes, merges and
 * commits, generation after generation of a {@link Workload}. Each generation ends with a commit
 * that records its number in the commit user data. After every failure the test either rolls the
 * writer back (always when Lucene's writer hit a tragic event) or, when the writer is still open,
 * retries the failed call with the faults off and goes on (a failed flush leaves its changes
 * buffered; the retry must write them once). A commit that throws may or may not have committed:
 * extra faults are injected just before and just after the commit point to see both. After every
 * failure (and every fifth generation) the last commit must pass {@code CheckIndex}; after every
 * generation and every failure it must open, hold exactly the content of the generation it records
 * (documents, vectors, rows, labels and weights), and its exhaustive PEFA-XL and PEFA-XS searches
 * and stored XS vectors must be the oracle's.
 *
 * <p>Generations per test: {@code -Dpefa.faults.generations} (default 20).
 */
@SuppressSysoutChecks(bugUrl = "prints one summary line per test")
public class TestWriteFaults extends LuceneTestCase {

  static final int GENERATIONS = Integer.getInteger("pefa.faults.generations", 20);

  public void testRandomIOExceptions() throws IOException {
    new Run(random(), false).run();
  }

  public void testDiskFull() throws IOException {
    new Run(random(), true).run();
  }

  /** Fails a commit once, just before or just after its commit point. */
  private static final class CommitFailure extends MockDirectoryWrapper.Failure {
    volatile boolean armed;
    volatile boolean afterCommitPoint;

    @Override
    public void eval(MockDirectoryWrapper dir) throws IOException {
      if (armed == false || callStackContains(IndexWriter.class, "finishCommit") == false) {
        return;
      }
      boolean hit =
          afterCommitPoint
              ? callStackContains(MockDirectoryWrapper.class, "deleteFile")
              : callStackContains(MockDirectoryWrapper.class, "rename");
      if (hit) {
        armed = false;
        throw new IOException(
            "a random IOException ("
                + (afterCommitPoint ? "after" : "before")
                + " the commit point)");
      }
    }
  }

  /** One test run: a directory, a workload, and the writers on it, one after a rollback. */
  private static final class Run {
    final Random random;
    final boolean diskFull;
    final Workload workload;
    final PefaSchema schema;
    final MockDirectoryWrapper dir;
    final CommitFailure commitFailure = new CommitFailure();
    final Map<Integer, WriteModel> models = new HashMap<>();
    IndexWriter lucene;
    PefaIndexWriter writer;
    int committed; // the generation of the last commit
    int failures, rollbacks, retries, commitFailures, committedAnyway, ambiguous;
    int retriesChecked;

    Run(Random random, boolean diskFull) {
      this.random = random;
      this.diskFull = diskFull;
      workload = new Workload(random.nextLong());
      schema = workload.schema;
      dir = newMockDirectory(random);
      dir.failOn(commitFailure);
      models.put(0, new WriteModel());
    }

    void run() throws IOException {
      try {
        openWriter();
        lucene.setLiveCommitData(Map.of(Workload.GENERATION, "0").entrySet());
        writer.commit();
        verify(0);
        while (committed < GENERATIONS) {
          generation(committed + 1);
        }
        assertTrue("no fault was injected in " + GENERATIONS + " generations", failures > 0);
        System.out.printf(
            Locale.ROOT,
            "%s: %d generations, %d injected failures: %d rollbacks, %d retries, %d failed"
                + " commits (%d of them committed), %d ambiguous queries skipped%n",
            diskFull ? "disk full" : "random IOExceptions",
            committed,
            failures,
            rollbacks,
            retries,
            commitFailures,
            committedAnyway,
            ambiguous);
        assertTrue(ambiguous + " ambiguous queries", ambiguous <= committed);
      } finally {
        faults(false);
        if (writer != null) {
          if (lucene.getTragicException() == null) {
            writer.close();
            lucene.close();
          } else { // a merge failed in the background after the last generation
            lucene.rollback();
            try {
              writer.close();
            } catch (RuntimeException | IOException expected) {
              // AlreadyClosedException
            }
          }
        }
        dir.close();
      }
    }

    void openWriter() throws IOException {
      IndexWriterConfig config = Workload.config(random);
      if (random.nextBoolean()) {
        config.setMergeScheduler(new SerialMergeScheduler());
      } else {
        config.setMergeScheduler(
            new ConcurrentMergeScheduler() {
              @Override
              protected void handleMergeException(Throwable exc) {
                // a failed merge makes the writer tragic, which the next call reports
                if (injected(exc) == false) {
                  super.handleMergeException(exc);
                }
              }
            });
      }
      lucene = new IndexWriter(dir, config);
      writer =
          random.nextBoolean()
              ? new PefaIndexWriter(lucene, schema)
              : new PefaIndexWriter(lucene, schema, 1 + random.nextInt(20), 1 + random.nextInt(3));
    }

    /** Writes generation {@code g} and commits it, or rolls back to the last commit. */
    void generation(int g) throws IOException {
      WriteModel model = models.get(g - 1).copy();
      List<Workload.Op> ops = workload.generation(g, model);
      models.put(g, model);
      if (writer == null) {
        openWriter();
      }
      faults(true);
      for (Workload.Op op : ops) {
        try {
          op.apply(writer);
        } catch (Throwable t) {
          if (recover(t, op) == false) {
            return;
          }
        }
      }
      lucene.setLiveCommitData(Map.of(Workload.GENERATION, Integer.toString(g)).entrySet());
      commitFailure.afterCommitPoint = random.nextBoolean();
      commitFailure.armed = random.nextInt(4) == 0;
      try {
        writer.commit();
      } catch (Throwable t) {
        commitFailures++;
        if (recover(t, null) == false) {
          return;
        }
      }
      faults(false);
      commitFailure.armed = false;
      assertEquals(g, verify(g));
    }

    /**
     * Handles an injected failure of {@code op} (null: the commit): rolls back and verifies the
     * last commit (returns false), or retries with the faults off and goes on (returns true).
     */
    boolean recover(Throwable t, Workload.Op op) throws IOException {
      faults(false);
      boolean committing = op == null;
      commitFailure.armed = false;
      if (injected(t) == false && tragicallyInjected() == false) {
        throw new AssertionError("not an injected failure", t);
      }
      failures++;
      if (lucene.getTragicException() == null && lucene.isOpen() && random.nextInt(3) != 0) {
        try {
          retry(op);
          retries++;
          faults(true);
          return true;
        } catch (Throwable again) {
          // a merge that failed in the background makes the writer tragic under the retry
          if (tragicallyInjected() == false) {
            throw new AssertionError("the retry failed", again);
          }
        }
      }
      rollback(committing);
      return false;
    }

    /** Completes a call that failed: what an application does after an IOException. */
    void retry(Workload.Op op) throws IOException {
      if (op == null) {
        writer.commit(); // whether or not the failed commit committed
      } else if (op instanceof Workload.AddDoc || op instanceof Workload.AddLabels) {
        writer.flush(); // the call was buffered; the flush of the full buffer failed
      } else {
        op.apply(writer); // deletes, flushes and reopens are idempotent
      }
    }

    /** Rolls back; the last commit is the last generation, or this one when its commit threw. */
    void rollback(boolean committing) throws IOException {
      rollbacks++;
      int g = committed + 1;
      lucene.rollback();
      try {
        writer.close(); // closes its snapshot; its flush fails on the closed writer
      } catch (RuntimeException | IOException expected) {
        // AlreadyClosedException: what it buffered goes with the rollback
      }
      writer = null;
      lucene = null;
      int last = verify(-1);
      if (last == g) {
        assertTrue("generation " + g + " is committed but its commit did not run", committing);
        committedAnyway++;
      } else {
        assertEquals("after a rollback in generation " + g, g - 1, last);
      }
    }

    /**
     * Verifies the last commit against the model of the generation it records; {@code expected}
     * is that generation, or -1 for any.
     */
    int verify(int expected) throws IOException {
      if (expected < 0 || retriesChecked < retries || expected % 5 == 0) {
        TestUtil.checkIndex(dir); // after every failure, and every 5th generation
        retriesChecked = retries;
      }
      List<IndexCommit> commits = DirectoryReader.listCommits(dir);
      IndexCommit last = commits.get(commits.size() - 1);
      int g = Integer.parseInt(last.getUserData().get(Workload.GENERATION));
      assertEquals(schema.toCommitValue(), last.getUserData().get(PefaSchema.COMMIT_KEY));
      if (expected >= 0) {
        assertEquals("the last commit's generation", expected, g);
      }
      String ctx = "the commit of generation " + g;
      try (PefaDirectoryReader reader = PefaDirectoryReader.open(dir)) {
        WriteModel model = models.get(g);
        model.assertSameAs(Content.read(reader, schema, Workload.COLOR), ctx);
        Content content = model.content(reader, schema);
        OracleChecks.assertXsVectors(reader, schema, content, ctx);
        IndexSearcher searcher = new IndexSearcher(reader);
        OracleChecks.assertDocumentsOnly(searcher, content, ctx);
        ambiguous += OracleChecks.assertSearches(searcher, schema, content, random, 6, ctx);
      }
      committed = g;
      return g;
    }

    void faults(boolean on) throws IOException {
      on &= random.nextInt(3) != 0; // a third of the calls and generations run without faults
      if (diskFull) {
        dir.setMaxSizeInBytes(on ? dir.sizeInBytes() + 4096 + random.nextInt(256 * 1024) : 0);
      } else {
        double rate = on ? 0.001 + random.nextDouble() * 0.01 : 0;
        dir.setRandomIOExceptionRate(rate);
        dir.setRandomIOExceptionRateOnOpen(rate / 2);
      }
    }

    /**
     * Whether Lucene's writer is closed by an injected failure (a merge thread's, seen by another
     * thread as whatever that thread hits on the closed writer).
     */
    boolean tragicallyInjected() {
      Throwable tragedy = lucene.getTragicException();
      return tragedy != null && injected(tragedy);
    }

    /** Whether the failure is (caused by) an injected one. */
    static boolean injected(Throwable t) {
      for (Throwable c = t; c != null; c = c.getCause()) {
        String m = c.getMessage();
        if (m != null && (m.contains("a random IOException") || m.contains("fake disk full"))) {
          return true;
        }
        for (Throwable s : c.getSuppressed()) {
          if (injected(s)) {
            return true;
          }
        }
      }
      return false;
    }
  }
}
