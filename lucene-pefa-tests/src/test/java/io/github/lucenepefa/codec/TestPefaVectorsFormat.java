package io.github.lucenepefa.codec;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.tests.index.BaseKnnVectorsFormatTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Runs Lucene's full {@link BaseKnnVectorsFormatTestCase} conformance suite against {@link
 * PefaVectorsFormat} (fields without PEFA attributes, i.e. Lucene's default HNSW parameters).
 */
public class TestPefaVectorsFormat extends BaseKnnVectorsFormatTestCase {

  @Override
  protected Codec getCodec() {
    return TestUtil.alwaysKnnVectorsFormat(new PefaVectorsFormat());
  }

  /** The format stores raw float vectors; there is no quantized fallback. */
  @Override
  protected boolean supportsFloatVectorFallback() {
    return false;
  }

  public void testToString() {
    String s = new PefaVectorsFormat().toString();
    assertTrue(s, s.startsWith("PefaVectors(name=PefaVectors"));
  }
}
