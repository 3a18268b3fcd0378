package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.index.IndexBuilder;
import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.VectorIndexSizes;
import io.github.lucenepefa.index.VectorIndexSizes.FieldSize;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * The indexes of {@code pefa bench --pareto}: for each quantization swept, a stock index of the
 * documents, a stock index of the memory vectors and a PEFA index of both, built ({@link
 * BenchBuilds}) or, with {@code --index-dir}, reused from a run of the same data and settings; then
 * the sweep over all of them in one interleaved run, and the sizes and build times of each.
 *
 * <p>Layout under the index folder: the float indexes in {@code stock-docs}, {@code stock-memory}
 * and {@code pefa}; a quantization's in a subfolder named by it ({@code int8/stock-docs}, ...). Each
 * folder holds {@code pareto-indexes.txt} (what the indexes are of, to decide reuse) and {@code
 * pareto-builds.txt} (their build times).
 */
final class ParetoIndexes {

  /**
   * What the sweep returns.
   *
   * @param points the sweep's points
   * @param sizes per quantization, index and field: the vector sizes
   * @param builds per quantization, the builds (read back from the index folder when reused)
   */
  record Result(List<ParetoSweep.Point> points, List<Size> sizes, Map<PefaQuantization, List<String>> builds) {}

  /**
   * One vector field of one index.
   *
   * @param quantization the index set's quantization
   * @param index "stock-docs", "stock-memory" or "pefa"
   * @param size the field's sizes
   */
  record Size(PefaQuantization quantization, String index, FieldSize size) {}

  private static final String STAMP = "pareto-indexes.txt";
  private static final String BUILDS = "pareto-builds.txt";

  private final BenchConfig config;
  private final PrintStream log;

  ParetoIndexes(BenchConfig config, PrintStream log) {
    this.config = config;
    this.log = log;
  }

  /**
   * Builds or reuses the indexes of every quantization and runs the sweep over them.
   *
   * @param data the vectors
   * @param quantizations the quantizations, each with its own three indexes
   * @param options the sweep's settings
   * @param indexDir where the indexes are kept and reused from (null: temporary indexes)
   * @return the points, sizes and builds
   * @throws IOException on I/O errors
   */
  Result run(BenchData data, List<PefaQuantization> quantizations, ParetoSweep.Options options, Path indexDir)
      throws IOException {
    if (data.rows().isEmpty()) {
      throw new IllegalArgumentException("the data set has no memory rows: the sweep needs PEFA-XL");
    }
    Files.createDirectories(config.workDir());
    Path work = indexDir != null ? indexDir : Files.createTempDirectory(config.workDir(), "pefa-pareto-");
    List<Closeable> open = new ArrayList<>();
    try {
      List<ParetoSweep.IndexSet> sets = new ArrayList<>();
      List<Size> sizes = new ArrayList<>();
      Map<PefaQuantization, List<String>> builds = new LinkedHashMap<>();
      for (PefaQuantization q : quantizations) {
        Path dir = q == PefaQuantization.NONE ? work : work.resolve(q.id());
        BenchBuilds builder = new BenchBuilds(config, q, log);
        PefaSchema schema = builder.schema(data);
        builds.put(q, buildOrReuse(builder, schema, data, q, dir, indexDir != null));
        DirectoryReader stock = open(dir.resolve("stock-docs"), open);
        DirectoryReader stockMem = open(dir.resolve("stock-memory"), open);
        DirectoryReader pefa = open(dir.resolve("pefa"), open);
        for (Map.Entry<String, DirectoryReader> e :
            Map.of("stock-docs", stock, "stock-memory", stockMem, "pefa", pefa).entrySet()) {
          for (FieldSize f : VectorIndexSizes.of(e.getValue()).values()) {
            sizes.add(new Size(q, e.getKey(), f));
          }
        }
        sets.add(
            new ParetoSweep.IndexSet(
                q,
                schema,
                searcher(stock),
                searcher(stockMem),
                searcher(pefa),
                DocMaps.stock(stock),
                DocMaps.pefa(pefa, schema, data)));
      }
      sizes.sort(
          java.util.Comparator.comparing((Size s) -> s.quantization().ordinal())
              .thenComparing(s -> List.of("stock-docs", "stock-memory", "pefa").indexOf(s.index())));
      List<ParetoSweep.Point> points = new ParetoSweep(config, options, log).run(data, sets);
      return new Result(points, sizes, builds);
    } finally {
      org.apache.lucene.util.IOUtils.close(open.reversed());
      if (indexDir == null && config.keepIndexes() == false) {
        IndexBuilder.deleteTree(work);
      }
    }
  }

  /**
   * Builds the three indexes of a quantization into {@code dir}, or reuses them when {@code keep}
   * and a run of the same data and settings left them there.
   *
   * @return the build lines (index, seconds, bytes, phases)
   */
  private List<String> buildOrReuse(
      BenchBuilds builder, PefaSchema schema, BenchData data, PefaQuantization q, Path dir, boolean keep)
      throws IOException {
    Files.createDirectories(dir);
    // the float indexes' stamp is the one runs before quantizations wrote: they stay reusable
    String stamp =
        data.name() + " " + data.docs().length + " docs " + data.rows().size() + " rows " + data.queries().length
            + " queries, M " + config.maxConn() + " beam " + config.beamWidth() + " xsAnyLambda " + config.xsAnyLambda()
            + " forceMerge " + config.forceMerge() + (data.hasText() ? " bm25 text" : "")
            + (config.xsMaxConn() == config.maxConn() ? "" : " xsM " + config.xsMaxConn())
            + (q == PefaQuantization.NONE ? "" : " quantization " + q.id()) + "\n";
    Path stampFile = dir.resolve(STAMP);
    Path buildsFile = dir.resolve(BUILDS);
    if (keep && Files.exists(stampFile) && Files.readString(stampFile).equals(stamp)) {
      log.println("pareto: reusing the indexes under " + dir);
      return Files.exists(buildsFile) ? Files.readAllLines(buildsFile) : List.of();
    }
    Files.deleteIfExists(stampFile);
    Files.deleteIfExists(buildsFile);
    List<BenchRunner.Build> builds = new ArrayList<>();
    for (String name : List.of("stock-docs", "stock-memory", "pefa")) {
      Path path = dir.resolve(name);
      IndexBuilder.deleteTree(path);
      try (Directory d = FSDirectory.open(path)) {
        builds.add(
            switch (name) {
              case "stock-docs" -> builder.buildStock(name, d, data.docs(), data.docTexts(), path);
              case "stock-memory" -> builder.buildStock(name, d, BenchBuilds.rowVectors(data), path);
              default -> builder.buildPefa(schema, d, data, path);
            });
      }
    }
    List<String> lines = new ArrayList<>();
    for (BenchRunner.Build b : builds) {
      lines.add(
          String.format(Locale.ROOT, "%s %.1f s, %d bytes, %s", b.index(), b.seconds(), b.bytes(), b.phases()));
    }
    if (keep) {
      Files.write(buildsFile, lines);
      Files.writeString(stampFile, stamp);
    }
    return lines;
  }

  private static DirectoryReader open(Path path, List<Closeable> open) throws IOException {
    Directory dir = FSDirectory.open(path);
    open.add(dir);
    DirectoryReader reader = DirectoryReader.open(dir);
    open.add(reader);
    return reader;
  }

  private static IndexSearcher searcher(DirectoryReader reader) {
    IndexSearcher s = new IndexSearcher(reader);
    s.setQueryCache(null);
    HybridMethods.setSimilarity(s);
    return s;
  }
}
