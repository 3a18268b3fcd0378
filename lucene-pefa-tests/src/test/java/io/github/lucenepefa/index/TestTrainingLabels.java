package io.github.lucenepefa.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.store.ByteArrayDataOutput;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;

/** The binary layout of a memory row's labels, and the checks on decoding. */
class TestTrainingLabels {

  @Test
  void encodeDecodeKeepsIdKeysWeightsAndOrder() {
    Map<String, Float> weights = new LinkedHashMap<>();
    weights.put("zeta", 2f);
    weights.put("älpha", 0.5f); // non-ASCII key
    weights.put("m", 1f);
    TrainingLabels labels = new TrainingLabels("q-17", weights);
    TrainingLabels decoded = TrainingLabels.decode(labels.encode());
    assertEquals(labels, decoded);
    assertEquals(List.of("zeta", "älpha", "m"), List.copyOf(decoded.weights().keySet()));
    assertThrows(UnsupportedOperationException.class, () -> decoded.weights().put("x", 1f));
  }

  @Test
  void decodedWeightsAreAReadOnlyMapLikeAnyOther() {
    for (int size : new int[] {1, 8, 9, 300}) { // lookups scan up to 8 labels, hash above
      Map<String, Float> weights = new LinkedHashMap<>();
      for (int i = size; i > 0; i--) {
        weights.put("doc-" + i, i / 4f);
      }
      Map<String, Float> decoded =
          TrainingLabels.decode(new TrainingLabels("r", weights).encode()).weights();
      assertEquals(weights, decoded);
      assertEquals(decoded, weights);
      assertEquals(weights.hashCode(), decoded.hashCode());
      assertEquals(List.copyOf(weights.entrySet()), List.copyOf(decoded.entrySet()));
      for (Map.Entry<String, Float> e : weights.entrySet()) {
        assertEquals(e.getValue(), decoded.get(e.getKey()));
        assertTrue(decoded.containsKey(e.getKey()));
      }
      assertEquals(null, decoded.get("doc-0"));
      assertEquals(null, decoded.get(null));
      assertTrue(decoded.containsKey("doc-0") == false);
      assertThrows(UnsupportedOperationException.class, () -> decoded.put("doc-1", 1f));
      assertThrows(UnsupportedOperationException.class, () -> decoded.remove("doc-1"));
      assertThrows(UnsupportedOperationException.class, () -> decoded.keySet().clear());
      assertThrows(
          UnsupportedOperationException.class, () -> decoded.entrySet().iterator().next().setValue(2f));
      // decoded weights are taken as they are, any other map is copied
      assertTrue(TrainingLabels.readOnly(decoded) == decoded);
      Map<String, Float> copy = TrainingLabels.readOnly(weights);
      assertTrue(copy != weights);
      assertEquals(weights, copy);
    }
  }

  @Test
  void decodingRejectsBadWeightsAndUnknownLayouts() throws Exception {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> TrainingLabels.decode(raw(1, "r", "d", Float.NaN)))
            .getMessage()
            .contains("weight for document 'd' must be finite and > 0, got NaN"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> TrainingLabels.decode(raw(1, "r", "d", -1f)))
            .getMessage()
            .contains("got -1.0"));
    assertTrue(
        assertThrows(IllegalStateException.class, () -> TrainingLabels.decode(raw(9, "r", "d", 1f)))
            .getMessage()
            .contains("unknown training labels format version 9"));
  }

  /** Hand-written bytes in the labels layout: version, row id, count, (key, weight bits). */
  private static BytesRef raw(int version, String rowId, String key, float weight) throws Exception {
    byte[] buf = new byte[64];
    ByteArrayDataOutput out = new ByteArrayDataOutput(buf);
    out.writeVInt(version);
    out.writeString(rowId);
    out.writeVInt(1);
    out.writeString(key);
    out.writeInt(Float.floatToIntBits(weight));
    return new BytesRef(buf, 0, out.getPosition());
  }
}
