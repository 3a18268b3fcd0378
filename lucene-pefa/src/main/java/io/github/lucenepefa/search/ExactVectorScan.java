package io.github.lucenepefa.search;

import io.github.lucenepefa.search.LeafVectorSearch.ExactScore;
import io.github.lucenepefa.search.LeafVectorSearch.Hits;
import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.search.DocAndFloatFeatureBuffer;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.LongHeap;
import org.apache.lucene.util.NumericUtils;

/**
 * The exact top k of one segment's vector field: every accepted vector is scored, always from the
 * float vectors ({@link FloatVectorValues#rescorer}), so that an exhaustive search equals brute
 * force whatever the field's quantization.
 */
final class ExactVectorScan {

  /**
   * An exact scan's hits and the number of vectors it scored.
   *
   * @param hits the exact top k with ties, score descending then doc ascending
   * @param scored the vectors scored by the field's vector scorer
   */
  record Scan(Hits hits, long scored) {}

  private ExactVectorScan() {}

  /**
   * Exact top-k. Hits tied with the k-th score are all returned (beyond k), so that a caller whose
   * global order breaks ties by something other than doc id (the memory's row id) still sees every
   * tied row.
   *
   * <p>Two passes: {@link #scanCandidates} scores every vector with the field's float vector scorer
   * (the one an unquantized graph search uses: SIMD over the stored bytes, in bulk, no copies;
   * {@link FloatVectorValues#rescorer}, which reads the float vectors of a quantized field too) and
   * keeps the vectors within {@link #rescoreMargin} of its k-th score, which holds every vector of
   * the exact top k (the argument of {@link GraphWalk#rescoreCount}); only those are read and
   * scored by the caller's formula.
   */
  static Scan search(
      FloatVectorValues values,
      float[] target,
      Bits accept,
      int k,
      int dimension,
      ExactScore score,
      QueryTimeout timeout)
      throws IOException {
    long[] scored = new long[1];
    int[] candidates = scanCandidates(values, target, accept, k, dimension, scored, timeout);
    // min-heap of ~key: its top is the worst kept hit (the largest key)
    LongHeap heap = new LongHeap(Math.max(1, Math.min(k, values.size())));
    long[] tied = new long[8]; // rejected or evicted hits tied with the worst kept score
    int tiedCount = 0;
    int[] ords = VectorOrdinals.ordinals(values, candidates);
    for (int c = 0; c < candidates.length; c++) {
      int doc = candidates[c];
      float s = score.score(values.vectorValue(ords[c])) + 0f;
      long key = HitKeys.key(s, doc);
      if (heap.size() < k) {
        heap.push(~key);
        continue;
      }
      long worst = ~heap.top();
      float worstScore = HitKeys.scoreOf(worst);
      if (s > worstScore) {
        heap.updateTop(~key);
        long evicted = worst;
        if (HitKeys.scoreOf(~heap.top()) == worstScore) {
          tied = ArrayUtil.grow(tied, tiedCount + 1);
          tied[tiedCount++] = evicted;
        } else {
          tiedCount = 0;
        }
      } else if (s == worstScore) {
        tied = ArrayUtil.grow(tied, tiedCount + 1);
        tied[tiedCount++] = key;
      }
    }
    int kept = heap.size();
    long[] keys = new long[kept + tiedCount];
    for (int i = 0; i < kept; i++) {
      keys[i] = ~heap.pop();
    }
    int count = kept;
    if (kept > 0) {
      float min = HitKeys.scoreOf(keys[0]); // popped worst (largest key) first
      for (int i = 0; i < tiedCount; i++) {
        if (HitKeys.scoreOf(tied[i]) == min) {
          keys[count++] = tied[i];
        }
      }
    }
    Arrays.sort(keys, 0, count);
    return new Scan(Hits.ofKeys(keys, count), scored[0]);
  }

  /**
   * Twice a bound on the difference of two float inner products of the same vectors summed in
   * different orders ({@code 2 * 2 * gamma_n}, {@code gamma_n ~ n * 2^-24}, for vectors of norm at
   * most 1), plus rounding of the graph score's transform: {@code (8 n + 16) * 2^-24}, about
   * 1.8e-4 at 384 dimensions.
   */
  static float rescoreMargin(int dimension) {
    return (8f * dimension + 16f) * 0x1p-24f;
  }

  /**
   * The first pass of {@link #search}: the accepted docs, ascending, whose score by the field's
   * vector scorer lies within {@link #rescoreMargin} of the {@code k}-th best such score (none when
   * the field has no vector scorer, as in Lucene's exact search).
   *
   * <p>A doc is kept when its score reaches the running k-th best score minus the margin; the
   * running k-th only rises, so that keeps a superset of the final set, which a last pass trims.
   */
  static int[] scanCandidates(
      FloatVectorValues values, float[] target, Bits accept, int k, int dimension)
      throws IOException {
    return scanCandidates(values, target, accept, k, dimension, new long[1], null);
  }

  /** {@link #scanCandidates}, adding the number of vectors scored to {@code scored[0]}. */
  private static int[] scanCandidates(
      FloatVectorValues values,
      float[] target,
      Bits accept,
      int k,
      int dimension,
      long[] scored,
      QueryTimeout timeout)
      throws IOException {
    // the float vectors' scorer: a quantized field's scorer() scores its quantized copies
    VectorScorer scorer = values.rescorer(target);
    if (scorer == null) {
      return new int[0];
    }
    float margin = rescoreMargin(dimension);
    VectorScorer.Bulk bulk = scorer.bulk(null);
    DocAndFloatFeatureBuffer batch = new DocAndFloatFeatureBuffer();
    // min-heap of sortable scores: its top is the running k-th best score
    LongHeap best = new LongHeap(Math.max(1, Math.min(k, values.size())));
    int[] docs = new int[(int) Math.min(values.size(), 2L * k + 64)];
    float[] scores = new float[docs.length];
    int count = 0;
    float threshold = Float.NEGATIVE_INFINITY;
    while (true) {
      if (timeout != null && timeout.shouldExit()) {
        break; // out of time: what was scanned so far
      }
      bulk.nextDocsAndScores(DocIdSetIterator.NO_MORE_DOCS, accept, batch);
      if (batch.size == 0) {
        break;
      }
      scored[0] += batch.size;
      for (int i = 0; i < batch.size; i++) {
        float s = batch.features[i];
        if (s < threshold) {
          continue;
        }
        if (count == docs.length) {
          docs = ArrayUtil.grow(docs, count + 1);
          scores = ArrayUtil.growExact(scores, docs.length);
        }
        docs[count] = batch.docs[i];
        scores[count++] = s;
        if (best.size() < k) {
          best.push(NumericUtils.floatToSortableInt(s));
        } else if (s > NumericUtils.sortableIntToFloat((int) best.top())) {
          best.updateTop(NumericUtils.floatToSortableInt(s));
        } else {
          continue;
        }
        if (best.size() == k) {
          threshold = NumericUtils.sortableIntToFloat((int) best.top()) - margin;
        }
      }
    }
    int kept = 0;
    for (int i = 0; i < count; i++) {
      if (scores[i] >= threshold) {
        docs[kept++] = docs[i];
      }
    }
    return ArrayUtil.copyOfSubArray(docs, 0, kept);
  }
}
