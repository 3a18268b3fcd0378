package io.github.lucenepefa.index;

import io.github.lucenepefa.scoring.PefaChecks;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteArrayDataOutput;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.BytesRef;

/**
 * The labels of one training-memory row: its id and the documents it is relevant to (by external
 * key) with their weights {@code Y[i,d]}. Stored as a binary doc value on the row's Lucene
 * document, so it is merged, deleted and updated together with the row's vector.
 *
 * <p>Expert: applications read and write labels through {@link PefaIndexWriter} and {@link
 * io.github.lucenepefa.search.Neighbour}; this record and its layout are public for engines that
 * keep a memory of their own (such as the OpenSearch plugin).
 *
 * @param rowId the row's id
 * @param weights document key to weight, in insertion order (unmodifiable)
 */
public record TrainingLabels(String rowId, Map<String, Float> weights) {

  private static final int FORMAT_VERSION = 1;

  /**
   * Creates labels, checking every weight.
   *
   * @param rowId the row id
   * @param weights document key to weight
   */
  public TrainingLabels {
    if (weights instanceof Decoded == false) { // decode checks what it reads
      PefaChecks.id("training query id", rowId);
      LinkedHashMap<String, Float> copy = new LinkedHashMap<>();
      for (Map.Entry<String, Float> e : weights.entrySet()) {
        checkLabel(rowId, e.getKey(), e.getValue());
        copy.put(e.getKey(), e.getValue());
      }
      weights = Collections.unmodifiableMap(copy);
    }
  }

  /**
   * The map {@link #decode} returns: the decoded keys and weights in their stored order, in two
   * arrays, read-only. Decoding runs for every neighbour of every PEFA-XL query, so it builds no
   * hash table unless {@link #get} is asked on a row with many labels.
   */
  private static final class Decoded extends AbstractMap<String, Float> {
    private static final int LINEAR_GET = 8;
    private final String[] keys;
    private final float[] weights;
    private volatile Map<String, Float> index; // built on the first get of a large map

    Decoded(String[] keys, float[] weights) {
      this.keys = keys;
      this.weights = weights;
    }

    @Override
    public int size() {
      return keys.length;
    }

    @Override
    public Float get(Object key) {
      if (keys.length <= LINEAR_GET) {
        for (int i = 0; i < keys.length; i++) {
          if (keys[i].equals(key)) {
            return weights[i];
          }
        }
        return null;
      }
      Map<String, Float> byKey = index;
      if (byKey == null) {
        HashMap<String, Float> built = HashMap.newHashMap(keys.length);
        for (int i = 0; i < keys.length; i++) {
          built.put(keys[i], weights[i]);
        }
        index = byKey = built;
      }
      return byKey.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return get(key) != null;
    }

    @Override
    public Set<Map.Entry<String, Float>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public int size() {
          return keys.length;
        }

        @Override
        public Iterator<Map.Entry<String, Float>> iterator() {
          return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < keys.length;
            }

            @Override
            public Map.Entry<String, Float> next() {
              if (next >= keys.length) {
                throw new NoSuchElementException();
              }
              int i = next++;
              return Map.entry(keys[i], weights[i]);
            }
          };
        }
      };
    }
  }

  /**
   * Returns an unmodifiable map of {@code weights}: the map itself when it is one that {@link
   * #decode} returned (already read-only and checked), otherwise {@link Map#copyOf}.
   *
   * @param weights document key to weight
   * @return an unmodifiable map with the same entries
   */
  public static Map<String, Float> readOnly(Map<String, Float> weights) {
    return weights instanceof Decoded ? weights : Map.copyOf(weights);
  }

  static void checkLabel(String rowId, String key, Float weight) {
    PefaChecks.id("training query '" + rowId + "': document key", key);
    checkWeight(rowId, key, weight);
  }

  private static void checkWeight(String rowId, String key, Float weight) {
    if (weight == null || Float.isFinite(weight) == false || weight <= 0) {
      throw new IllegalArgumentException(
          "training query '"
              + rowId
              + "': weight for document '"
              + key
              + "' must be finite and > 0, got "
              + weight);
    }
  }

  /**
   * Encodes to the binary doc-value layout: vint version, row id, vint count, then count times
   * (key, float weight bits).
   *
   * @return the encoded bytes
   */
  public BytesRef encode() {
    int estimate = 16 + rowId.length() * 3;
    for (String k : weights.keySet()) {
      estimate += 10 + k.length() * 3;
    }
    byte[] buf = new byte[estimate];
    ByteArrayDataOutput out = new ByteArrayDataOutput(buf);
    try {
      out.writeVInt(FORMAT_VERSION);
      out.writeString(rowId);
      out.writeVInt(weights.size());
      for (Map.Entry<String, Float> e : weights.entrySet()) {
        out.writeString(e.getKey());
        out.writeInt(Float.floatToIntBits(e.getValue()));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new BytesRef(ArrayUtil.copyOfSubArray(buf, 0, out.getPosition()));
  }

  /**
   * Decodes {@link #encode()}'s layout.
   *
   * @param bytes the encoded labels
   * @return the labels
   * @throws IllegalStateException when the bytes are not in a known layout
   */
  public static TrainingLabels decode(BytesRef bytes) {
    try {
      return decode(new ByteArrayDataInput(bytes.bytes, bytes.offset, bytes.length));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("corrupt training labels", e);
    }
  }

  private static TrainingLabels decode(ByteArrayDataInput in) throws java.io.IOException {
    int version = in.readVInt();
    if (version != FORMAT_VERSION) {
      throw new IllegalStateException("unknown training labels format version " + version);
    }
    String rowId = in.readString();
    int n = in.readVInt();
    String[] keys = new String[n];
    float[] weights = new float[n];
    for (int i = 0; i < n; i++) {
      keys[i] = in.readString();
      weights[i] = Float.intBitsToFloat(in.readInt());
      checkWeight(rowId, keys[i], weights[i]);
    }
    return new TrainingLabels(rowId, new Decoded(keys, weights));
  }
}
