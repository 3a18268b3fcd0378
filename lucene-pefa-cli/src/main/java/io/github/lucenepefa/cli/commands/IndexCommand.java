package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.vectors.Embedder;
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
      "Builds a PEFA index from a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/train.tsv):",
      "the training memory (train queries + doc-as-query chunks, identical texts merged), then the documents",
      "with their ERM vectors and PEFA-XS vectors. Written to a temporary folder and renamed into place."})
public final class IndexCommand implements Callable<Integer> {

  @Mixin Common common = new Common();

  @Option(names = "--index", paramLabel = "DIR", description = "Index folder (default: work/<dataset>/index-<model>).")
  Path index;

  @Option(names = "--train-split", defaultValue = "train", description = "qrels split of the training queries (default: ${DEFAULT-VALUE}).")
  String trainSplit = "train";

  @Option(names = "--chunks", defaultValue = "10", description = "Doc-as-query chunks per doc, 0 for none (default: ${DEFAULT-VALUE}).")
  int chunks = 10;

  @Option(names = "--chunk-words", defaultValue = "64", description = "Words per chunk (default: ${DEFAULT-VALUE}).")
  int chunkWords = 64;

  @Option(names = "--lam", defaultValue = "0.5", description = "PEFA-XS index-time lambda (default: ${DEFAULT-VALUE}).")
  float lam = 0.5f;

  @Option(names = "--hnsw-m", defaultValue = "16", description = "HNSW max connections (default: ${DEFAULT-VALUE}).")
  int hnswM = 16;

  @Option(names = "--hnsw-ef-construction", defaultValue = "100", description = "HNSW construction beam (default: ${DEFAULT-VALUE}).")
  int hnswEfConstruction = 100;

  @Option(names = "--if-needed", description = "Skip the build when the index exists with the same settings and dataset.")
  boolean ifNeeded;

  /** @return the index folder */
  public Path indexDir() {
    return (index != null ? index : common.defaultIndex()).toAbsolutePath().normalize();
  }

  /** @return the settings */
  public Workbench.IndexSettings settings() {
    IndexBuildOptions.check(chunks, chunkWords, lam, "--lam", hnswM, hnswEfConstruction);
    return new Workbench.IndexSettings(common.model, trainSplit, chunks, chunkWords, lam, hnswM, hnswEfConstruction);
  }

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    Path dir = indexDir();
    Workbench.IndexSettings s = settings();
    try (Embedder emb = common.embedder()) {
      if (ifNeeded && Files.isRegularFile(dir.resolve(IndexInfo.FILE))) {
        IndexInfo have = IndexInfo.read(dir);
        if (have.sameSettings(Workbench.wantedInfo(common.data(), emb, s))) {
          System.err.println("index: " + dir + " is up to date (" + have.docs() + " docs, " + have.memoryRows() + " memory rows)");
          return 0;
        }
      }
      BeirDataset ds = Workbench.load(common.data(), List.of(trainSplit));
      IndexInfo info = Workbench.buildIndex(ds, emb, s, dir);
      System.err.printf(
          "index: %d docs, %d memory rows (%d inputs), model %s, %d texts encoded, %d from cache -> %s (%.1f s)%n",
          info.docs(), info.memoryRows(), info.memoryInputs(), info.modelId(), emb.encodedCount(),
          emb.cacheHitCount(), dir, (System.nanoTime() - t0) / 1e9);
    }
    return 0;
  }
}
