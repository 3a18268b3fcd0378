package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.vectors.Embedder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import picocli.CommandLine.Option;

/** The index of eval/tune/demo: used as is when up to date, (re)built otherwise. */
public final class IndexBuildOptions {

  @Option(names = "--index", paramLabel = "DIR",
      description = "Index folder (default: work/<dataset>/index-<model>[-chunks<N>]); built or rebuilt when missing or built with other settings.")
  Path index;

  @Option(names = "--train-split", defaultValue = "train", description = "qrels split of the training queries (default: ${DEFAULT-VALUE}).")
  String trainSplit = "train";

  @Option(names = "--chunks", defaultValue = "10", description = "Doc-as-query chunks per doc in the memory, 0 for none (default: ${DEFAULT-VALUE}).")
  int chunks = 10;

  @Option(names = "--chunk-words", defaultValue = "64", description = "Words per chunk (default: ${DEFAULT-VALUE}).")
  int chunkWords = 64;

  @Option(names = "--index-lam", defaultValue = "0.5", description = "PEFA-XS index-time lambda of the graph (default: ${DEFAULT-VALUE}); search-time lambda is exact.")
  float indexLam = 0.5f;

  @Option(names = "--hnsw-m", defaultValue = "16", description = "HNSW max connections (default: ${DEFAULT-VALUE}).")
  int hnswM = 16;

  @Option(names = "--hnsw-ef-construction", defaultValue = "100", description = "HNSW construction beam (default: ${DEFAULT-VALUE}).")
  int hnswEfConstruction = 100;

  /**
   * @param common common options
   * @return the index folder
   */
  public Path indexDir(Common common) {
    if (index != null) {
      return index.toAbsolutePath().normalize();
    }
    String name = "index-" + common.model.toLowerCase(Locale.ROOT) + (chunks == 10 && chunkWords == 64 ? "" : "-chunks" + chunks + "x" + chunkWords);
    return common.work().resolve(name);
  }

  /**
   * Checks these options before any data is read or encoded.
   *
   * @throws IllegalArgumentException naming the option at fault
   */
  public void check() {
    check(chunks, chunkWords, indexLam, "--index-lam", hnswM, hnswEfConstruction);
  }

  /**
   * Checks the options that shape an index, naming the option at fault: {@code pefa index} calls
   * its index-time lambda {@code --lam}, eval, tune and demo {@code --index-lam}.
   */
  static void check(int chunks, int chunkWords, float lam, String lamOption, int hnswM, int hnswEfConstruction) {
    if (chunks < 0) {
      throw new IllegalArgumentException("--chunks must be >= 0, got " + chunks);
    }
    if (chunkWords < 1) {
      throw new IllegalArgumentException("--chunk-words must be >= 1, got " + chunkWords);
    }
    if (!(lam >= 0 && lam <= 1)) {
      throw new IllegalArgumentException(lamOption + " must be in [0,1], got " + lam);
    }
    if (hnswM < 1 || hnswM > Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN) {
      throw new IllegalArgumentException(
          "--hnsw-m must be in [1, " + Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN + "], got " + hnswM);
    }
    if (hnswEfConstruction < 1 || hnswEfConstruction > Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH) {
      throw new IllegalArgumentException(
          "--hnsw-ef-construction must be in [1, "
              + Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH
              + "], got "
              + hnswEfConstruction);
    }
  }

  /** @param common common options @return settings */
  Workbench.IndexSettings settings(Common common) {
    check();
    return new Workbench.IndexSettings(common.model, trainSplit, chunks, chunkWords, indexLam, hnswM, hnswEfConstruction);
  }

  /**
   * Makes sure the index exists with these settings.
   *
   * @param common common options
   * @param ds the loaded dataset
   * @param emb the embedder
   * @return the index info
   * @throws IOException on errors
   */
  public IndexInfo ensure(Common common, BeirDataset ds, Embedder emb) throws IOException {
    Path dir = indexDir(common);
    Workbench.IndexSettings s = settings(common);
    if (Files.isRegularFile(dir.resolve(IndexInfo.FILE))) {
      IndexInfo have = IndexInfo.read(dir);
      if (have.sameSettings(Workbench.wantedInfo(common.data(), emb, s))) {
        System.err.println("index: " + dir + " is up to date (" + have.docs() + " docs, " + have.memoryRows() + " memory rows)");
        return have;
      }
      System.err.println("index: " + dir + " was built with other settings or data; rebuilding");
    }
    long t0 = System.nanoTime();
    IndexInfo info = Workbench.buildIndex(ds, emb, s, dir);
    System.err.printf("index: built %s (%d docs, %d memory rows) in %.1f s%n", dir, info.docs(), info.memoryRows(),
        (System.nanoTime() - t0) / 1e9);
    return info;
  }
}
