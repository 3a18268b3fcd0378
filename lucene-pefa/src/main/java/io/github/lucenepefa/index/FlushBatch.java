package io.github.lucenepefa.index;

import io.github.lucenepefa.index.IndexSnapshot.LeafDoc;
import io.github.lucenepefa.index.IndexSnapshot.Row;
import io.github.lucenepefa.scoring.PefaScoring;
import io.github.lucenepefa.scoring.PefaScoring.WeightedRow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.util.BytesRef;

/**
 * What one flush of a {@link PefaIndexWriter} writes, computed from its buffer and the index as the
 * {@link IndexSnapshot} shows it: the memory rows as the flush leaves them, and the documents to
 * (re)index with their PEFA-XS vectors.
 *
 * @param rows changed rows: their new state, or null for a deleted row
 * @param existingRows changed rows present in the index
 * @param docs documents to write, by key
 * @param existingKeys keys of those present in the index
 */
record FlushBatch(
    Map<String, Row> rows,
    Set<String> existingRows,
    Map<String, Document> docs,
    Set<String> existingKeys) {

  /**
   * The buffered changes of one memory row, relative to the row in the index. The calls on one label
   * compose to {@code w -> max(floor, w + delta)} of the weight {@code w} it has before the flush
   * (0 when the label was dropped): adding {@code a} is {@code floor += a, delta += a}, removing
   * {@code a} (never below 0) is {@code floor = max(0, floor - a), delta -= a}. So a flush gives the
   * weight the calls would give one by one, wherever flushes fall between them.
   */
  static final class RowOp {
    boolean replace; // start from no row, ignoring the one in the index
    float[] vector;
    final LinkedHashMap<String, float[]> labels = new LinkedHashMap<>(); // key -> {floor, delta}
    final Set<String> dropped = new LinkedHashSet<>(); // labels whose weight before is taken as 0

    float[] change(String key) {
      return labels.computeIfAbsent(key, k -> new float[2]);
    }
  }

  /** A buffered document: its ERM vector (or null) and its recorded application fields. */
  record PendingDoc(float[] vector, BytesRef source) {}

  /** Nothing in the index changes: brand-new rows and documents only. */
  boolean bulk() {
    return existingRows.isEmpty() && existingKeys.isEmpty() && rows.containsValue(null) == false;
  }

  /**
   * Computes the batch from the buffer and the snapshot. Changes nothing but a bad row's op, which
   * leaves {@code pendingRows} (with an {@link IllegalArgumentException}), and ops that change
   * nothing, which leave it silently.
   */
  static FlushBatch prepare(
      PefaSchema schema,
      IndexSnapshot snapshot,
      Map<String, RowOp> pendingRows,
      Map<String, PendingDoc> pendingDocs)
      throws IOException {
    // the rows as the flush leaves them, and the keys whose weights change
    Map<String, Row> rows = new LinkedHashMap<>();
    Set<String> existingRows = new HashSet<>();
    Set<String> affected = new LinkedHashSet<>();
    for (Map.Entry<String, RowOp> e : new ArrayList<>(pendingRows.entrySet())) {
      String rowId = e.getKey();
      RowOp op = e.getValue();
      LeafDoc live = snapshot.liveDoc(schema.rowTerm(rowId));
      Row before = live == null ? null : snapshot.readRow(live);
      if (live != null) {
        existingRows.add(rowId);
      }
      if (before != null
          && op.replace == false
          && op.vector != null
          && Arrays.equals(before.vector(), op.vector) == false) {
        pendingRows.remove(rowId); // discard the conflicting change so that the rest can be written
        throw new IllegalArgumentException(
            "training query '" + rowId + "' exists in the index with a different vector");
      }
      Map<String, Float> labels = new LinkedHashMap<>();
      if (before != null && op.replace == false) {
        labels.putAll(before.labels());
      }
      for (Map.Entry<String, float[]> c : op.labels.entrySet()) {
        String key = c.getKey();
        float base = op.dropped.contains(key) ? 0f : labels.getOrDefault(key, 0f);
        float w = Math.max(c.getValue()[0], base + c.getValue()[1]);
        if (Float.isFinite(w) == false) {
          pendingRows.remove(rowId); // discard the bad change so that the rest can be written
          throw new IllegalArgumentException(
              "training query '" + rowId + "': the weight of document '" + key
                  + "' would exceed what a float holds; its buffered change is discarded");
        }
        if (w > 0f) {
          labels.put(key, w);
        } else {
          labels.remove(key);
        }
      }
      float[] vector = op.vector != null ? op.vector : before == null || op.replace ? null : before.vector();
      Row after = vector == null || labels.isEmpty() ? null : new Row(vector, labels);
      if (after == null && live == null) {
        pendingRows.remove(rowId); // nothing to delete, nothing to add: a change of nothing
        continue;
      }
      rows.put(rowId, after);
      Map<String, Float> old = before == null ? Map.of() : before.labels();
      Map<String, Float> now = after == null ? Map.of() : after.labels();
      for (String k : old.keySet()) {
        if (old.get(k).equals(now.get(k)) == false) {
          affected.add(k);
        }
      }
      for (String k : now.keySet()) {
        if (now.get(k).equals(old.get(k)) == false) {
          affected.add(k);
        }
      }
    }
    affected.addAll(pendingDocs.keySet());
    Map<String, List<WeightedRow>> changedByKey = new HashMap<>();
    for (Map.Entry<String, Row> e : rows.entrySet()) {
      Row row = e.getValue();
      if (row != null) {
        for (Map.Entry<String, Float> label : row.labels().entrySet()) {
          changedByKey
              .computeIfAbsent(label.getKey(), k -> new ArrayList<>(1))
              .add(new WeightedRow(e.getKey(), row.vector(), label.getValue()));
        }
      }
    }

    // the documents: buffered ones, and those in the index whose PEFA-XS vector changes
    Map<String, Document> docs = new LinkedHashMap<>();
    Set<String> existingKeys = new HashSet<>();
    int dim = schema.dimension();
    for (String key : affected) {
      PendingDoc pending = pendingDocs.get(key);
      List<LeafDoc> live = snapshot.liveDocs(schema.keyTerm(key));
      if (pending == null && live.isEmpty()) {
        continue; // a label of a document that does not exist (yet)
      }
      float[] u =
          PefaScoring.labelCentroid(rowsLabelling(schema, snapshot, key, rows, changedByKey), dim);
      if (pending != null) {
        if (live.isEmpty() == false) {
          existingKeys.add(key);
        }
        docs.put(key, document(schema, key, pending.vector(), u, pending.source()));
        continue;
      }
      for (LeafDoc d : live) {
        float[] p = IndexSnapshot.vector(d, schema.ermField());
        if (p == null || xsUnchanged(schema, d, p, u)) {
          continue; // no PEFA-XS vector, or the same one
        }
        existingKeys.add(key);
        docs.put(key, document(schema, key, p, u, snapshot.source(d)));
      }
    }
    return new FlushBatch(rows, existingRows, docs, existingKeys);
  }

  /**
   * The rows labelling {@code key} after the flush: those in the index that the flush leaves as
   * they are, then the flush's own ({@code changedByKey}, the changed rows by labelled key).
   */
  private static List<WeightedRow> rowsLabelling(
      PefaSchema schema,
      IndexSnapshot snapshot,
      String key,
      Map<String, Row> changed,
      Map<String, List<WeightedRow>> changedByKey)
      throws IOException {
    List<WeightedRow> out = new ArrayList<>();
    for (LeafDoc d : snapshot.liveDocs(new Term(schema.labelKeyField(), key))) {
      Row row = snapshot.readRow(d);
      if (row == null) {
        continue;
      }
      String rowId = snapshot.rowIdOf(d);
      if (changed.containsKey(rowId) == false) {
        out.add(new WeightedRow(rowId, row.vector(), row.labels().get(key)));
      }
    }
    out.addAll(changedByKey.getOrDefault(key, List.of()));
    return out;
  }

  /**
   * Whether the document's stored PEFA-XS vector is that of {@code u} already (PEFA-XS at every
   * lambda is computed from it and {@code p_d}, so nothing else can differ).
   */
  private static boolean xsUnchanged(PefaSchema schema, LeafDoc d, float[] p, float[] u)
      throws IOException {
    float[] e = PefaScoring.xsDocumentVector(p, u, schema.xsLambda());
    return Arrays.equals(e, IndexSnapshot.vector(d, schema.xsVectorField()));
  }

  private static Document document(
      PefaSchema schema, String key, float[] p, float[] u, BytesRef source) {
    Document doc = new Document();
    for (IndexableField f : DocumentSource.decode(source)) {
      doc.add(f);
    }
    if (source != null) {
      doc.add(new StoredField(schema.sourceField(), source));
    }
    return schema.addDocumentFields(doc, key, p, u);
  }
}
