package io.github.lucenepefa.search;

import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.PefaScoring;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.Bits;

/**
 * The test's own model of a PEFA index (what was added, updated and deleted) and a brute-force
 * oracle of PEFA-XL and PEFA-XS over it. It uses only the raw vectors the test generated and the
 * formulas of {@link PefaScoring}: no HNSW, no index vectors. The index is consulted only for the
 * global doc id of each live key (the tie-break order).
 */
final class PefaModel {

  /** A document as the test wrote it. */
  static final class Doc {
    final float[] p;
    final String color;
    float[] xsPair; // computed when the document was flushed

    Doc(float[] p, String color) {
      this.p = p;
      this.color = color;
    }
  }

  /** A memory row as the test wrote it. */
  static final class Row implements PefaScoring.LabelledRow {
    final String id;
    final float[] x;
    final LinkedHashMap<String, Float> labels = new LinkedHashMap<>();
    float sim;

    Row(String id, float[] x) {
      this.id = id;
      this.x = x;
    }

    @Override
    public String rowId() {
      return id;
    }

    @Override
    public float similarity() {
      return sim;
    }

    @Override
    public Map<String, Float> labels() {
      return labels;
    }
  }

  final int dim;
  final Map<String, Doc> docs = new LinkedHashMap<>();
  final Map<String, Row> rows = new LinkedHashMap<>();
  final Set<String> unflushed = new HashSet<>();

  PefaModel(int dim) {
    this.dim = dim;
  }

  void addRow(String id, float[] x, Map<String, Float> labels) {
    Row row = rows.computeIfAbsent(id, i -> new Row(i, x));
    labels.forEach((k, w) -> row.labels.merge(k, w, Float::sum));
  }

  void removeLabel(String id, String key) {
    Row row = rows.get(id);
    if (row != null) {
      row.labels.remove(key);
      if (row.labels.isEmpty()) {
        rows.remove(id);
      }
    }
  }

  void addDoc(String key, float[] p, String color) {
    docs.put(key, new Doc(p, color));
    unflushed.add(key);
  }

  void deleteDoc(String key) {
    docs.remove(key);
    unflushed.remove(key);
  }

  /** Mirrors PefaIndexWriter.flush(): pending docs get their XS pair from the current rows. */
  void flush() {
    for (String key : unflushed) {
      Doc d = docs.get(key);
      if (d == null || d.p == null) {
        continue;
      }
      List<PefaScoring.WeightedRow> labelling = new ArrayList<>();
      for (Row r : rows.values()) {
        Float w = r.labels.get(key);
        if (w != null) {
          labelling.add(new PefaScoring.WeightedRow(r.id, r.x, w));
        }
      }
      d.xsPair = PefaScoring.xsPair(d.p, PefaScoring.labelCentroid(labelling, dim));
    }
    unflushed.clear();
  }

  /** Live keys by global doc id, from the index (the only thing read from it). */
  static Map<Integer, String> liveKeys(IndexReader reader, PefaSchema schema) throws IOException {
    Map<Integer, String> out = new LinkedHashMap<>();
    for (LeafReaderContext ctx : reader.leaves()) {
      SortedDocValues keys = ctx.reader().getSortedDocValues(schema.keyField());
      if (keys == null) {
        continue;
      }
      Bits live = ctx.reader().getLiveDocs();
      for (int d = keys.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = keys.nextDoc()) {
        if (live == null || live.get(d)) {
          out.put(ctx.docBase + d, keys.lookupOrd(keys.ordValue()).utf8ToString());
        }
      }
    }
    return out;
  }

  List<Row> neighbours(float[] q, int k) {
    List<Row> all = new ArrayList<>(rows.values());
    for (Row r : all) {
      r.sim = PefaScoring.similarity(q, r.x);
    }
    return PefaScoring.topNeighbours(all, k);
  }

  ScoreDoc[] xl(
      Map<Integer, String> liveKeys,
      float[] q,
      float lambda,
      int k,
      int topK,
      KnnNormalization norm,
      ErmScoreMode mode,
      Predicate<Doc> filter,
      int n) {
    Map<String, Float> knn = PefaScoring.knnScores(neighbours(q, k), io.github.lucenepefa.scoring.KnnVote.similarity(k, norm));
    List<ScoreDoc> erm = new ArrayList<>();
    for (Map.Entry<Integer, String> e : liveKeys.entrySet()) {
      Doc d = docs.get(e.getValue());
      if (d != null && d.p != null && filter.test(d)) {
        erm.add(new ScoreDoc(e.getKey(), PefaScoring.similarity(q, d.p)));
      }
    }
    erm.sort(PefaModel::compare);
    Set<Integer> topKDocs = new HashSet<>();
    for (int i = 0; i < Math.min(topK, erm.size()); i++) {
      topKDocs.add(erm.get(i).doc);
    }
    List<ScoreDoc> scored = new ArrayList<>();
    for (ScoreDoc sd : erm) {
      String key = liveKeys.get(sd.doc);
      boolean inTopK = topKDocs.contains(sd.doc);
      if (inTopK == false && knn.containsKey(key) == false) {
        continue;
      }
      float ermPart = mode == ErmScoreMode.EXACT || inTopK ? sd.score : 0f;
      scored.add(new ScoreDoc(sd.doc, PefaScoring.xlScore(lambda, ermPart, knn.getOrDefault(key, 0f))));
    }
    scored.sort(PefaModel::compare);
    return scored.subList(0, Math.min(n, scored.size())).toArray(ScoreDoc[]::new);
  }

  ScoreDoc[] xs(Map<Integer, String> liveKeys, float[] q, float lambda, Predicate<Doc> filter, int n) {
    List<ScoreDoc> scored = new ArrayList<>();
    for (Map.Entry<Integer, String> e : liveKeys.entrySet()) {
      Doc d = docs.get(e.getValue());
      if (d != null && d.p != null && filter.test(d)) {
        scored.add(new ScoreDoc(e.getKey(), PefaScoring.xsScore(q, PefaScoring.xsDocumentVector(d.xsPair, lambda, new float[dim]))));
      }
    }
    scored.sort(PefaModel::compare);
    return scored.subList(0, Math.min(n, scored.size())).toArray(ScoreDoc[]::new);
  }

  static int compare(ScoreDoc a, ScoreDoc b) {
    if (a.score != b.score) {
      return a.score > b.score ? -1 : 1;
    }
    return Integer.compare(a.doc, b.doc);
  }
}
