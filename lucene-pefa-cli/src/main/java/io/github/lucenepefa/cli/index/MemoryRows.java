package io.github.lucenepefa.cli.index;

import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.TrainingLabels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;

/** The training memory of an index as row id → labels, and the writes that turn one memory into another. */
public final class MemoryRows {

  private MemoryRows() {}

  /**
   * Reads the live memory rows of an index.
   *
   * @param reader a reader of the whole index (memory rows included)
   * @return row id → (document key → weight), sorted by row id
   * @throws IOException on I/O errors
   */
  public static Map<String, Map<String, Float>> read(DirectoryReader reader) throws IOException {
    PefaSchema schema = PefaSchema.read(reader);
    Map<String, Map<String, Float>> rows = new TreeMap<>();
    for (LeafReaderContext ctx : reader.leaves()) {
      BinaryDocValues bdv = ctx.reader().getBinaryDocValues(schema.labelsField());
      if (bdv == null) {
        continue;
      }
      Bits live = ctx.reader().getLiveDocs();
      for (int doc = bdv.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = bdv.nextDoc()) {
        if (live == null || live.get(doc)) {
          TrainingLabels labels = TrainingLabels.decode(bdv.binaryValue());
          rows.put(labels.rowId(), new TreeMap<>(labels.weights()));
        }
      }
    }
    return rows;
  }

  /**
   * What turns memory {@code have} into memory {@code want}.
   *
   * @param have the index's rows
   * @param want the rows wanted
   * @return the writes
   */
  public static Diff diff(Map<String, Map<String, Float>> have, Map<String, MemoryRow> want) {
    List<String> deleted = new ArrayList<>();
    for (String id : have.keySet()) {
      if (!want.containsKey(id)) {
        deleted.add(id);
      }
    }
    List<MemoryRow> added = new ArrayList<>();
    List<MemoryRow> changed = new ArrayList<>(); // rows of both, with the weight deltas as labels
    for (MemoryRow r : want.values()) {
      Map<String, Float> old = have.get(r.rowId());
      if (old == null) {
        added.add(r);
        continue;
      }
      Set<String> keys = new LinkedHashSet<>(r.labels().keySet());
      keys.addAll(old.keySet());
      Map<String, Float> delta = new LinkedHashMap<>();
      for (String k : keys) {
        float d = r.labels().getOrDefault(k, 0f) - old.getOrDefault(k, 0f);
        if (d != 0) {
          delta.put(k, d);
        }
      }
      if (!delta.isEmpty()) {
        changed.add(new MemoryRow(r.rowId(), r.text(), delta));
      }
    }
    return new Diff(deleted, added, changed);
  }

  /**
   * The writes between two memories.
   *
   * @param deleted rows to delete
   * @param added rows to add, with their labels
   * @param changed rows of both, their labels being the weight changes (positive: pairs added, negative: removed)
   */
  public record Diff(List<String> deleted, List<MemoryRow> added, List<MemoryRow> changed) {

    /** @return the rows whose vectors {@link #apply} needs, in its order: added rows, then changed rows that gain weight */
    public List<MemoryRow> rowsNeedingVectors() {
      List<MemoryRow> out = new ArrayList<>(added);
      for (MemoryRow r : changed) {
        if (r.labels().values().stream().anyMatch(w -> w > 0)) {
          out.add(r);
        }
      }
      return out;
    }

    /**
     * Buffers the writes on a writer (the caller commits).
     *
     * @param w the writer
     * @param vectors the vectors of {@link #rowsNeedingVectors()}, in its order
     * @throws java.io.IOException when a flush of the writer's full buffer fails
     */
    public void apply(PefaIndexWriter w, float[][] vectors) throws java.io.IOException {
      for (String id : deleted) {
        w.deleteTrainingQuery(id);
      }
      int v = 0;
      for (MemoryRow r : added) {
        w.addTrainingQuery(r.rowId(), vectors[v++], r.labels());
      }
      for (MemoryRow r : changed) {
        boolean gains = r.labels().values().stream().anyMatch(x -> x > 0);
        float[] vector = gains ? vectors[v++] : null;
        for (Map.Entry<String, Float> e : r.labels().entrySet()) {
          if (e.getValue() > 0) {
            w.addTrainingPair(r.rowId(), vector, e.getKey(), e.getValue());
          } else {
            w.removeTrainingPair(r.rowId(), e.getKey(), -e.getValue());
          }
        }
      }
    }

    /** @return counts of the writes */
    public String summary() {
      int plus = 0;
      int minus = 0;
      for (MemoryRow r : changed) {
        for (float x : r.labels().values()) {
          if (x > 0) {
            plus++;
          } else {
            minus++;
          }
        }
      }
      return String.format(Locale.ROOT, "%d rows added, %d deleted, %d changed (%d labels gained weight, %d lost)",
          added.size(), deleted.size(), changed.size(), plus, minus);
    }
  }
}
