package io.github.lucenepefa.codec;

/** {@link QuantizedPefaVectorsFormatTestCase} with {@link PefaQuantization#BINARY}. */
public class TestPefa01VectorsFormatBinary extends QuantizedPefaVectorsFormatTestCase {

  @Override
  protected PefaQuantization quantization() {
    return PefaQuantization.BINARY;
  }
}
