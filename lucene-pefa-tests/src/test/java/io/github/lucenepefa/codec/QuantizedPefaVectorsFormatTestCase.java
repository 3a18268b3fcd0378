package io.github.lucenepefa.codec;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.tests.index.BaseKnnVectorsFormatTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Lucene's {@link BaseKnnVectorsFormatTestCase} conformance suite against {@link
 * Pefa01VectorsFormat} writing every float field with the quantized graph of a subclass's {@link
 * PefaQuantization}.
 */
public abstract class QuantizedPefaVectorsFormatTestCase extends BaseKnnVectorsFormatTestCase {

  /**
   * @return the quantization every float field is written with
   */
  protected abstract PefaQuantization quantization();

  @Override
  protected Codec getCodec() {
    return TestUtil.alwaysKnnVectorsFormat(new Pefa01VectorsFormat(quantization()));
  }

  /** The float vectors are always kept beside the quantized ones. */
  @Override
  protected boolean supportsFloatVectorFallback() {
    return false;
  }

  public void testToStringNamesQuantization() {
    String s = new Pefa01VectorsFormat(quantization()).toString();
    assertTrue(
        s,
        s.contains(
            Pefa01VectorsFormat.QUANTIZATION_ATTRIBUTE + " (default " + quantization().id()));
  }
}
