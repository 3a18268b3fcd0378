package io.github.lucenepefa.search;

import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.PefaScoring;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.Collector;
import org.apache.lucene.search.CollectorManager;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.util.ArrayUtil;

/**
 * The PEFA-XL rescoring collector: for every collected candidate document it computes {@code lam *
 * s_erm(q,d) + (1 - lam) * s_knn(q,d)} with {@link PefaScoring#xlScore}, where {@code s_erm} is the
 * exact {@code <q,p_d>} read from the ERM vector field (or 0 outside the ERM top-K in {@link
 * ErmScoreMode#TOP_K_ONLY}) and {@code s_knn} comes from a lookup by global doc id; it keeps the top
 * {@code n} by score, ties broken by doc id. Documents without an ERM vector are skipped. The scores
 * of whatever feeds it are ignored, so it can collect any candidate query; {@link XlCandidates}
 * feeds it the ERM top-K united with the labelled documents.
 */
final class PefaRescoringCollectorManager
    implements CollectorManager<PefaRescoringCollectorManager.RescoringCollector, TopDocs> {

  /** The kNN part of a document. */
  @FunctionalInterface
  interface KnnByDoc {
    /**
     * @param globalDoc a global doc id
     * @return {@code s_knn(q,d)}, 0 when no neighbour labels the document
     */
    float knn(int globalDoc);
  }

  private final PefaSchema schema;
  private final float[] query;
  private final float lambda;
  private final ErmScoreMode ermScoreMode;
  private final int[] ermTopKDocs;
  private final float[] ermTopKScores; // null: read every candidate's vector
  private final KnnByDoc knnByDoc;
  private final int n;

  /**
   * Creates the manager. When {@code ermTopKScores} is given, the ERM part of the ERM top-K
   * documents is taken from it instead of reading their vectors again (the ERM search computed them
   * with {@link PefaScoring#similarity}, so they are the same floats); other candidates' vectors are
   * read.
   *
   * @param schema the index layout
   * @param query the query vector {@code q}
   * @param lambda weight of the ERM part
   * @param ermScoreMode EXACT or TOP_K_ONLY
   * @param ermTopKDocs global doc ids of the ERM top-K, ascending (used by TOP_K_ONLY)
   * @param ermTopKScores {@code <q,p_d>} of each of {@code ermTopKDocs}, or {@code null}
   * @param knnByDoc {@code s_knn} by global doc id
   * @param n number of results to keep
   */
  PefaRescoringCollectorManager(
      PefaSchema schema,
      float[] query,
      float lambda,
      ErmScoreMode ermScoreMode,
      int[] ermTopKDocs,
      float[] ermTopKScores,
      KnnByDoc knnByDoc,
      int n) {
    if (ermTopKScores != null && ermTopKScores.length != ermTopKDocs.length) {
      throw new IllegalArgumentException(
          "ermTopKScores must have one score per ERM top-K doc: "
              + ermTopKScores.length
              + " != "
              + ermTopKDocs.length);
    }
    this.ermTopKScores = ermTopKScores;
    this.schema = schema;
    this.query = query;
    this.lambda = lambda;
    this.ermScoreMode = ermScoreMode;
    this.ermTopKDocs = ermTopKDocs;
    this.knnByDoc = knnByDoc;
    this.n = n;
  }

  @Override
  public RescoringCollector newCollector() {
    return new RescoringCollector();
  }

  @Override
  public TopDocs reduce(Collection<RescoringCollector> collectors) {
    int size = 0;
    long total = 0;
    for (RescoringCollector c : collectors) {
      size += c.size;
      total += c.collected;
    }
    long[] all = new long[size];
    int at = 0;
    for (RescoringCollector c : collectors) {
      System.arraycopy(c.keys, 0, all, at, c.size);
      at += c.size;
    }
    Arrays.sort(all);
    ScoreDoc[] top = new ScoreDoc[Math.min(n, size)];
    for (int i = 0; i < top.length; i++) {
      top[i] = new ScoreDoc(HitKeys.docOf(all[i]), HitKeys.scoreOf(all[i]));
    }
    return new TopDocs(new TotalHits(total, TotalHits.Relation.EQUAL_TO), top);
  }

  /**
   * The ERM part of one document.
   *
   * @param globalDoc its global doc id
   * @param p its ERM vector
   * @return {@code <q,p>}, or 0 outside the ERM top-K in TOP_K_ONLY mode
   */
  float erm(int globalDoc, float[] p) {
    if (ermScoreMode == ErmScoreMode.TOP_K_ONLY
        && Arrays.binarySearch(ermTopKDocs, globalDoc) < 0) {
      return 0f;
    }
    return PefaScoring.similarity(query, p);
  }

  /** The already computed ERM part of a top-K document, or NaN. */
  private float knownErm(int globalDoc) {
    if (ermTopKScores == null) {
      return Float.NaN;
    }
    int i = Arrays.binarySearch(ermTopKDocs, globalDoc);
    return i >= 0 ? ermTopKScores[i] : Float.NaN;
  }

  /** Collects candidates of one slice, keeping its top {@code n}. */
  final class RescoringCollector implements Collector {
    // HitKeys.key(score, global doc); sized for the 2n + 16 kept before a compaction, so that
    // it is not regrown step by step (ArrayUtil grows by 1/8: ~9x the final size in garbage)
    private long[] keys = new long[(int) Math.min(2L * n + 16, 4096)];
    private int size;
    private long collected;
    private long worstKept = Long.MAX_VALUE; // keys above it cannot enter the top n

    private RescoringCollector() {}

    @Override
    public ScoreMode scoreMode() {
      return ScoreMode.COMPLETE_NO_SCORES;
    }

    @Override
    public LeafCollector getLeafCollector(LeafReaderContext ctx) throws IOException {
      FloatVectorValues vectors = ctx.reader().getFloatVectorValues(schema.ermField());
      final KnnVectorValues.DocIndexIterator it = vectors == null ? null : vectors.iterator();
      // vectors on consecutive docs: a doc's ordinal is an offset, no iterator to advance
      final int firstDoc = vectors == null ? -1 : VectorOrdinals.contiguousFirstDoc(vectors);
      final int docBase = ctx.docBase;
      return new LeafCollector() {
        @Override
        public void setScorer(Scorable scorer) {}

        @Override
        public void collect(int doc) throws IOException {
          int globalDoc = docBase + doc;
          float erm = knownErm(globalDoc); // ERM top-K docs all have a vector
          if (Float.isNaN(erm)) {
            int ord = ordinal(doc);
            if (ord < 0) {
              return; // no ERM vector: never a PEFA result
            }
            erm = erm(globalDoc, vectors.vectorValue(ord));
          }
          float score = PefaScoring.xlScore(lambda, erm, knnByDoc.knn(globalDoc));
          collected++;
          offer(HitKeys.key(score, globalDoc));
        }

        /** The ERM vector ordinal of a segment doc, or -1 when it has none. */
        private int ordinal(int doc) throws IOException {
          if (firstDoc >= 0) {
            int ord = doc - firstDoc;
            return ord >= 0 && ord < vectors.size() ? ord : -1;
          }
          if (it == null) {
            return -1;
          }
          if (it.docID() < doc) {
            it.advance(doc);
          }
          return it.docID() == doc ? it.index() : -1;
        }
      };
    }

    private void offer(long key) {
      if (key > worstKept) {
        return;
      }
      keys = ArrayUtil.grow(keys, size + 1);
      keys[size++] = key;
      if (size >= 2L * n + 16) {
        Arrays.sort(keys, 0, size);
        size = n;
        worstKept = keys[n - 1];
      }
    }
  }
}
