package io.github.lucenepefa.jmh;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.search.TaskExecutor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What handing work to an idle executor thread costs on this machine, with no index involved.
 *
 * <p>PEFA-XL with an executor runs its two sides (memory walk, document walk) through one {@link
 * TaskExecutor#invokeAll}: the caller runs one, an idle pool thread the other. A stock single-segment
 * kNN search never forks. So the executor figures of {@code pefa bench} pay, per query, the time from
 * the submit to the pool thread's first instruction; this benchmark isolates it.
 *
 * <ul>
 *   <li>{@link #handoffToIdleThread}: submit one empty task to a parked pool thread and spin until it
 *       starts (sample mode gives the distribution). Before each call the caller stays busy for {@code
 *       idleMicros}, so the pool thread has parked, as it has between two queries.
 *   <li>{@link #twoSidesInvokeAll} against {@link #twoSidesSequential}: two busy tasks of {@code
 *       workMicros} each, standing for the two sides, through Lucene's {@link TaskExecutor} or one after
 *       the other on the caller. Perfect overlap would make the first half the second.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ExecutorHandoffBenchmark {

  /** The pool: {@code fixed} ({@link Executors#newFixedThreadPool}) or {@code forkjoin}. */
  @Param({"fixed", "forkjoin"})
  public String pool;

  /** Threads in the pool (the machine this was written for has 2 cores). */
  @Param({"2"})
  public int threads;

  /** Busy time of the caller before each call, so that the pool threads are parked. */
  @Param({"300"})
  public int idleMicros;

  /** Busy time of each of the two sides in the two-side benchmarks. */
  @Param({"150"})
  public int workMicros;

  private ExecutorService executor;
  private TaskExecutor taskExecutor;
  private volatile boolean started;
  private Runnable markStarted;
  private List<Callable<Long>> twoSides;

  @Setup(Level.Trial)
  public void setUp() {
    executor =
        switch (pool) {
          case "fixed" -> Executors.newFixedThreadPool(threads);
          case "forkjoin" -> new ForkJoinPool(threads);
          default -> throw new IllegalArgumentException("pool must be fixed or forkjoin: " + pool);
        };
    taskExecutor = new TaskExecutor(executor);
    markStarted = () -> started = true;
    long work = TimeUnit.MICROSECONDS.toNanos(workMicros);
    twoSides = List.of(() -> busy(work), () -> busy(work));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    executor.shutdown();
    executor.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** Not timed: keeps the caller busy so that the pool threads park, as between two queries. */
  @Setup(Level.Invocation)
  public void letPoolPark() {
    busy(TimeUnit.MICROSECONDS.toNanos(idleMicros));
  }

  /** Submit to a parked pool thread, return when the task has started. */
  @Benchmark
  public boolean handoffToIdleThread() {
    started = false;
    executor.execute(markStarted);
    while (started == false) {
      Thread.onSpinWait();
    }
    return started;
  }

  /** The two sides through Lucene's task executor, as PEFA-XL runs them with an executor. */
  @Benchmark
  public long twoSidesInvokeAll() throws Exception {
    long sum = 0;
    for (long spins : taskExecutor.invokeAll(twoSides)) {
      sum += spins;
    }
    return sum;
  }

  /** The two sides one after the other on the caller, as PEFA-XL runs them without an executor. */
  @Benchmark
  public long twoSidesSequential() throws Exception {
    long sum = 0;
    for (Callable<Long> side : twoSides) {
      sum += side.call();
    }
    return sum;
  }

  private static long busy(long nanos) {
    long end = System.nanoTime() + nanos;
    long spins = 0;
    while (System.nanoTime() < end) {
      spins++;
    }
    return spins;
  }
}
