package io.github.lucenepefa.search;

import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.search.LeafVectorSearch.ExactScore;
import io.github.lucenepefa.search.LeafVectorSearch.Hits;
import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TimeLimitingKnnCollectorManager;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.knn.KnnSearchStrategy;
import org.apache.lucene.search.knn.TopKnnCollectorManager;

/**
 * One segment's HNSW walk for a beam of candidates by the field's graph score, and the exact
 * rescoring of the candidates that can belong to the top k.
 */
final class GraphWalk {

  private GraphWalk() {}

  /**
   * Walks the segment's graph of {@code field} for the best {@code beam} vectors.
   *
   * @param reader the reader the field is searched in ({@link VectorField#reader})
   * @param visitLimit the most graph nodes visited before the walk stops early
   * @param seedDocs segment docs to start the walk from, or {@code null} for the graph's entry
   * @param timeout the searcher's timeout, or {@code null}
   * @return the beam's hits best first by the graph's score; the total hits count the nodes
   *     visited, and are a lower bound when the walk stopped early
   */
  static TopDocs walk(
      IndexSearcher searcher,
      LeafReaderContext ctx,
      LeafReader reader,
      VectorField field,
      FloatVectorValues values,
      float[] target,
      int beam,
      int visitLimit,
      int[] seedDocs,
      AcceptDocs accept,
      QueryTimeout timeout)
      throws IOException {
    KnnCollector collector =
        new TimeLimitingKnnCollectorManager(new TopKnnCollectorManager(beam, searcher), timeout)
            .newCollector(visitLimit, seedDocs == null ? null : seeded(values, seedDocs), ctx);
    field.searchGraph(reader, values, target, collector, accept);
    return collector.topDocs();
  }

  /**
   * The top {@code leafK} (with ties) of a walk's hits by the exact score.
   *
   * <p>Of the beam's hits, best first by Lucene's score, only those that can be in the exact top
   * {@code leafK} are rescored ({@link #rescoreCount}). They are read in the graph's order, which is
   * the exact order up to the rescoring margin, so the keys come nearly sorted (which the sort is
   * quick on). A quantized graph's scores are not within the margin of the exact ones: every
   * candidate of its beam (at least {@code ceil(factor * k)}) is rescored.
   *
   * @param td the walk's hits ({@link #walk})
   * @param quantization the field's quantization in the segment
   */
  static Hits rescore(
      TopDocs td,
      int leafK,
      FloatVectorValues values,
      PefaQuantization quantization,
      ExactScore exactScore)
      throws IOException {
    int[] docs =
        new int
            [quantization == PefaQuantization.NONE
                ? rescoreCount(td.scoreDocs, leafK, values.dimension())
                : td.scoreDocs.length];
    for (int i = 0; i < docs.length; i++) {
      docs[i] = td.scoreDocs[i].doc;
    }
    int[] ords = VectorOrdinals.ordinals(values, docs);
    long[] keys = new long[docs.length];
    int count = 0;
    for (int i = 0; i < docs.length; i++) {
      if (ords[i] >= 0) { // a graph hit always has a vector, but never return one without
        keys[count++] = HitKeys.key(exactScore.score(values.vectorValue(ords[i])), docs[i]);
      }
    }
    Arrays.sort(keys, 0, count);
    return Hits.ofKeys(keys, HitKeys.withTies(keys, count, leafK));
  }

  /**
   * How many of the graph search's hits (best first by the graph's score) are rescored: the first
   * {@code k}, and every later one whose graph score is within {@link
   * ExactVectorScan#rescoreMargin} of the {@code k}-th. The graph's score is a non-decreasing
   * function with slope at most 1 of an inner product that Lucene computes in its own summation
   * order; it differs from the exact score's by at most the summation error bound of both, so a hit
   * outside the margin cannot belong to the exact top {@code k}. With an ERM beam wider than K, or
   * a memory beam wider than k, this skips most of the beam's vector reads.
   */
  static int rescoreCount(ScoreDoc[] bestFirst, int k, int dimension) {
    if (bestFirst.length <= k) {
      return bestFirst.length;
    }
    float cutoff = bestFirst[k - 1].score - ExactVectorScan.rescoreMargin(dimension);
    int count = k;
    while (count < bestFirst.length && bestFirst[count].score >= cutoff) {
      count++;
    }
    return count;
  }

  /** A graph search strategy that starts from the vectors of {@code seedDocs} (segment docs). */
  private static KnnSearchStrategy seeded(FloatVectorValues values, int[] seedDocs)
      throws IOException {
    int[] ords = VectorOrdinals.ordinals(values, seedDocs);
    int count = 0;
    for (int ord : ords) {
      if (ord >= 0) {
        ords[count++] = ord;
      }
    }
    Arrays.sort(ords, 0, count);
    return new KnnSearchStrategy.Seeded(
        new OrdinalsIterator(ords, count), count, KnnSearchStrategy.Hnsw.DEFAULT);
  }

  /** Ascending vector ordinals as a doc id iterator (the form Lucene's seeded search takes). */
  private static final class OrdinalsIterator extends DocIdSetIterator {
    private final int[] ords;
    private final int count;
    private int i = -1;
    private int doc = -1;

    OrdinalsIterator(int[] ords, int count) {
      this.ords = ords;
      this.count = count;
    }

    @Override
    public int docID() {
      return doc;
    }

    @Override
    public int nextDoc() {
      i++;
      return doc = i < count ? ords[i] : NO_MORE_DOCS;
    }

    @Override
    public int advance(int target) throws IOException {
      return slowAdvance(target);
    }

    @Override
    public long cost() {
      return count;
    }
  }
}
