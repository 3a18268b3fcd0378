package io.github.lucenepefa.cli.index;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The marker file {@code pefa-index.json} of a complete index folder, written last: a folder without it is not a
 * valid index (an interrupted build never produces one, because the index is built in a temporary folder and renamed
 * into place only after this file is written).
 *
 * @param model the encoder preset name
 * @param modelId the encoder's model id
 * @param dataset the dataset folder (absolute)
 * @param datasetFingerprint sizes and modification times of the dataset files (detects a changed dataset)
 * @param trainSplit the qrels split whose queries form the memory
 * @param chunks doc-as-query chunks per doc
 * @param chunkWords words per chunk
 * @param lam the PEFA-XS index-time lambda
 * @param hnswM HNSW max connections
 * @param hnswEfConstruction HNSW construction beam
 * @param docs number of documents
 * @param memoryRows number of memory rows (after merging identical texts)
 * @param memoryInputs number of memory inputs before merging (training queries + chunks)
 * @param buildSeconds wall time of the build
 */
public record IndexInfo(
    String model,
    String modelId,
    String dataset,
    String datasetFingerprint,
    String trainSplit,
    int chunks,
    int chunkWords,
    float lam,
    int hnswM,
    int hnswEfConstruction,
    int docs,
    int memoryRows,
    long memoryInputs,
    double buildSeconds) {

  /** The marker file name. */
  public static final String FILE = "pefa-index.json";

  private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

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
   * @param dir the folder
   * @throws IOException on write errors
   */
  public void write(Path dir) throws IOException {
    JSON.writeValue(dir.resolve(FILE).toFile(), this);
  }

  /**
   * Whether an index built with {@code other}'s settings would be identical (ignoring counts and time).
   *
   * @param other the wanted settings
   * @return true if the same
   */
  public boolean sameSettings(IndexInfo other) {
    return modelId.equals(other.modelId)
        && dataset.equals(other.dataset)
        && datasetFingerprint.equals(other.datasetFingerprint)
        && trainSplit.equals(other.trainSplit)
        && chunks == other.chunks
        && chunkWords == other.chunkWords
        && Float.compare(lam, other.lam) == 0
        && hnswM == other.hnswM
        && hnswEfConstruction == other.hnswEfConstruction;
  }
}
