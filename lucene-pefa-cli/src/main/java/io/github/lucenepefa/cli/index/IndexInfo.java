package io.github.lucenepefa.cli.index;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.DeserializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The marker file {@code pefa-index.json} of a complete index folder, written last: a folder without it is not a
 * valid index (an interrupted build never produces one, because the index is built in a temporary folder and renamed
 * into place only after this file is written). It says what the index was built from, so that eval, tune, search and
 * {@code pefa memory} know the memory's splits; {@code pefa memory add/remove} rewrites it (atomically) after each
 * change of the memory.
 *
 * @param format the layout version of the index folder ({@link #FORMAT}); older folders are rebuilt
 * @param model the encoder preset name, {@code model-dir:<folder>} or {@code vectors:<folder>}
 * @param modelId the vectors' model id (cache key)
 * @param dataset the dataset folder (absolute)
 * @param datasetFingerprint sizes and modification times of the corpus and queries files (detects a changed dataset)
 * @param trainSplits the qrels splits whose queries are in the memory, in the order they were added (may be empty:
 *     a memory of doc-as-query chunks alone)
 * @param splitFingerprints split name to the size and modification time of its qrels file
 * @param chunks doc-as-query chunks per doc
 * @param chunkWords words per chunk
 * @param lam the PEFA-XS index-time lambda
 * @param hnswM HNSW max connections
 * @param hnswEfConstruction HNSW construction beam
 * @param docs number of documents
 * @param memoryRows number of memory rows (after merging identical texts)
 * @param memoryInputs number of memory inputs before merging (training queries + chunks)
 * @param buildSeconds wall time of the build
 * @param quantization the graphs' quantization ({@code none}, {@code int8}, {@code int4}, {@code binary}; absent in
 *     older folders: {@code none})
 * @param bm25 the BM25 settings of the text field {@value Bm25Settings#TEXT_FIELD}, or {@code null} for an index
 *     without it (hybrid search needs it)
 * @param xsHnswM HNSW max connections of the PEFA-XS graph (absent in older folders, whose three graphs all have
 *     {@code hnswM}: read as {@code hnswM})
 */
public record IndexInfo(
    int format,
    String model,
    String modelId,
    String dataset,
    String datasetFingerprint,
    List<String> trainSplits,
    Map<String, String> splitFingerprints,
    int chunks,
    int chunkWords,
    float lam,
    int hnswM,
    int hnswEfConstruction,
    int docs,
    int memoryRows,
    long memoryInputs,
    double buildSeconds,
    String quantization,
    Bm25Settings bm25,
    int xsHnswM) {

  /** The marker file name. */
  public static final String FILE = "pefa-index.json";

  /** The current layout version of an index folder. */
  public static final int FORMAT = 2;

  private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /** An index without the text field. */
  public IndexInfo(int format, String model, String modelId, String dataset, String datasetFingerprint,
      List<String> trainSplits, Map<String, String> splitFingerprints, int chunks, int chunkWords, float lam, int hnswM,
      int hnswEfConstruction, int docs, int memoryRows, long memoryInputs, double buildSeconds) {
    this(format, model, modelId, dataset, datasetFingerprint, trainSplits, splitFingerprints, chunks, chunkWords, lam,
        hnswM, hnswEfConstruction, docs, memoryRows, memoryInputs, buildSeconds, "none", null, hnswM);
  }

  /**
   * @param settings the BM25 settings of the text field
   * @return this info for an index with the text field
   */
  public IndexInfo withBm25(Bm25Settings settings) {
    return new IndexInfo(format, model, modelId, dataset, datasetFingerprint, trainSplits, splitFingerprints, chunks,
        chunkWords, lam, hnswM, hnswEfConstruction, docs, memoryRows, memoryInputs, buildSeconds, quantization, settings, xsHnswM);
  }

  /**
   * @param maxConn HNSW max connections of the PEFA-XS graph
   * @return this info with that maxConn
   */
  public IndexInfo withXsHnswM(int maxConn) {
    return new IndexInfo(format, model, modelId, dataset, datasetFingerprint, trainSplits, splitFingerprints, chunks,
        chunkWords, lam, hnswM, hnswEfConstruction, docs, memoryRows, memoryInputs, buildSeconds, quantization, bm25,
        maxConn);
  }

  /** Lists and maps are kept unmodifiable, null as empty. */
  public IndexInfo {
    trainSplits = trainSplits == null ? List.of() : List.copyOf(trainSplits);
    quantization = quantization == null ? "none" : quantization;
    xsHnswM = xsHnswM == 0 ? hnswM : xsHnswM;
    splitFingerprints =
        splitFingerprints == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(splitFingerprints));
  }

  /**
   * @param dir an index folder
   * @return its info
   * @throws IOException if the folder is not a complete pefa index
   */
  public static IndexInfo read(Path dir) throws IOException {
    Path f = dir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      throw new IOException(
          dir + ": not a complete pefa index (no " + FILE + "); build it with: pefa index --index " + dir);
    }
    return JSON.readValue(f.toFile(), IndexInfo.class);
  }

  /**
   * Writes the marker (through a temporary file and an atomic rename, so a reader never sees half a file).
   *
   * @param dir the folder
   * @throws IOException on write errors
   */
  public void write(Path dir) throws IOException {
    Path tmp = dir.resolve(FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    try {
      Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.AtomicMoveNotSupportedException e) {
      Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Whether an index built with {@code other}'s settings would be identical (ignoring counts and time).
   *
   * @param other the wanted settings
   * @return true if the same
   */
  public boolean sameSettings(IndexInfo other) {
    return format == other.format
        && hnswM == other.hnswM
        && xsHnswM == other.xsHnswM
        && hnswEfConstruction == other.hnswEfConstruction
        && quantization.equals(other.quantization)
        && Float.compare(lam, other.lam) == 0
        && java.util.Objects.equals(bm25, other.bm25)
        && memoryKey().equals(other.memoryKey());
  }

  /**
   * What the memory (and the documents) are made of: model, dataset, training splits with their qrels, chunking.
   * Two indexes with the same key hold the same vectors and memory rows.
   *
   * @return the key
   */
  public String memoryKey() {
    return String.join("|", modelId, dataset, datasetFingerprint, trainSplits.toString(),
        splitFingerprints.toString(), "" + chunks, "" + chunkWords);
  }

  /**
   * @param docCount documents
   * @param rows memory rows
   * @param inputs memory inputs
   * @param seconds build time
   * @return this info with these counts
   */
  public IndexInfo withCounts(int docCount, int rows, long inputs, double seconds) {
    return new IndexInfo(format, model, modelId, dataset, datasetFingerprint, trainSplits, splitFingerprints, chunks,
        chunkWords, lam, hnswM, hnswEfConstruction, docCount, rows, inputs, seconds, quantization, bm25, xsHnswM);
  }

  /**
   * @param splits the new training splits
   * @param fingerprints their qrels fingerprints
   * @param rows memory rows now
   * @param inputs memory inputs now
   * @return this info with another memory
   */
  public IndexInfo withMemory(List<String> splits, Map<String, String> fingerprints, int rows, long inputs) {
    return new IndexInfo(format, model, modelId, dataset, datasetFingerprint, splits, fingerprints, chunks, chunkWords,
        lam, hnswM, hnswEfConstruction, docs, rows, inputs, buildSeconds, quantization, bm25, xsHnswM);
  }
}
