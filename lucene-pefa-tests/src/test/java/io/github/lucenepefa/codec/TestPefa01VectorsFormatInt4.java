package io.github.lucenepefa.codec;

/** {@link QuantizedPefaVectorsFormatTestCase} with {@link PefaQuantization#INT4}. */
public class TestPefa01VectorsFormatInt4 extends QuantizedPefaVectorsFormatTestCase {

  @Override
  protected PefaQuantization quantization() {
    return PefaQuantization.INT4;
  }
}
