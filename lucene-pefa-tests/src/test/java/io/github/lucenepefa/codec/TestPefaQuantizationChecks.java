package io.github.lucenepefa.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.lucene.document.FieldType;
import org.apache.lucene.index.DocValuesSkipIndexType;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.junit.jupiter.api.Test;

/** Bad quantization input gets an {@link IllegalArgumentException} naming the problem. */
class TestPefaQuantizationChecks {

  static void assertBad(String expected, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void parse() {
    for (PefaQuantization q : PefaQuantization.values()) {
      assertEquals(q, PefaQuantization.parse(q.id()));
      assertEquals(q, PefaQuantization.parse(q.id().toUpperCase(java.util.Locale.ROOT)));
      assertTrue(q.defaultOversample() >= 1f);
    }
    assertBad("unknown quantization \"int3\"", () -> PefaQuantization.parse("int3"));
    assertBad("unknown quantization \"null\"", () -> PefaQuantization.parse(null));
  }

  @Test
  void fieldTypesCheckEagerly() {
    FieldType t =
        Pefa01VectorsFormat.vectorFieldType(
            1024, VectorEncoding.FLOAT32, VectorSimilarityFunction.COSINE, 16, 100, PefaQuantization.BINARY);
    assertEquals("binary", t.getAttributes().get(Pefa01VectorsFormat.QUANTIZATION_ATTRIBUTE));
    for (VectorSimilarityFunction sim : VectorSimilarityFunction.values()) {
      Pefa01VectorsFormat.vectorFieldType(8, VectorEncoding.FLOAT32, sim, 16, 100, PefaQuantization.INT4);
    }
    assertBad(
        "supports at most 1024 dimensions; got 1025",
        () ->
            Pefa01VectorsFormat.vectorFieldType(
                1025, VectorEncoding.FLOAT32, VectorSimilarityFunction.DOT_PRODUCT, 16, 100, PefaQuantization.INT8));
    assertBad(
        "quantization int8 requires FLOAT32 vectors; got BYTE",
        () ->
            Pefa01VectorsFormat.vectorFieldType(
                8, VectorEncoding.BYTE, VectorSimilarityFunction.DOT_PRODUCT, 16, 100, PefaQuantization.INT8));
    assertBad(
        "quantization must not be null",
        () ->
            Pefa01VectorsFormat.vectorFieldType(
                8, VectorEncoding.FLOAT32, VectorSimilarityFunction.DOT_PRODUCT, 16, 100, null));
  }

  @Test
  void attributesAreCheckedWhenWritten() {
    assertBad(
        "attribute pefa.quantization=\"int2\": unknown quantization",
        () -> Pefa01VectorsFormat.paramsOf(field(8, VectorEncoding.FLOAT32, "int2"), PefaQuantization.NONE));
    assertBad(
        "requires FLOAT32 vectors",
        () -> Pefa01VectorsFormat.paramsOf(field(8, VectorEncoding.BYTE, "int8"), PefaQuantization.NONE));
    // the format's default applies where a field can take it, never to byte fields
    assertEquals(
        PefaQuantization.INT4,
        Pefa01VectorsFormat.paramsOf(field(8, VectorEncoding.FLOAT32, null), PefaQuantization.INT4)
            .quantization());
    assertEquals(
        PefaQuantization.NONE,
        Pefa01VectorsFormat.paramsOf(field(8, VectorEncoding.BYTE, null), PefaQuantization.INT4)
            .quantization());
    assertBad("defaultQuantization must not be null", () -> new Pefa01VectorsFormat(null));
  }

  static FieldInfo field(int dim, VectorEncoding encoding, String quantization) {
    FieldInfo fi =
        new FieldInfo(
            "f",
            0,
            false,
            false,
            false,
            IndexOptions.NONE,
            DocValuesType.NONE,
            DocValuesSkipIndexType.NONE,
            -1,
            new java.util.HashMap<>(),
            0,
            0,
            0,
            dim,
            encoding,
            VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT,
            false,
            false);
    if (quantization != null) {
      fi.putAttribute(Pefa01VectorsFormat.QUANTIZATION_ATTRIBUTE, quantization);
    }
    return fi;
  }
}
