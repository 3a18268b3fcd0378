package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.vectors.VectorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.github.lucenepefa.codec.PefaQuantization;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import io.github.lucenepefa.cli.index.Bm25Settings;
import picocli.CommandLine.Option;

/** The index options of index, eval, tune and demo: the index is used as is when up to date, (re)built otherwise. */
public final class IndexBuildOptions {

  @Option(names = "--index", paramLabel = "DIR",
      description = "Index folder (default: work/<dataset>/index-<model>[-chunks<N>x<W>]).")
  Path index;

  @Option(names = "--train-split", paramLabel = "SPLIT", split = ",",
      description = "qrels split(s) of the training queries in the memory, comma-separated (default: train when the"
          + " dataset has it; without one the memory is the doc-as-query rows alone).")
  List<String> trainSplits;

  @Option(names = "--chunks", defaultValue = "10", description = "Doc-as-query rows per doc in the memory, 0 for none (default: ${DEFAULT-VALUE}).")
  int chunks = 10;

  @Option(names = "--chunk-words", defaultValue = "64", description = "Words per chunk (default: ${DEFAULT-VALUE}).")
  int chunkWords = 64;

  @Option(names = "--index-lam", defaultValue = "0.5", description = "PEFA-XS index-time lambda of the graph (default: ${DEFAULT-VALUE}); search-time lambda is exact.")
  float indexLam = 0.5f;

  @Option(names = "--bm25-k1", defaultValue = "0.9", description = "BM25 k1 of the text field (default: ${DEFAULT-VALUE}, Anserini's BEIR setting).")
  float bm25K1 = 0.9f;

  @Option(names = "--bm25-b", defaultValue = "0.4", description = "BM25 b of the text field (default: ${DEFAULT-VALUE}, Anserini's BEIR setting).")
  float bm25B = 0.4f;

  @Option(names = "--hnsw-m", defaultValue = "16", description = "HNSW max connections of the ERM and memory graphs (default: ${DEFAULT-VALUE}).")
  int hnswM = 16;

  @Option(names = "--xs-hnsw-m", defaultValue = "32",
      description = "HNSW max connections of the PEFA-XS graph (default: ${DEFAULT-VALUE}; its inner-product graph of the"
          + " e_d needs more links than the others: docs/performance.md).")
  int xsHnswM = io.github.lucenepefa.index.PefaSchema.DEFAULT_XS_MAX_CONN;

  @Option(names = "--hnsw-ef-construction", defaultValue = "100", description = "HNSW construction beam (default: ${DEFAULT-VALUE}).")
  int hnswEfConstruction = 100;

  @Option(names = "--quantization", paramLabel = "Q", defaultValue = "none",
      description = "Vectors the HNSW graphs (ERM, PEFA-XS, memory) score: none, int8, int4 or binary; the float vectors"
          + " are kept and rescore every candidate (default: ${DEFAULT-VALUE}).")
  String quantization = "none";

  @Option(names = "--no-rebuild",
      description = "Use the index in --index as it is (for example after pefa memory add/remove), never rebuilding it;"
          + " the index options above are then ignored.")
  boolean noRebuild;

  /**
   * @param common common options
   * @return the index folder
   */
  public Path indexDir(Common common) {
    if (index != null) {
      return index.toAbsolutePath().normalize();
    }
    String name = "index-" + common.sourceName() + (chunks == 10 && chunkWords == 64 ? "" : "-chunks" + chunks + "x" + chunkWords);
    return common.work().resolve(name);
  }

  /**
   * Checks these options before any data is read or encoded.
   *
   * @throws IllegalArgumentException naming the option at fault
   */
  public void check() {
    if (chunks < 0) {
      throw new IllegalArgumentException("--chunks must be >= 0, got " + chunks);
    }
    if (chunkWords < 1) {
      throw new IllegalArgumentException("--chunk-words must be >= 1, got " + chunkWords);
    }
    if (!(indexLam >= 0 && indexLam <= 1)) {
      throw new IllegalArgumentException("--index-lam must be in [0,1], got " + indexLam);
    }
    new Bm25Settings(bm25K1, bm25B); // checks them
    checkMaxConn("--hnsw-m", hnswM);
    checkMaxConn("--xs-hnsw-m", xsHnswM);
    quantization();
    if (hnswEfConstruction < 1 || hnswEfConstruction > Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH) {
      throw new IllegalArgumentException(
          "--hnsw-ef-construction must be in [1, "
              + Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH
              + "], got "
              + hnswEfConstruction);
    }
  }

