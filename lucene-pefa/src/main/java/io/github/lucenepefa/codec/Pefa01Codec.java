package io.github.lucenepefa.codec;

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

  private final KnnVectorsFormat vectorsFormat = new Pefa01VectorsFormat();

  private final KnnVectorsFormat perFieldVectorsFormat =
      new PerFieldKnnVectorsFormat() {
        @Override
        public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
          return vectorsFormat;
        }
      };

  /** Creates the codec, delegating everything but vectors to {@code Lucene104}. */
  public Pefa01Codec() {
    super(NAME, new Lucene104Codec());
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
