package io.github.lucenepefa.index;

import io.github.lucenepefa.oracle.Content;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.LuceneTestCase.SuppressSysoutChecks;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Writer threads add, update and delete documents, add and remove training pairs and rows (each
 * thread its own documents and rows, labelling everyone's documents), flush and commit, while
 * reader threads search through a {@link SearcherManager} over {@link
 * PefaDirectoryReader#open(PefaIndexWriter)} and reopen it ({@code maybeRefresh}, which flushes the
 * writer). Every searcher a reader acquires is checked on its own point in time: what {@link
 * Content#read} reads of that reader is the oracle's content, and its exhaustive PEFA-XL and
 * PEFA-XS results, its stored PEFA-XS vectors and its documents-only view must agree with it. At
 * the end the index holds exactly what the threads wrote.
 *
 * <p>Seeds per run: {@code -Dpefa.concurrency.seeds} (default 8); generations per writer thread
 * and seed: {@code -Dpefa.concurrency.generations} (default 6).
 */
@SuppressSysoutChecks(bugUrl = "prints one summary line")
public class TestConcurrentUpdates extends LuceneTestCase {

  static final int SEEDS = Integer.getInteger("pefa.concurrency.seeds", 8);
  static final int GENERATIONS = Integer.getInteger("pefa.concurrency.generations", 6);

  private final AtomicInteger searches = new AtomicInteger();
  private final AtomicInteger pointsInTime = new AtomicInteger();
  private final java.util.Set<Long> versions = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicInteger distinct = new AtomicInteger();
  private final AtomicInteger ambiguous = new AtomicInteger();

  public void testWritersAndNrtReadersAgreeWithTheOracle() throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < SEEDS; i++) {
      long seed = random().nextLong();
      try {
        run(seed);
      } catch (Throwable t) {
        throw new AssertionError("seed " + seed + " (run " + i + " of " + SEEDS + ")", t);
      }
      distinct.addAndGet(versions.size());
      versions.clear();
    }
    System.out.printf(
        Locale.ROOT,
        "%d seeds in %.1f s: %d searchers checked, %d points in time, %d exhaustive searches"
            + " compared, %d ambiguous skipped%n",
        SEEDS,
        (System.nanoTime() - start) / 1e9,
        pointsInTime.get(),
        distinct.get(),
        searches.get(),
        ambiguous.get());
    assertTrue(ambiguous + " ambiguous", ambiguous.get() * 10 <= searches.get() + 10);
  }

  private void run(long seed) throws Exception {
    Random random = new Random(seed);
    int writers = 2 + random.nextInt(2);
    int readers = 2;
    List<String> prefixes = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      prefixes.add("w" + w + "-");
    }
    List<Workload> workloads = new ArrayList<>();
    List<WriteModel> models = new ArrayList<>();
    for (String prefix : prefixes) {
      workloads.add(new Workload(seed, prefix, prefixes));
      models.add(new WriteModel());
    }
    PefaSchema schema = workloads.get(0).schema;
    ExecutorService executor = random.nextBoolean() ? Executors.newFixedThreadPool(2) : null;
    try (Directory dir = newDirectory(random);
        IndexWriter lucene = new IndexWriter(dir, Workload.config(random))) {
      PefaIndexWriter writer =
          random.nextBoolean()
              ? new PefaIndexWriter(lucene, schema)
              : new PefaIndexWriter(lucene, schema, 1 + random.nextInt(20), 1 + random.nextInt(3));
      writer.commit();
      SearcherManager manager =
          new SearcherManager(
              PefaDirectoryReader.open(writer),
              new SearcherFactory() {
                @Override
                public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
                  return executor == null
                      ? new IndexSearcher(reader)
                      : new IndexSearcher(reader, executor);
                }
              });
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        Workload workload = workloads.get(w);
        WriteModel model = models.get(w);
        Random r = new Random(random.nextLong());
        threads.add(
            new Thread(
                () -> {
                  try {
                    for (int g = 1; g <= GENERATIONS && failure.get() == null; g++) {
                      for (Workload.Op op : workload.generation(g, model)) {
                        op.apply(writer);
                      }
                      switch (r.nextInt(4)) {
                        case 0 -> writer.commit();
                        case 1 -> writer.flush();
                        default -> {}
                      }
                    }
                  } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                  }
                },
                "writer-" + w));
      }
      List<Thread> writerThreads = List.copyOf(threads);
      for (int k = 0; k < readers; k++) {
        Random r = new Random(random.nextLong());
        threads.add(
            new Thread(
                () -> {
                  try {
                    boolean last = false;
                    long checked = -1; // the version this thread checked last
                    while (failure.get() == null && last == false) {
                      last = writing.get() == false; // one more check after the writers ended
                      if (last || r.nextBoolean()) {
                        manager.maybeRefresh();
                      }
                      IndexSearcher searcher = manager.acquire();
                      try {
                        long version = ((DirectoryReader) searcher.getIndexReader()).getVersion();
                        if (version != checked) {
                          check(searcher, schema, r, Thread.currentThread().getName());
                          checked = version;
                        }
                      } finally {
                        manager.release(searcher);
                      }
                      Thread.sleep(r.nextInt(3));
                    }
                  } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                  }
                },
                "reader-" + k));
      }
      for (Thread t : threads) {
        t.start();
      }
      for (Thread t : writerThreads) {
        t.join();
      }
      writing.set(false);
      for (Thread t : threads) {
        t.join();
      }
      if (failure.get() != null) {
        manager.close();
        writer.close();
        throw new AssertionError("a thread failed", failure.get());
      }

      // the last point in time, and the commit, are what the threads wrote
      WriteModel all = new WriteModel();
      for (WriteModel m : models) {
        all.docs.putAll(m.docs);
        all.rows.putAll(m.rows);
      }
      manager.maybeRefreshBlocking();
      IndexSearcher searcher = manager.acquire();
      try {
        all.assertSameAs(
            Content.read(searcher.getIndexReader(), schema, Workload.COLOR), "the last NRT reader");
        check(searcher, schema, random, "the last NRT reader");
      } finally {
        manager.release(searcher);
      }
      manager.close();
      writer.commit();
      TestUtil.checkIndex(dir);
      try (DirectoryReader committed = PefaDirectoryReader.open(dir)) {
        all.assertSameAs(Content.read(committed, schema, Workload.COLOR), "the commit");
        check(new IndexSearcher(committed), schema, random, "the commit");
      }
      writer.close();
    } finally {
      if (executor != null) {
        executor.shutdown();
      }
    }
  }

  /** Checks a searcher against the oracle on what its own reader holds. */
  private void check(IndexSearcher searcher, PefaSchema schema, Random r, String ctx)
      throws IOException {
    IndexReader reader = searcher.getIndexReader();
    Content content = Content.read(reader, schema, Workload.COLOR);
    OracleChecks.assertDocumentsOnly(searcher, content, ctx);
    OracleChecks.assertXsVectors(reader, schema, content, ctx);
    int queries = 1 + r.nextInt(3);
    ambiguous.addAndGet(OracleChecks.assertSearches(searcher, schema, content, r, queries, ctx));
    searches.addAndGet(queries);
    pointsInTime.incrementAndGet();
    versions.add(((DirectoryReader) reader).getVersion());
  }
}
