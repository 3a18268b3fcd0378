package io.github.lucenepefa.search;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;

/**
 * Top-k search of one segment's vector field, by HNSW or by exact scan, with every returned hit
 * rescored exactly by the caller's formula. Ties are broken by doc id.
 */
final class LeafVectorSearch {

  /** The exact score of a stored vector. */
  interface ExactScore {
    float score(float[] stored);
  }

  /** A segment-local hit. */
  record Hit(int doc, float score) {}


  private LeafVectorSearch() {}

  /**
   * Searches one vector field in every segment (in parallel on the searcher's executor) and merges
   * to the global top {@code want}, score descending then doc id ascending.
   */
  static org.apache.lucene.search.ScoreDoc[] searchAll(
      org.apache.lucene.search.IndexSearcher searcher,
      String field,
      float[] target,
      int want,
      AnnEffort effort,
      Weight filterWeight,
      ExactScore score)
      throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    List<java.util.concurrent.Callable<List<ScoreDoc>>> tasks = new ArrayList<>(leaves.size());
    for (LeafReaderContext ctx : leaves) {
      tasks.add(
          () -> {
            List<Hit> hits = search(ctx, field, target, want, effort, filterWeight, score);
            List<ScoreDoc> out = new ArrayList<>(hits.size());
            for (Hit h : hits) {
              out.add(new ScoreDoc(ctx.docBase + h.doc(), h.score()));
            }
            return out;
          });
    }
    List<ScoreDoc> all = new ArrayList<>();
    for (List<ScoreDoc> part : searcher.getTaskExecutor().invokeAll(tasks)) {
      all.addAll(part);
    }
    return PefaRescoringCollectorManager.topN(all, want, all.size()).scoreDocs;
  }

  static List<Hit> search(
      LeafReaderContext ctx,
      String field,
      float[] target,
      int k,
      AnnEffort effort,
      Weight filterWeight,
      ExactScore exactScore)
      throws IOException {
    LeafReader reader = ctx.reader();
    FieldInfo fi = reader.getFieldInfos().fieldInfo(field);
    if (fi == null || fi.getVectorDimension() == 0) {
      return List.of();
    }
    FloatVectorValues values = reader.getFloatVectorValues(field);
    if (values == null || values.size() == 0) {
      return List.of();
    }
    Bits live = reader.getLiveDocs();
    AcceptDocs accept =
        filterWeight == null
            ? AcceptDocs.fromLiveDocs(live, reader.maxDoc())
            : AcceptDocs.fromIteratorSupplier(
                () -> {
                  Scorer s = filterWeight.scorer(ctx);
                  return s == null ? DocIdSetIterator.empty() : s.iterator();
                },
                live,
                reader.maxDoc());
    int beam = Math.max(k, effort.efSearch());
    boolean exhaustive = effort.scansExactly(values.size(), k);
    if (exhaustive == false && filterWeight != null && accept.cost() <= beam) {
      exhaustive = true;
    }
    if (exhaustive == false) {
      int visitLimit = filterWeight == null ? Integer.MAX_VALUE : accept.cost() + 1;
      TopKnnCollector collector = new TopKnnCollector(beam, visitLimit);
      reader.searchNearestVectors(field, target, collector, accept);
      TopDocs td = collector.topDocs();
      boolean complete =
          td.totalHits.relation() == TotalHits.Relation.EQUAL_TO
              && (td.scoreDocs.length >= k || (filterWeight == null && live == null));
      if (complete) {
        int[] docs = new int[td.scoreDocs.length];
        int i = 0;
        for (ScoreDoc sd : td.scoreDocs) {
          docs[i++] = sd.doc;
        }
        Arrays.sort(docs);
        List<Hit> hits = new ArrayList<>(docs.length);
        KnnVectorValues.DocIndexIterator it = values.iterator();
        for (int doc : docs) {
          if (it.advance(doc) == doc) {
            hits.add(new Hit(doc, exactScore.score(values.vectorValue(it.index()))));
          }
        }
        hits.sort(LeafVectorSearch::compare);
        return hits.size() > k ? new ArrayList<>(hits.subList(0, k)) : hits;
      }
    }
    return exactScan(values, accept.bits(), k, exactScore);
  }

  /**
   * Exact top-k. Hits tied with the k-th score are all returned (beyond k), so that a caller whose
   * global order breaks ties by something other than doc id (the memory's row id) still sees every
   * tied row.
   */
  private static List<Hit> exactScan(FloatVectorValues values, Bits accept, int k, ExactScore score)
      throws IOException {
    // min-heap on (score, -doc): the head is the worst kept hit
    PriorityQueue<Hit> heap = new PriorityQueue<>(k + 1, (a, b) -> compare(b, a));
    List<Hit> tiedWithMin = new ArrayList<>();
    KnnVectorValues.DocIndexIterator it = values.iterator();
    for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
      if (accept != null && accept.get(doc) == false) {
        continue;
      }
      float s = score.score(values.vectorValue(it.index()));
      if (heap.size() < k) {
        heap.add(new Hit(doc, s));
      } else if (s > heap.peek().score()) {
        Hit evicted = heap.poll();
        heap.add(new Hit(doc, s));
        if (heap.peek().score() == evicted.score()) {
          tiedWithMin.add(evicted);
        } else {
          tiedWithMin.clear();
        }
      } else if (s == heap.peek().score()) {
        tiedWithMin.add(new Hit(doc, s));
      }
    }
    List<Hit> hits = new ArrayList<>(heap);
    if (heap.isEmpty() == false) {
      float min = heap.peek().score();
      for (Hit h : tiedWithMin) {
        if (h.score() == min) {
          hits.add(h);
        }
      }
    }
    hits.sort(LeafVectorSearch::compare);
    return hits;
  }

  /** Score descending, then doc ascending. */
  static int compare(Hit a, Hit b) {
    if (a.score() != b.score()) {
      return a.score() > b.score() ? -1 : 1;
    }
    return Integer.compare(a.doc(), b.doc());
  }
}