  /** Checks an HNSW max connections option: Lucene's bounds. */
  static void checkMaxConn(String option, int maxConn) {
    if (maxConn < 1 || maxConn > Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN) {
      throw new IllegalArgumentException(
          option + " must be in [1, " + Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN + "], got " + maxConn);
    }
  }

  /**
   * @return the graphs' quantization
   * @throws IllegalArgumentException naming the option when the value is unknown
   */
  PefaQuantization quantization() {
    try {
      return PefaQuantization.parse(quantization);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--quantization: " + e.getMessage(), e);
    }
  }

  /**
   * @param ds the dataset
   * @return the build settings
   */
  Workbench.IndexSettings settings(BeirDataset ds) {
    check();
    return new Workbench.IndexSettings(Workbench.trainSplits(ds, trainSplits), chunks, chunkWords, indexLam, hnswM,
        hnswEfConstruction, quantization().id(), new Bm25Settings(bm25K1, bm25B), xsHnswM);
  }

  /**
   * The info of the existing index with {@code --no-rebuild}, read before anything else (it decides the vectors);
   * null otherwise.
   *
   * @param common common options
   * @return the info or null
   * @throws IOException when --no-rebuild is given and there is no complete index
   */
  public IndexInfo existing(Common common) throws IOException {
    return noRebuild ? IndexInfo.read(indexDir(common)) : null;
  }

  /**
   * The vectors for this command: those the existing index was built with under {@code --no-rebuild}, else the
   * options'.
   *
   * @param common common options
   * @return the vectors
   * @throws IOException on errors
   */
  public VectorSource vectorSource(Common common) throws IOException {
    IndexInfo have = existing(common);
    return have != null ? common.vectorSource(have) : common.vectorSource();
  }

  /**
   * Makes sure the index exists with these settings (or, with {@code --no-rebuild}, that it exists and was built
   * from this dataset).
   *
   * @param common common options
   * @param ds the loaded dataset
   * @param src the vectors
   * @return the index info
   * @throws IOException on errors
   */
  public IndexInfo ensure(Common common, BeirDataset ds, VectorSource src) throws IOException {
    Path dir = indexDir(common);
    if (noRebuild) {
      IndexInfo have = IndexInfo.read(dir);
      checkSameData(have, ds);
      System.err.println("index: " + dir + " as it is (--no-rebuild): " + have.docs() + " docs, " + have.memoryRows()
          + " memory rows, training splits " + have.trainSplits());
      return have;
    }
    Workbench.IndexSettings s = settings(ds);
    if (Files.isRegularFile(dir.resolve(IndexInfo.FILE))) {
      IndexInfo have = IndexInfo.read(dir);
      if (have.sameSettings(Workbench.wantedInfo(ds.dir(), src, s))) {
        System.err.println("index: " + dir + " is up to date (" + have.docs() + " docs, " + have.memoryRows() + " memory rows)");
        return have;
      }
      System.err.println("index: " + dir + " was built with other settings or data; rebuilding");
    }
    long t0 = System.nanoTime();
    IndexInfo info = Workbench.buildIndex(ds, src, s, dir);
    System.err.printf("index: built %s (%d docs, %d memory rows) in %.1f s%n", dir, info.docs(), info.memoryRows(),
        (System.nanoTime() - t0) / 1e9);
    return info;
  }

  /**
   * @param info an index
   * @param ds the dataset of this command
   * @throws IOException when the index was built from another dataset, or its corpus or queries changed since
   */
  static void checkSameData(IndexInfo info, BeirDataset ds) throws IOException {
    Path data = ds.dir().toAbsolutePath().normalize();
    if (!data.toString().equals(info.dataset())) {
      throw new IllegalArgumentException("the index was built from " + info.dataset() + ", not " + data
          + ": give --data " + info.dataset());
    }
    if (!Workbench.fingerprint(data).equals(info.datasetFingerprint())) {
      throw new IllegalArgumentException("the corpus or queries of " + data + " changed since the index was built:"
          + " rebuild it (drop --no-rebuild)");
    }
  }
}
