package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.bench.BenchRunner.Build;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code pefa bench --build-forks N}: the memory builds of the build target, one stock and one PEFA
 * build in each of N fresh JVMs (the same JVM options, class path and bench options as this one).
 *
 * <p>Builds of the same vectors in one JVM share one outcome of the JIT and one heap layout, and
 * the ratio of the two sides moved between 0.94 and 1.21 from one JVM to the next on this project's
 * machine (docs/performance.md); a median over fresh JVMs is what JMH's forks measure.
 */
final class ForkedBuilds {

  /** The option that makes a bench process build one pair and print it (internal). */
  static final String CHILD_OPTION = "--build-fork-child";

  private static final String PREFIX = "fork-build\t";

  private ForkedBuilds() {}

  /**
   * Runs the forks one after the other and returns their builds.
   *
   * @param forks number of JVMs
   * @param benchArgs the bench options of this run (passed on to every fork)
   * @param log progress
   * @return every fork's builds, named "stock-memory@f" and "pefa-memory@f"
   * @throws IOException when a fork cannot start, fails or prints no builds
   */
  static List<Build> run(int forks, List<String> benchArgs, PrintStream log) throws IOException {
    List<String> base = new ArrayList<>();
    base.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    base.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    base.add("-cp");
    base.add(System.getProperty("java.class.path"));
    base.add(BenchCommand.class.getName());
    base.addAll(benchArgs);
    List<Build> builds = new ArrayList<>();
    for (int f = 1; f <= forks; f++) {
      log.printf(Locale.ROOT, "build fork %d of %d (a fresh JVM: one stock and one PEFA memory build)...%n", f, forks);
      List<String> cmd = new ArrayList<>(base);
      cmd.add(CHILD_OPTION);
      cmd.add(Integer.toString(f));
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      List<Build> found = new ArrayList<>();
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          if (line.startsWith(PREFIX)) {
            found.add(parse(line));
          }
        }
      }
      int code;
      try {
        code = p.waitFor();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while waiting for build fork " + f);
      }
      if (code != 0 || found.size() != 2) {
        throw new IOException(
            "build fork " + f + " exited with code " + code + " after printing " + found.size() + " of 2 builds");
      }
      builds.addAll(found);
    }
    return builds;
  }

  /**
   * Prints a fork's builds for its parent (the fork's only output on stdout).
   *
   * @param builds the builds of {@link BenchRunner#buildMemoryOnce}
   * @param out the fork's stdout
   */
  static void print(List<Build> builds, PrintStream out) {
    for (Build b : builds) {
      out.println(PREFIX + b.index() + "\t" + b.seconds() + "\t" + b.bytes());
    }
    out.flush();
  }

  static Build parse(String line) {
    String[] f = line.substring(PREFIX.length()).split("\t");
    if (f.length != 3) {
      throw new IllegalArgumentException("malformed build fork line: " + line);
    }
    double seconds = Double.parseDouble(f[1]);
    Map<String, Double> phases = new LinkedHashMap<>();
    if (f[0].startsWith("pefa-memory@")) {
      phases.put("memory_rows", seconds);
    }
    return new Build(f[0], seconds, phases, Long.parseLong(f[2]), new LinkedHashMap<>());
  }
}
