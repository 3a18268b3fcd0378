package io.github.lucenepefa.codec;

import java.util.Locale;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * How the HNSW graph of a float vector field scores its nodes: with the float vectors ({@link
 * #NONE}) or with quantized copies written by Lucene's {@link
 * Lucene104HnswScalarQuantizedVectorsFormat} ({@link #INT8}, {@link #INT4}, {@link #BINARY}). The
 * float vectors are always kept: PEFA rescores every graph candidate, and scans exactly, with them.
 *
 * <p>Names follow the OpenSearch k-NN plugin's: {@code none}, {@code int8} (8 bits a dimension),
 * {@code int4} (4 bits, packed), {@code binary} (1 bit a dimension, queries at 4 bits: Lucene's
 * BBQ).
 *
 * <p>The ordinals are written in segments ({@link Pefa01VectorsFormat}): constants are only ever
 * appended.
 */
public enum PefaQuantization {
  /** Float vectors only. */
  NONE(null, 1f),
  /** Scalar quantization to 8 bits a dimension ({@link ScalarEncoding#UNSIGNED_BYTE}). */
  INT8(ScalarEncoding.UNSIGNED_BYTE, 1f),
  /** Scalar quantization to 4 bits a dimension ({@link ScalarEncoding#PACKED_NIBBLE}). */
  INT4(ScalarEncoding.PACKED_NIBBLE, 2f),
  /** 1 bit a dimension, 4-bit queries ({@link ScalarEncoding#SINGLE_BIT_QUERY_NIBBLE}). */
  BINARY(ScalarEncoding.SINGLE_BIT_QUERY_NIBBLE, 3f);

  /**
   * The largest dimension a quantized field can have: that of {@link
   * Lucene104HnswScalarQuantizedVectorsFormat}.
   */
  public static final int MAX_QUANTIZED_DIMENSIONS = 1024;

  private final ScalarEncoding encoding;
  private final float defaultOversample;

  PefaQuantization(ScalarEncoding encoding, float defaultOversample) {
    this.encoding = encoding;
    this.defaultOversample = defaultOversample;
  }

  /**
   * @return the name used in field attributes, schemas and on the command line ({@code none},
   *     {@code int8}, {@code int4}, {@code binary})
   */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @return Lucene's encoding of the quantized vectors, or {@code null} for {@link #NONE}
   */
  public ScalarEncoding encoding() {
    return encoding;
  }

  /**
   * The oversample factor a search uses when the query sets none: a graph walk over this
   * quantization collects at least {@code ceil(factor * wanted)} candidates (its beam), all rescored
   * with the float vectors. The factors follow how much of the exact ranking the quantized scores
   * keep (stock Lucene needs about 2x for 4-bit and 1-bit graphs on SciFact); on SciFact at
   * efSearch 100 the beam already exceeds them, and PEFA's nDCG@10 stays within 0.002 of float
   * with every quantization ({@code regressions/}).
   *
   * @return the default factor, {@code >= 1}
   */
  public float defaultOversample() {
    return defaultOversample;
  }

  /**
   * Parses {@link #id()} (case-insensitive).
   *
   * @param value {@code none}, {@code int8}, {@code int4} or {@code binary}
   * @return the quantization
   * @throws IllegalArgumentException naming the value if it is none of those
   */
  public static PefaQuantization parse(String value) {
    if (value != null) {
      for (PefaQuantization q : values()) {
        if (q.id().equalsIgnoreCase(value.trim())) {
          return q;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown quantization \"" + value + "\"; expected one of none, int8, int4, binary");
  }

  /**
   * Checks that a field can be indexed with this quantization: quantized fields must hold float
   * vectors of at most {@value #MAX_QUANTIZED_DIMENSIONS} dimensions. Every similarity is
   * supported.
   *
   * @param what the field, for the message
   * @param dimension the field's vector dimension
   * @param vectorEncoding the field's vector encoding
   * @throws IllegalArgumentException naming the field and the reason if it cannot
   */
  public void checkField(String what, int dimension, VectorEncoding vectorEncoding) {
    if (this == NONE) {
      return;
    }
    if (vectorEncoding != VectorEncoding.FLOAT32) {
      throw new IllegalArgumentException(
          what + ": quantization " + id() + " requires FLOAT32 vectors; got " + vectorEncoding);
    }
    if (dimension > MAX_QUANTIZED_DIMENSIONS) {
      throw new IllegalArgumentException(
          what
              + ": quantization "
              + id()
              + " supports at most "
              + MAX_QUANTIZED_DIMENSIONS
              + " dimensions; got "
              + dimension);
    }
  }
}
