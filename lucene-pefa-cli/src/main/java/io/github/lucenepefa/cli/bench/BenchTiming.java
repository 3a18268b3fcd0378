package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.bench.BenchMethod.Search;
import io.github.lucenepefa.cli.bench.BenchRunner.Record;
import io.github.lucenepefa.cli.progress.ProgressBar;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.search.ScoreDoc;

/**
 * The measurement of {@code pefa bench}: every method warmed up, then timed interleaved, block by
 * block (single-threaded latency and allocation, then throughput with {@link BenchConfig#threads}
 * threads), then compared with its exact reference (overlap@n) and its visited vectors counted. The
 * warm-up and the overlap also serve the {@code --pareto} sweep ({@link ParetoSweep}).
 */
final class BenchTiming {

  private final BenchConfig config;
  private final PrintStream log;

  /**
   * @param config the settings (n, threads, warm-up, timed queries)
   * @param log progress output
   */
  BenchTiming(BenchConfig config, PrintStream log) {
    this.config = config;
    this.log = log;
  }

  /** Per-method accumulators of the interleaved measurement. */
  private static final class Acc {
    long[] lat;
    int timed;
    long alloc;
    long mtNanos;
    int mtQueries;
    int[][] results;
  }

  /**
   * Warms one method up: every query vector once, in order, then {@code seconds} more of them
   * (cycling). The full pass comes first because the timed loop runs the same vectors: a search is
   * deterministic, so after it no timed query reads an index page, or meets a code path, for the first
   * time (a warm-up of a fixed time leaves part of a 1M index's pages to the first timed block).
   *
   * @return the number of searches run
   */
  static int warmUp(Search search, float[][] queries, double seconds) throws IOException {
    int w = 0;
    for (float[] q : queries) {
      search.run(q);
      w++;
    }
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      search.run(queries[w++ % queries.length]);
    }
    return w;
  }

  /**
   * Measures every method, interleaved: after a warm-up of each, the timed queries are processed in
   * blocks, each block run by every method in turn (single-threaded latency, then the same block
   * with {@link BenchConfig#threads} threads for QPS), so that load changes on a shared machine hit all
   * methods alike and the ratios stay meaningful.
   */
  List<Record> measureAll(List<BenchMethod> methods, float[][] queries) throws IOException {
    int nq = queries.length;
    int total = Math.max(config.minTimedQueries(), nq);
    int block = Math.min(nq, 50);
    log.printf(
        Locale.ROOT,
        "warming up %d methods (each: the %d query vectors once, then %.1f s)...%n",
        methods.size(),
        nq,
        config.warmupSeconds());
    for (BenchMethod m : methods) {
      warmUp(m.search(), queries, config.warmupSeconds());
    }
    Acc[] accs = new Acc[methods.size()];
    for (int i = 0; i < accs.length; i++) {
      accs[i] = new Acc();
      accs[i].lat = new long[total];
      accs[i].results = new int[nq][];
    }
    com.sun.management.ThreadMXBean tmx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().threadId();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(config.threads());
    log.printf(Locale.ROOT, "timing %d queries per method in blocks of %d...%n", total, block);
    try (ProgressBar bar = new ProgressBar("timing", (long) total * methods.size(), "queries")) {
      for (int from = 0; from < total; from += block) {
        int to = Math.min(total, from + block);
        for (int mi = 0; mi < methods.size(); mi++) {
          BenchMethod m = methods.get(mi);
          Acc a = accs[mi];
          long alloc0 = tmx.getThreadAllocatedBytes(tid);
          for (int j = from; j < to; j++) {
            float[] q = queries[j % nq];
            long t0 = System.nanoTime();
            ScoreDoc[] hits = m.search().run(q);
            a.lat[j] = System.nanoTime() - t0;
            if (j < nq) {
              a.results[j] = map(hits, m.map());
            }
          }
          a.alloc += tmx.getThreadAllocatedBytes(tid) - alloc0;
          a.timed += to - from;
          // throughput over the same block with several threads
          int mtFrom = from;
          int mtTo = to;
          AtomicInteger next = new AtomicInteger(mtFrom);
          List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
          long t0 = System.nanoTime();
          for (int t = 0; t < config.threads(); t++) {
            fs.add(
                pool.submit(
                    () -> {
                      for (int i = next.getAndIncrement(); i < mtTo; i = next.getAndIncrement()) {
                        m.search().run(queries[i % nq]);
                      }
                      return null;
                    }));
          }
          for (java.util.concurrent.Future<?> f : fs) {
            try {
              f.get();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException(e);
            } catch (java.util.concurrent.ExecutionException e) {
              throw new IOException(e.getCause());
            }
          }
          a.mtNanos += System.nanoTime() - t0;
          a.mtQueries += mtTo - mtFrom;
          bar.advance(to - from);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    log.println("overlap and visited counts...");
    Map<Search, int[][]> exactCache = new java.util.IdentityHashMap<>();
    List<Record> out = new ArrayList<>();
    for (int mi = 0; mi < methods.size(); mi++) {
      BenchMethod m = methods.get(mi);
      Acc a = accs[mi];
      int[][] exact = exactCache.get(m.exact());
      if (exact == null) {
        exact = new int[nq][];
        try (ProgressBar bar = new ProgressBar("exact reference of " + m.name(), nq, "queries")) {
          for (int i = 0; i < nq; i++) {
            exact[i] = map(m.exact().run(queries[i]), exactMap(m));
            bar.step();
          }
        }
        exactCache.put(m.exact(), exact);
      }
      double overlap = 0;
      for (int i = 0; i < nq; i++) {
        overlap += overlap(a.results[i], exact[i], config.n());
      }
      overlap /= nq;
      long visited = 0;
      for (float[] q : queries) {
        visited += m.visited().count(q);
      }
      long[] sorted = a.lat.clone();
      Arrays.sort(sorted);
      double mean = Arrays.stream(a.lat).average().orElse(0) / 1e6;
      double p99 =
          sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.99 * sorted.length) - 1)] / 1e6;
      out.add(
          new Record(
              m.name(),
              m.ef(),
              m.topK(),
              mean,
              p99,
              a.mtQueries / BenchRunner.secs(a.mtNanos),
              overlap,
              (double) visited / nq,
              (double) a.alloc / a.timed,
              a.timed));
    }
    return out;
  }

  /**
   * The exact searches of PEFA run on the PEFA index, stock BM25's on the stock index; the stock kNN
   * one on in-heap vectors.
   */
  private static int[] exactMap(BenchMethod m) {
    return m.name().startsWith("pefa") || m.name().equals(HybridMethods.STOCK_BM25) ? m.map() : null;
  }

  /** The data indexes of {@code hits}: their doc ids through {@code map} (null: the doc ids). */
  static int[] map(ScoreDoc[] hits, int[] map) {
    int[] out = new int[hits.length];
    for (int i = 0; i < hits.length; i++) {
      out[i] = map == null ? hits[i].doc : map[hits[i].doc];
    }
    return out;
  }

  /** |top-n of {@code got} ∩ top-n of {@code exact}| / min(n, |exact|); 1 when {@code exact} is empty. */
  static double overlap(int[] got, int[] exact, int n) {
    int want = Math.min(n, exact.length);
    if (want == 0) {
      return 1;
    }
    java.util.HashSet<Integer> set = new java.util.HashSet<>();
    for (int i = 0; i < want; i++) {
      set.add(exact[i]);
    }
    int hit = 0;
    for (int i = 0; i < Math.min(n, got.length); i++) {
      if (set.contains(got[i])) {
        hit++;
      }
    }
    return (double) hit / want;
  }
}
