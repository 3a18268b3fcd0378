package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.index.SizeTable;
import io.github.lucenepefa.cli.vectors.VectorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pefa index}: a BEIR dataset → a PEFA index (ERM vectors, XS field, training memory). */
@Command(name = "index", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Builds a PEFA index from a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/<split>.tsv):",
      "the training memory (training queries + doc-as-query rows, identical texts merged), then the documents",
      "with their ERM vectors and PEFA-XS vectors. Written to a temporary folder and renamed into place."})
public final class IndexCommand implements Callable<Integer> {

  @Mixin Common common = new Common();
  @Mixin IndexBuildOptions indexOptions = new IndexBuildOptions();

  @Option(names = "--if-needed", description = "Skip the build when the index exists with the same settings and dataset.")
  boolean ifNeeded;

  @Option(names = "--no-stock-sizes",
      description = "Print the size table without the stock Lucene float and int8 indexes of the same documents"
          + " (which are built in throw-away folders to measure them).")
  boolean noStockSizes;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    indexOptions.check();
    int threads = common.threads; // indexing threads and threads per graph merge
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
    }
    if (indexOptions.noRebuild) {
      throw new IllegalArgumentException("--no-rebuild is for commands that use an index; pefa index builds one");
    }
    Path dir = indexOptions.indexDir(common);
    try (VectorSource src = common.vectorSource()) {
      BeirDataset ds = Workbench.load(common.data(), List.of());
      Workbench.IndexSettings s = indexOptions.settings(ds);
      if (ifNeeded && Files.isRegularFile(dir.resolve(IndexInfo.FILE))) {
        IndexInfo have = IndexInfo.read(dir);
        if (have.sameSettings(Workbench.wantedInfo(common.data(), src, s))) {
          System.err.println("index: " + dir + " is up to date (" + have.docs() + " docs, " + have.memoryRows() + " memory rows)");
          return 0;
        }
      }
      IndexInfo info = Workbench.buildIndex(ds, src, s, dir, threads);
      System.err.printf(
          "index: %d docs, %d memory rows (%d inputs), model %s, %d texts encoded, %d from cache -> %s (%.1f s, %d threads)%n",
          info.docs(), info.memoryRows(), info.memoryInputs(), info.modelId(), src.encodedCount(),
          src.cacheHitCount(), dir, (System.nanoTime() - t0) / 1e9, threads);
      try (org.apache.lucene.store.Directory d = org.apache.lucene.store.FSDirectory.open(dir);
          org.apache.lucene.index.DirectoryReader r = org.apache.lucene.index.DirectoryReader.open(d)) {
        io.github.lucenepefa.index.PefaSchema schema = io.github.lucenepefa.index.PefaSchema.read(r);
        System.out.print(SizeTable.build(dir, schema, s.hnswM(), s.hnswEfConstruction(), !noStockSizes));
      }
    }
    return 0;
  }
}
