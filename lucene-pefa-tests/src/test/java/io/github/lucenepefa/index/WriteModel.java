package io.github.lucenepefa.index;

import io.github.lucenepefa.oracle.Content;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.lucene.index.IndexReader;

/**
 * What a test wrote through {@link PefaIndexWriter}, kept with the writer's documented semantics
 * applied call by call, as if every call were flushed on its own: documents by key (ERM vector,
 * colour), memory rows by id (vector, labels with weights; a row goes when its last label goes).
 * Removing weight that a row does not hold removes nothing more. Written independently of the
 * writer: the index is consulted for nothing but the doc id of each live key (the oracle's
 * tie-break order).
 */
final class WriteModel {

  /** A document as the test wrote it. */
  record Doc(float[] p, String color) {}

  /** A memory row as the test wrote it. */
  record Row(float[] x, LinkedHashMap<String, Float> labels) {}

  final LinkedHashMap<String, Doc> docs = new LinkedHashMap<>();
  final LinkedHashMap<String, Row> rows = new LinkedHashMap<>();

  /** A deep copy. */
  WriteModel copy() {
    WriteModel c = new WriteModel();
    c.docs.putAll(docs);
    rows.forEach((id, r) -> c.rows.put(id, new Row(r.x(), new LinkedHashMap<>(r.labels()))));
    return c;
  }

  void addDocument(String key, float[] p, String color) {
    docs.put(key, new Doc(p, color));
  }

  void deleteDocument(String key) {
    docs.remove(key);
  }

  void deleteColor(String color) {
    docs.values().removeIf(d -> color.equals(d.color()));
  }

  void addLabels(String rowId, float[] x, Map<String, Float> labels) {
    Row row = rows.computeIfAbsent(rowId, id -> new Row(x, new LinkedHashMap<>()));
    if (Arrays.equals(row.x(), x) == false) {
      throw new IllegalStateException("row " + rowId + " added with a different vector");
    }
    labels.forEach((k, w) -> row.labels().merge(k, w, Float::sum));
  }

  /** Subtracts {@code weight} from a label the row holds; nothing when it does not hold it. */
  void removePair(String rowId, String key, float weight) {
    Row row = rows.get(rowId);
    if (row == null || row.labels().containsKey(key) == false) {
      return;
    }
    float w = row.labels().get(key) - weight;
    if (w <= 0) {
      row.labels().remove(key);
    } else {
      row.labels().put(key, w);
    }
    dropIfEmpty(rowId);
  }

  void removeLabel(String rowId, String key) {
    Row row = rows.get(rowId);
    if (row != null) {
      row.labels().remove(key);
      dropIfEmpty(rowId);
    }
  }

  void deleteRow(String rowId) {
    rows.remove(rowId);
  }

  private void dropIfEmpty(String rowId) {
    if (rows.get(rowId).labels().isEmpty()) {
      rows.remove(rowId);
    }
  }

  /**
   * The content the oracle ranks, with the doc ids of {@code reader}; fails unless the reader's
   * live keys are exactly this model's documents.
   */
  Content content(IndexReader reader, PefaSchema schema) throws IOException {
    List<Content.Doc> out = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (Map.Entry<Integer, String> e : Content.liveKeys(reader, schema).entrySet()) {
      Doc d = docs.get(e.getValue());
      if (d == null) {
        throw new AssertionError("the index holds key " + e.getValue() + ", which the model lacks");
      }
      if (seen.put(e.getValue(), e.getKey()) != null) {
        throw new AssertionError("the index holds key " + e.getValue() + " twice");
      }
      out.add(new Content.Doc(e.getKey(), e.getValue(), d.p(), d.color()));
    }
    if (out.size() != docs.size()) {
      TreeSet<String> missing = new TreeSet<>(docs.keySet());
      missing.removeAll(seen.keySet());
      throw new AssertionError("the index lacks documents " + missing);
    }
    List<Content.Row> rs = new ArrayList<>();
    rows.forEach((id, r) -> rs.add(new Content.Row(id, r.x(), new LinkedHashMap<>(r.labels()))));
    return new Content(out, rs);
  }

  /**
   * Asserts that what a reader holds ({@link Content#read}: keys, ERM vectors, colours, rows,
   * vectors, labels and weights) is exactly this model.
   */
  void assertSameAs(Content read, String ctx) {
    Map<String, Content.Doc> byKey = new HashMap<>();
    for (Content.Doc d : read.docs()) {
      if (byKey.put(d.key(), d) != null) {
        throw new AssertionError(ctx + ": key " + d.key() + " is live twice");
      }
    }
    if (byKey.keySet().equals(docs.keySet()) == false) {
      throw new AssertionError(
          ctx + ": documents differ\n  index " + new TreeSet<>(byKey.keySet()) + "\n  model "
              + new TreeSet<>(docs.keySet()));
    }
    docs.forEach(
        (key, d) -> {
          Content.Doc got = byKey.get(key);
          if (Arrays.equals(got.p(), d.p()) == false) {
            throw new AssertionError(ctx + ": document " + key + " has another ERM vector");
          }
          if (d.color() != null && d.color().equals(got.color()) == false) {
            throw new AssertionError(
                ctx + ": document " + key + " colour " + got.color() + " != " + d.color());
          }
        });
    Map<String, Content.Row> byId = new HashMap<>();
    for (Content.Row r : read.rows()) {
      if (byId.put(r.rowId(), r) != null) {
        throw new AssertionError(ctx + ": memory row " + r.rowId() + " is live twice");
      }
    }
    if (byId.keySet().equals(rows.keySet()) == false) {
      throw new AssertionError(
          ctx + ": memory rows differ\n  index " + new TreeSet<>(byId.keySet()) + "\n  model "
              + new TreeSet<>(rows.keySet()));
    }
    rows.forEach(
        (id, r) -> {
          Content.Row got = byId.get(id);
          if (Arrays.equals(got.x(), r.x()) == false) {
            throw new AssertionError(ctx + ": memory row " + id + " has another vector");
          }
          if (got.labels().equals(r.labels()) == false) {
            throw new AssertionError(
                ctx + ": memory row " + id + " labels " + got.labels() + " != " + r.labels());
          }
        });
  }
}
