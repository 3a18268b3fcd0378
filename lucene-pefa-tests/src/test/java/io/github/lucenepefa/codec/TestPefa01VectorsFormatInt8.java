package io.github.lucenepefa.codec;

/** {@link QuantizedPefaVectorsFormatTestCase} with {@link PefaQuantization#INT8}. */
public class TestPefa01VectorsFormatInt8 extends QuantizedPefaVectorsFormatTestCase {

  @Override
  protected PefaQuantization quantization() {
    return PefaQuantization.INT8;
  }
}
