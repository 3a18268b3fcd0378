package io.github.lucenepefa.cli.vectors;

import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.cli.data.TrainingMemoryBuilder;
import java.io.IOException;
import java.util.List;

/**
 * Where the vectors of a dataset come from: an encoder ({@link Embedder}: a preset or {@code --model-dir}) or
 * precomputed embeddings ({@link NpyVectors}, {@code --vectors}). Every vector is unit length.
 */
public interface VectorSource extends AutoCloseable {

  /** @return what {@code pefa-index.json} records as the model: a preset name, {@code model-dir:DIR} or {@code vectors:DIR} */
  String model();

  /** @return the id of the vectors (cache key, recorded in the index) */
  String modelId();

  /**
   * @param ds the dataset
   * @return one vector per document, in corpus order
   * @throws IOException on errors (a vector missing from precomputed embeddings names the document)
   */
  float[][] docs(BeirDataset ds) throws IOException;

  /**
   * @param queries queries of the dataset
   * @return their vectors, in order
   * @throws IOException on errors
   */
  float[][] queries(List<BeirDataset.Query> queries) throws IOException;

  /**
   * @param texts free query texts (not in the dataset)
   * @return their vectors
   * @throws IOException on errors, or when this source cannot encode text
   */
  float[][] texts(List<String> texts) throws IOException;

  /**
   * @param rows memory rows built by {@link TrainingMemoryBuilder} with this source's {@link #addChunks}
   * @return their vectors, in order
   * @throws IOException on errors
   */
  float[][] rows(List<MemoryRow> rows) throws IOException;

  /**
   * Adds this source's doc-as-query rows to a memory: text chunks of {@code chunkWords} words for an encoder, the
   * given chunk vectors for precomputed embeddings; at most {@code chunks} per document.
   *
   * @param b the memory
   * @param ds the dataset
   * @param chunks chunks per document, at least 1
   * @param chunkWords words per chunk (encoders only)
   * @throws IOException on errors
   */
  void addChunks(TrainingMemoryBuilder b, BeirDataset ds, int chunks, int chunkWords) throws IOException;

  /** @return texts encoded now (not from a cache or file) */
  long encodedCount();

  /** @return vectors read from a cache or file */
  long cacheHitCount();

  @Override
  void close();
}
