package io.github.lucenepefa.codec;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.tests.index.BaseKnnVectorsFormatTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Runs Lucene's full {@link BaseKnnVectorsFormatTestCase} conformance suite against {@link
 * Pefa01VectorsFormat} (fields without PEFA attributes, i.e. Lucene's default HNSW parameters).
 */
public class TestPefa01VectorsFormat extends BaseKnnVectorsFormatTestCase {

  @Override
  protected Codec getCodec() {
    return TestUtil.alwaysKnnVectorsFormat(new Pefa01VectorsFormat());
  }

  /** The format stores raw float vectors; there is no quantized fallback. */
  @Override
  protected boolean supportsFloatVectorFallback() {
    return false;
  }

  public void testToString() {
    String s = new Pefa01VectorsFormat().toString();
    assertTrue(s, s.startsWith("Pefa01VectorsFormat(name=Pefa01VectorsFormat"));
  }
}
