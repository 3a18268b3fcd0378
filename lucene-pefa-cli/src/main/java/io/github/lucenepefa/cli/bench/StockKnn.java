package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.codec.PefaQuantization;
import java.util.concurrent.ExecutorService;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RescoreTopNQuery;

/**
 * Stock Lucene's side of the bench with a quantization: the vectors format of the stock indexes and
 * the kNN query that searches them the way PEFA searches its own graphs, so that both sides do the
 * same work per candidate.
 *
 * <p>With {@link PefaQuantization#NONE} the stock index is {@link Lucene99HnswVectorsFormat} and the
 * query is {@code KnnFloatVectorQuery(field, q, beam)}. Otherwise the index is Lucene's {@link
 * Lucene104HnswScalarQuantizedVectorsFormat} with the quantization's encoding (the float vectors
 * kept beside the quantized ones, as in a PEFA field), and the query walks the quantized graph with
 * the same beam and rescores every candidate of it with the float vectors ({@link
 * RescoreTopNQuery#createFullPrecisionRescorerQuery}), keeping the top {@code wanted}: what PEFA
 * does with a quantized field. The beam is PEFA's: {@code max(ef, ceil(factor * wanted))}, with the
 * same oversample factor (the query's, or the quantization's default).
 */
final class StockKnn {

  private StockKnn() {}

  /**
   * The stock vectors format of a quantization, with PEFA's graph parameters.
   *
   * @param quantization the quantization of the graph
   * @param maxConn HNSW M
   * @param beamWidth HNSW construction beam
   * @param mergeThreads threads of a merge's graph build (1: the merging thread only)
   * @param mergeExec their executor, or null when {@code mergeThreads} is 1
   * @return the format
   */
  static KnnVectorsFormat format(
      PefaQuantization quantization, int maxConn, int beamWidth, int mergeThreads, ExecutorService mergeExec) {
    if (quantization == PefaQuantization.NONE) {
      return mergeExec == null
          ? new Lucene99HnswVectorsFormat(maxConn, beamWidth)
          : new Lucene99HnswVectorsFormat(maxConn, beamWidth, mergeThreads, mergeExec);
    }
    return mergeExec == null
        ? new Lucene104HnswScalarQuantizedVectorsFormat(quantization.encoding(), maxConn, beamWidth)
        : new Lucene104HnswScalarQuantizedVectorsFormat(
            quantization.encoding(), maxConn, beamWidth, mergeThreads, mergeExec);
  }

  /**
   * The oversample factor a search uses, as PEFA chooses it.
   *
   * @param quantization the graph's quantization
   * @param oversample the factor given ({@code >= 1}), or 0 for the quantization's default
   * @return the factor
   */
  static float factor(PefaQuantization quantization, float oversample) {
    return oversample > 0 ? oversample : quantization.defaultOversample();
  }

  /**
   * The beam of a search: {@code max(ef, wanted, ceil(factor * wanted))}, PEFA's for a graph walk
   * that wants {@code wanted} hits with search effort {@code ef}.
   *
   * @param wanted the hits wanted
   * @param ef the search effort
   * @param factor the oversample factor ({@link #factor})
   * @return the beam (Lucene's k of the kNN query)
   */
  static int beam(int wanted, int ef, float factor) {
    return Math.max(Math.max(ef, wanted), (int) Math.ceil((double) factor * wanted));
  }

  /**
   * The stock search of {@code wanted} hits with effort {@code ef}.
   *
   * @param field the vector field
   * @param q the query vector
   * @param wanted the hits wanted
   * @param ef the search effort
   * @param quantization the field's quantization
   * @param oversample the factor given, or 0 for the quantization's default
   * @return the query: a kNN query, rescored with the float vectors when the graph is quantized
   */
  static Query query(
      String field, float[] q, int wanted, int ef, PefaQuantization quantization, float oversample) {
    int beam = beam(wanted, ef, factor(quantization, oversample));
    return rescored(new KnnFloatVectorQuery(field, q, beam), field, q, wanted, quantization);
  }

  /**
   * {@code knn} as is for a float graph; for a quantized one, {@code knn}'s candidates rescored with
   * the float vectors, top {@code wanted} kept.
   *
   * @param knn the kNN query (its k is the beam)
   * @param field its field
   * @param q its query vector
   * @param wanted the hits wanted
   * @param quantization the field's quantization
   * @return the query
   */
  static Query rescored(Query knn, String field, float[] q, int wanted, PefaQuantization quantization) {
    return quantization == PefaQuantization.NONE
        ? knn
        : RescoreTopNQuery.createFullPrecisionRescorerQuery(knn, q, field, wanted);
  }
}
