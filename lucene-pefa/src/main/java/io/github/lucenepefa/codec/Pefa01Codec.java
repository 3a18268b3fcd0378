package io.github.lucenepefa.codec;

import java.util.concurrent.ExecutorService;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;

/**
 * Lucene's default codec ({@code Lucene104}) with {@link Pefa01VectorsFormat} for every vector
 * field. SPI name {@value #NAME}.
 *
 * <p>The delegate is created with {@code new Lucene104Codec()}, which is what {@code
 * Codec.forName("Lucene104")} returns; a lookup by name cannot be used here because this codec is
 * itself instantiated while the codec SPI registry is being built.
 *
 * <p>Applications that already have their own codec can instead return a {@link
 * Pefa01VectorsFormat} from their {@link PerFieldKnnVectorsFormat}; the format is SPI-registered, so
 * indexes written either way reopen without custom code.
 */
public final class Pefa01Codec extends FilterCodec {

  /** The SPI name of this codec. */
  public static final String NAME = "Pefa01";

  private final KnnVectorsFormat vectorsFormat;

  private final KnnVectorsFormat perFieldVectorsFormat =
      new PerFieldKnnVectorsFormat() {
        @Override
        public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
          return vectorsFormat;
        }
      };

  /** Creates the codec, delegating everything but vectors to {@code Lucene104}. */
  public Pefa01Codec() {
    this(new Pefa01VectorsFormat());
  }

  /**
   * Creates the codec for writing with several threads per HNSW graph merge ({@link
   * Pefa01VectorsFormat#Pefa01VectorsFormat(int, ExecutorService)}); segments it writes record
   * the name {@value #NAME} and are read back by the no-argument instance.
   *
   * @param numMergeWorkers threads per graph merge, at least 1
   * @param mergeExec the executor they run on ({@code null} when {@code numMergeWorkers} is 1)
   * @throws IllegalArgumentException when the arguments do not agree
   */
  public Pefa01Codec(int numMergeWorkers, ExecutorService mergeExec) {
    this(new Pefa01VectorsFormat(numMergeWorkers, mergeExec));
  }

  /**
   * The codec for a bulk load that ends with a merge ({@link Pefa01VectorsFormat#forBulkLoad}):
   * flushed segments have no graphs, merges build every graph on {@code numMergeWorkers} threads.
   * A segment that is never merged keeps no graph (its searches scan its vectors exactly): a load
   * that ends in a single segment has nothing for {@code forceMerge(1)} to merge, so flush the
   * training memory and the documents into segments of their own, as {@code pefa index} does.
   *
   * @param numMergeWorkers threads per graph merge, at least 1
   * @param mergeExec the executor they run on ({@code null} when {@code numMergeWorkers} is 1)
   * @return the codec (name {@value #NAME})
   * @throws IllegalArgumentException when the arguments do not agree
   */
  public static Pefa01Codec forBulkLoad(int numMergeWorkers, ExecutorService mergeExec) {
    return new Pefa01Codec(Pefa01VectorsFormat.forBulkLoad(numMergeWorkers, mergeExec));
  }

  private Pefa01Codec(KnnVectorsFormat vectorsFormat) {
    super(NAME, new Lucene104Codec());
    this.vectorsFormat = vectorsFormat;
  }

  /**
   * Returns a per-field vectors format that uses {@link Pefa01VectorsFormat} for every field.
   *
   * @return the vectors format of this codec
   */
  @Override
  public KnnVectorsFormat knnVectorsFormat() {
    return perFieldVectorsFormat;
  }

  /**
   * Returns the codec this one delegates to for everything but vectors.
   *
   * @return the {@code Lucene104} delegate
   */
  public Codec getDelegate() {
    return delegate;
  }
}
