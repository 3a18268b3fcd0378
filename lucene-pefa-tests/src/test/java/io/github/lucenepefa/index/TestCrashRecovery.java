package io.github.lucenepefa.index;

import io.github.lucenepefa.oracle.Content;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.LuceneTestCase.SuppressSysoutChecks;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Kill -9: a child JVM ({@link CrashChild}) adds and updates documents, adds and removes training
 * pairs, flushes, merges and commits generation after generation of a {@link Workload}, and is
 * killed with SIGKILL ({@link Process#destroyForcibly()}) at random moments: during its start, its
 * writes, its flushes and merges, a moment after it starts a commit, a moment after a commit. After each kill the index must open, pass {@code
 * CheckIndex}, hold one committed state (the previous commit may remain when the kill fell between
 * the new commit point and the deletion of the old one), and that state must be exactly the
 * generation its commit records, no earlier than the last one the child reported committed, with
 * the oracle's searches and PEFA-XS vectors. The next child continues from it.
 *
 * <p>The index lives in {@code /dev/shm} where the machine has it: a killed process loses no page
 * it wrote, so syncing to a disk adds nothing to this test but time. Kills per run: {@code
 * -Dpefa.crash.kills} (default 50).
 */
@SuppressSysoutChecks(bugUrl = "prints one summary line")
public class TestCrashRecovery extends LuceneTestCase {

  static final int KILLS = Integer.getInteger("pefa.crash.kills", 50);

  /** What a child printed, read until it dies. */
  private static final class ChildOutput implements Runnable {
    final Process process;
    final CountDownLatch ready = new CountDownLatch(1);
    volatile int readyGeneration = -1;
    volatile int lastCommitted = -1;
    volatile int committing; // commits started
    volatile int committed; // commits reported
    final List<String> lines = new ArrayList<>();

    ChildOutput(Process process) {
      this.process = process;
    }

    /**
     * Waits until the child starts ({@code start}) or reports the end of a commit; false when it
     * does not in time.
     */
    boolean awaitCommit(boolean start, long millis) throws InterruptedException {
      int seen = start ? committing : committed;
      long deadline = System.nanoTime() + millis * 1_000_000;
      while ((start ? committing : committed) == seen
          && System.nanoTime() < deadline
          && process.isAlive()) {
        Thread.sleep(1);
      }
      return (start ? committing : committed) > seen;
    }

    @Override
    public void run() {
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          synchronized (lines) {
            lines.add(line);
          }
          if (line.startsWith("ready ")) {
            readyGeneration = Integer.parseInt(line.substring(6));
            ready.countDown();
          } else if (line.startsWith("committing ")) {
            committing++;
          } else if (line.startsWith("committed ")) {
            committed++;
            lastCommitted = Integer.parseInt(line.substring(10));
          }
        }
      } catch (IOException e) {
        // the pipe of a killed process
      }
    }
  }

  public void testKilledWriterLeavesOneWholeCommit() throws Exception {
    Path shm = Path.of("/dev/shm");
    boolean inMemory = Files.isDirectory(shm) && Files.isWritable(shm);
    Path path =
        inMemory
            ? Files.createTempDirectory(shm, "pefa-crash-")
            : createTempDir("crash").toAbsolutePath();
    try {
      run(path);
    } finally {
      if (inMemory) {
        org.apache.lucene.util.IOUtils.rm(path);
      }
    }
  }

  private void run(Path path) throws Exception {
    Path childLog = createTempDir("crash-log").resolve("child-stderr.txt");
    long seed = random().nextLong();
    Workload workload = new Workload(seed);
    WriteModel model = new WriteModel();
    int modelGeneration = 0;
    int verified = -1; // the generation of the last verified commit; -1: no commit yet
    int killedAfterReady = 0, killedBeforeReady = 0, betweenCommitAndReport = 0, twoCommits = 0;
    int ambiguous = 0;
    long start = System.nanoTime();
    for (int kill = 0; kill < KILLS; kill++) {
      ProcessBuilder pb =
          ChildJvm.builder(
              CrashChild.class,
              path.toAbsolutePath().toString(),
              Long.toString(seed),
              Long.toString(random().nextLong()));
      pb.redirectError(new java.io.File(childLog.toAbsolutePath().toString()));
      Process child = pb.start();
      ChildOutput output = new ChildOutput(child);
      Thread reader = new Thread(output, "crash-child-output");
      reader.start();
      int when = random().nextInt(5);
      if (when == 0) {
        Thread.sleep(random().nextInt(1000)); // during the start, the replay or anything after
      } else {
        assertTrue(
            "the child did not open the index in time: " + log(childLog),
            output.ready.await(120, TimeUnit.SECONDS));
        if (when <= 2) {
          // during a commit (writing, syncing, the commit point, deleting the previous one), or
          // after one: the children always make progress
          assertTrue(
              "the child did not commit in time: " + log(childLog),
              output.awaitCommit(when == 1, 120_000));
          Thread.sleep(random().nextInt(1 + random().nextInt(300)));
        } else {
          Thread.sleep(random().nextInt(1 + random().nextInt(1200)));
        }
      }
      assertTrue("the child died on its own: " + log(childLog), child.isAlive());
      child.destroyForcibly();
      assertTrue(child.waitFor(60, TimeUnit.SECONDS));
      reader.join(60_000);
      assertEquals("SIGKILL", 128 + 9, child.exitValue());
      int ready = output.readyGeneration;
      if (ready >= 0) {
        killedAfterReady++;
        assertEquals("the child continued from another generation", Math.max(verified, 0), ready);
      } else {
        killedBeforeReady++;
      }
      // the last generation the child reported committed, or the one it started from
      int reported = Math.max(verified, output.lastCommitted);

      try (Directory dir = FSDirectory.open(path)) {
        if (DirectoryReader.indexExists(dir) == false) {
          assertEquals("no commit, yet the child reported one", -1, reported);
          continue;
        }
        List<IndexCommit> commits = DirectoryReader.listCommits(dir);
        IndexCommit last = commits.get(commits.size() - 1);
        int g = Integer.parseInt(last.getUserData().get(Workload.GENERATION));
        String ctx = "kill " + kill + ", seed " + seed + ": the commit of generation " + g;
        assertTrue(ctx + " is older than reported committed " + reported, g >= reported);
        assertTrue(ctx + " is newer than the one in progress " + (reported + 1), g <= reported + 1);
        if (g == reported + 1) {
          betweenCommitAndReport++;
        }
        if (commits.size() == 2) {
          // killed between the new commit point and the deletion of the previous commit
          int older = Integer.parseInt(commits.get(0).getUserData().get(Workload.GENERATION));
          assertEquals(ctx + ": the previous commit", g - 1, older);
          twoCommits++;
        } else {
          assertEquals(ctx + ": commits " + commits, 1, commits.size());
        }
        TestUtil.checkIndex(dir);
        while (modelGeneration < g) {
          workload.generation(++modelGeneration, model);
        }
        try (PefaDirectoryReader reader2 = PefaDirectoryReader.open(dir)) {
          model.assertSameAs(Content.read(reader2, workload.schema, Workload.COLOR), ctx);
          Content content = model.content(reader2, workload.schema);
          OracleChecks.assertXsVectors(reader2, workload.schema, content, ctx);
          IndexSearcher searcher = new IndexSearcher(reader2);
          OracleChecks.assertDocumentsOnly(searcher, content, ctx);
          ambiguous +=
              OracleChecks.assertSearches(searcher, workload.schema, content, random(), 4, ctx);
        }
        verified = g;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%d kills in %.1f s (%.2f s each): %d after the child opened the index, %d before;"
            + " %d between a commit and its report, %d leaving the previous commit; generation %d"
            + " reached; %d ambiguous queries skipped%n",
        KILLS,
        seconds,
        seconds / KILLS,
        killedAfterReady,
        killedBeforeReady,
        betweenCommitAndReport,
        twoCommits,
        verified,
        ambiguous);
    assertTrue("the children made no progress: generation " + verified, verified >= KILLS / 10);
    assertTrue(ambiguous + " ambiguous queries", ambiguous <= KILLS);
  }

  private static String log(Path childLog) throws IOException {
    return Files.exists(childLog) ? Files.readString(childLog) : "(no output)";
  }
}
