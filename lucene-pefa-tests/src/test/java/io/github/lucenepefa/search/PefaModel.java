package io.github.lucenepefa.search;

import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.oracle.Content;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.IndexReader;

/**
 * The test's own record of what it wrote to a PEFA index (documents added, updated and deleted;
 * training pairs added and removed; rows deleted), with PefaIndexWriter's documented merge
 * semantics. The index is consulted only for the global doc id of each live key (the tie-break
 * order); everything else the oracle needs comes from here.
 */
final class PefaModel {

  /** A document as the test wrote it. */
  record Doc(float[] p, String color) {}

  /** A memory row as the test wrote it. */
  static final class Row {
    final String id;
    final float[] x;
    final LinkedHashMap<String, Float> labels = new LinkedHashMap<>();

    Row(String id, float[] x) {
      this.id = id;
      this.x = x;
    }
  }

  final Map<String, Doc> docs = new LinkedHashMap<>();
  final Map<String, Row> rows = new LinkedHashMap<>();

  void addRow(String id, float[] x, Map<String, Float> labels) {
    Row row = rows.computeIfAbsent(id, i -> new Row(i, x));
    labels.forEach((k, w) -> row.labels.merge(k, w, Float::sum));
    dropIfEmpty(id);
  }

  void removePair(String id, String key, float weight) {
    Row row = rows.get(id);
    if (row != null && row.labels.containsKey(key)) {
      float w = row.labels.get(key) - weight;
      if (w <= 0) {
        row.labels.remove(key);
      } else {
        row.labels.put(key, w);
      }
      dropIfEmpty(id);
    }
  }

  void removeLabel(String id, String key) {
    Row row = rows.get(id);
    if (row != null) {
      row.labels.remove(key);
      dropIfEmpty(id);
    }
  }

  private void dropIfEmpty(String id) {
    if (rows.get(id).labels.isEmpty()) {
      rows.remove(id);
    }
  }

  void addDoc(String key, float[] p, String color) {
    docs.put(key, new Doc(p, color));
  }

  void deleteDoc(String key) {
    docs.remove(key);
  }

  /** The content the oracle ranks, with the doc ids of {@code reader}. */
  Content content(IndexReader reader, PefaSchema schema) throws IOException {
    List<Content.Doc> out = new ArrayList<>();
    for (Map.Entry<Integer, String> e : Content.liveKeys(reader, schema).entrySet()) {
      Doc d = docs.get(e.getValue());
      if (d == null) {
        throw new AssertionError("the index holds key " + e.getValue() + ", which the test deleted");
      }
      out.add(new Content.Doc(e.getKey(), e.getValue(), d.p(), d.color()));
    }
    if (out.size() != docs.size()) {
      throw new AssertionError(
          "the index holds " + out.size() + " live documents, the test wrote " + docs.size());
    }
    List<Content.Row> rs = new ArrayList<>();
    for (Row r : rows.values()) {
      rs.add(new Content.Row(r.id, r.x, new LinkedHashMap<>(r.labels)));
    }
    return new Content(out, rs);
  }
}
