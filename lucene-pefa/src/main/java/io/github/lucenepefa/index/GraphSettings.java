package io.github.lucenepefa.index;

import io.github.lucenepefa.codec.Pefa01VectorsFormat;
import io.github.lucenepefa.codec.PefaQuantization;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * The HNSW parameters and quantization of one of a {@link PefaSchema}'s three vector graphs (ERM,
 * PEFA-XS {@code e_d}, training memory).
 *
 * @param maxConn HNSW max connections per node
 * @param beamWidth HNSW beam width at construction
 * @param quantization the vectors the graph scores
 */
record GraphSettings(int maxConn, int beamWidth, PefaQuantization quantization) {

  /**
   * The frozen field type of the graph's float vectors ({@link Pefa01VectorsFormat#vectorFieldType},
   * which validates eagerly).
   *
   * @throws IllegalArgumentException if the field cannot take these settings at {@code dimension}
   */
  FieldType fieldType(int dimension, VectorSimilarityFunction similarity) {
    return Pefa01VectorsFormat.vectorFieldType(
        dimension, VectorEncoding.FLOAT32, similarity, maxConn, beamWidth, quantization);
  }
}
