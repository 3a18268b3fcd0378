package io.github.lucenepefa.search;

import io.github.lucenepefa.index.LiveTermDocs;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnVote;
import io.github.lucenepefa.scoring.PefaChecks;
import io.github.lucenepefa.scoring.PefaScoring;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;

/**
 * The search part of PEFA-XL, done once per query vector: {@code N_kmax(q)} (the nearest
 * training-memory rows), the ERM top-K, and every live document a neighbour labels (accepted by the
 * filter). {@link #score} then ranks the candidates for any lambda, kNN vote ({@code k <= kmax})
 * and ERM-score mode with {@link PefaRescoringCollectorManager}. {@link PefaQuery}
 * scores once; a tuner (such as {@code pefa tune}) scores many settings from one search.
 *
 * <p>Instances are bound to the searcher's reader: global doc ids refer to it.
 *
 * <p>This is an internal class of lucene-pefa, public for its tools ({@code pefa tune} and {@code
 * pefa eval} score a grid of settings from one search); it may change without notice. Use {@link
 * PefaQuery}.
 */
public final class XlCandidates {

  private final IndexSearcher searcher;
  private final PefaSchema schema;
  private final float[] query;
  private final List<Neighbour> neighbours;
  private final int[] ermTopKDocs; // ascending
  private final float[] ermTopKScores; // <q,p_d> of ermTopKDocs
  private final Map<String, int[]> docsByKey; // labelled key -> accepted live docs, ascending

  private XlCandidates(
      IndexSearcher searcher,
      PefaSchema schema,
      float[] query,
      List<Neighbour> neighbours,
      int[] ermTopKDocs,
      float[] ermTopKScores,
      Map<String, int[]> docsByKey) {
    this.searcher = searcher;
    this.ermTopKScores = ermTopKScores;
    this.schema = schema;
    this.query = query;
    this.neighbours = neighbours;
    this.ermTopKDocs = ermTopKDocs;
    this.docsByKey = docsByKey;
  }

  /**
   * Searches the memory and the ERM side.
   *
   * @param searcher the searcher
   * @param schema the index layout
   * @param query {@code q}, unit length
   * @param maxK the largest {@code k} that {@link #score} will be asked for
   * @param topK the number of ERM candidates {@code K}
   * @param effort ANN effort of both searches
   * @param filter restricts the documents (not the memory rows), or {@code null}
   * @return the candidates
   * @throws IOException on I/O errors
   */
  public static XlCandidates search(
      IndexSearcher searcher,
      PefaSchema schema,
      float[] query,
      int maxK,
      int topK,
      AnnEffort effort,
      Query filter)
      throws IOException {
    return search(
        searcher, schema, query, maxK, topK, effort, LeafVectorSearch.DEFAULT_OVERSAMPLE, filter);
  }

  /**
   * Searches the memory and the ERM side, walking quantized graphs with an oversample factor
   * ({@link PefaQuery.Builder#oversample}).
   *
   * @param searcher the searcher
   * @param schema the index layout
   * @param query {@code q}, unit length
   * @param maxK the largest {@code k} that {@link #score} will be asked for
   * @param topK the number of ERM candidates {@code K}
   * @param effort ANN effort of both searches
   * @param oversample the oversample factor of both searches, finite and {@code >= 1}, or 0 for
   *     each graph's quantization default
   * @param filter restricts the documents (not the memory rows), or {@code null}
   * @return the candidates
   * @throws IOException on I/O errors
   */
  public static XlCandidates search(
      IndexSearcher searcher,
      PefaSchema schema,
      float[] query,
      int maxK,
      int topK,
      AnnEffort effort,
      float oversample,
      Query filter)
      throws IOException {
    if (oversample != LeafVectorSearch.DEFAULT_OVERSAMPLE) {
      PefaChecks.oversample("oversample", oversample);
    }
    io.github.lucenepefa.index.PefaVectors.checkUnit("query vector", query, schema.dimension());
    RewrittenFilter rewrittenFilter = RewrittenFilter.of(searcher, filter);
    if (rewrittenFilter.matchesNothing()) {
      return new XlCandidates(
          searcher, schema, query, List.of(), new int[0], new float[0], Map.of());
    }
    Weight filterWeight = rewrittenFilter.weight();
    return search(
        searcher,
        schema,
        query,
        null,
        maxK,
        topK,
        Float.NEGATIVE_INFINITY,
        effort,
        oversample,
        filterWeight);
  }

  /**
   * The search of {@link PefaQuery}.
   *
   * @param givenNeighbours {@code N_k(q)} found elsewhere (sharded memory), or {@code null}
   * @param ermThreshold the ERM top-K keeps only the documents found with {@code <q,p_d> >=
   *     ermThreshold} ({@link PefaQuery.Builder#ermTopKThreshold}); {@code -Infinity} keeps all
   */
  static XlCandidates search(
      IndexSearcher searcher,
      PefaSchema schema,
      float[] query,
      List<Neighbour> givenNeighbours,
      int maxK,
      int topK,
      float ermThreshold,
      AnnEffort effort,
      float oversample,
      Weight filterWeight)
      throws IOException {
    PefaChecks.positive("k", maxK);
    PefaChecks.positive("K (topK)", topK);
    // the two sides are independent: with an executor they run at the same time (each also
    // searches its segments in parallel); without one, TaskExecutor runs them in this thread. The
    // memory side also resolves its neighbours' labels to documents.
    Callable<MemorySide> memorySide =
        () -> {
          List<Neighbour> nk =
              givenNeighbours != null
                  ? givenNeighbours
                  : TrainingQueryMemory.nearest(
                      searcher, schema, query, maxK, effort.forMemory(maxK), oversample);
          int labels = 0;
          for (Neighbour nb : nk) {
            labels += nb.labels().size();
          }
          Set<String> keys = HashSet.newHashSet(labels);
          for (Neighbour nb : nk) {
            keys.addAll(nb.labels().keySet());
          }
          return new MemorySide(nk, resolve(searcher, schema, keys, filterWeight));
        };
    Callable<ScoreDoc[]> ermSide =
        () ->
            atLeast(
                ermTopK(searcher, schema, query, topK, effort, oversample, filterWeight),
                ermThreshold);
    List<Object> both =
        searcher
            .getTaskExecutor()
            .invokeAll(List.<Callable<Object>>of(memorySide::call, ermSide::call));
    MemorySide memory = (MemorySide) both.get(0);
    ScoreDoc[] erm = (ScoreDoc[]) both.get(1);
    LeafVectorSearch.DocScores ermByDoc = LeafVectorSearch.DocScores.of(erm);
    return new XlCandidates(
        searcher,
        schema,
        query,
        memory.neighbours(),
        ermByDoc.docs(),
        ermByDoc.scores(),
        memory.docsByKey());
  }

  /**
   * The ERM top-K of one index: the {@code topK} best {@code <q,p_d>} found with {@code effort},
   * score descending then doc id ascending.
   */
  static ScoreDoc[] ermTopK(
      IndexSearcher searcher,
      PefaSchema schema,
      float[] query,
      int topK,
      AnnEffort effort,
      float oversample,
      Weight filterWeight)
      throws IOException {
    return LeafVectorSearch.searchAll(
        searcher,
        VectorField.stored(schema.ermField(), false),
        query,
        topK,
        effort,
        oversample,
        filterWeight,
        p -> PefaScoring.similarity(query, p));
  }

  /** The hits scoring at least {@code threshold}, in their order. */
  private static ScoreDoc[] atLeast(ScoreDoc[] hits, float threshold) {
    int kept = 0;
    while (kept < hits.length && hits[kept].score >= threshold) {
      kept++; // hits are score descending
    }
    return kept == hits.length ? hits : Arrays.copyOf(hits, kept);
  }

  /** The memory side's result: {@code N_kmax(q)} and the documents their labels point at. */
  private record MemorySide(List<Neighbour> neighbours, Map<String, int[]> docsByKey) {}

  /**
   * Finds the live, filter-accepted documents of each key through the key field's terms ({@link
   * KeyDocs}: each key's postings are read once per segment).
   */
  private static Map<String, int[]> resolve(
      IndexSearcher searcher, PefaSchema schema, Set<String> keys, Weight filterWeight)
      throws IOException {
    if (keys.isEmpty()) {
      return Map.of();
    }
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    String[] keyArray = keys.toArray(new String[0]);
    // the accepted live docs of keyArray[t], ascending: leaves come in doc-base order and a
    // segment's docs of a key in doc order, so appending keeps them sorted
    int[][] docsOf = new int[keyArray.length][];
    int[] counts = new int[keyArray.length];
    LiveTermDocs.Acceptance acceptance =
        filterWeight == null
            ? LiveTermDocs.Acceptance.ALL
            : ctx -> {
              Scorer s = filterWeight.scorer(ctx);
              if (s == null) {
                return new Bits.MatchNoBits(ctx.reader().maxDoc());
              }
              FixedBitSet bits = new FixedBitSet(ctx.reader().maxDoc());
              bits.or(s.iterator());
              return bits;
            };
    KeyDocs.visit(
        leaves,
        schema.keyField(),
        keyArray,
        acceptance,
        (t, ctx, doc) -> {
          int[] docs = docsOf[t];
          if (docs == null) {
            docsOf[t] = docs = new int[1];
          } else if (counts[t] == docs.length) {
            docsOf[t] = docs = ArrayUtil.grow(docs, counts[t] + 1);
          }
          docs[counts[t]++] = ctx.docBase + doc;
        });
    Map<String, int[]> out = HashMap.newHashMap(keyArray.length);
    for (int t = 0; t < keyArray.length; t++) {
      if (counts[t] > 0) {
        int[] docs = docsOf[t];
        out.put(
            keyArray[t],
            docs.length == counts[t] ? docs : ArrayUtil.copyOfSubArray(docs, 0, counts[t]));
      }
    }
    return out;
  }

  /**
   * @return {@code N_kmax(q)} in {@link PefaScoring#NEIGHBOUR_ORDER}
   */
  public List<Neighbour> neighbours() {
    return neighbours;
  }

  /**
   * @param k a neighbour count {@code <= kmax}
   * @return the first {@code k} neighbours ({@code N_k(q)})
   */
  public List<Neighbour> neighbours(int k) {
    return neighbours.size() > k ? neighbours.subList(0, k) : neighbours;
  }

  /**
   * @param globalDoc a global doc id
   * @return whether it is in the ERM top-K
   */
  public boolean inErmTopK(int globalDoc) {
    return Arrays.binarySearch(ermTopKDocs, globalDoc) >= 0;
  }

  /**
   * Ranks the candidates: the ERM top-K plus every document labelled by one of the first {@code k}
   * neighbours, scored {@code lambda * s_erm + (1 - lambda) * s_knn} by {@link
   * PefaRescoringCollectorManager}.
   *
   * @param lambda weight of the ERM part, in [0,1]
   * @param vote how the first {@code vote.k()} neighbours vote (at most kmax are available)
   * @param mode EXACT or TOP_K_ONLY
   * @param n number of results
   * @return the top {@code n}, score descending then doc id ascending
   * @throws IOException on I/O errors
   */
  public TopDocs score(float lambda, KnnVote vote, ErmScoreMode mode, int n) throws IOException {
    return score(lambda, vote, mode, n, null);
  }

  /**
   * Like {@link #score(float, KnnVote, ErmScoreMode, int)}, with more candidates: {@code extraDocs}
   * are scored by the same formula (their kNN part is their labels', 0 if none), for example the
   * lexical top-K of a {@link PefaHybridQuery}.
   *
   * @param lambda weight of the ERM part, in [0,1]
   * @param vote how the first {@code vote.k()} neighbours vote (at most kmax are available)
   * @param mode EXACT or TOP_K_ONLY
   * @param n number of results
   * @param extraDocs live, filter-accepted global doc ids, or {@code null}
   * @return the top {@code n}, score descending then doc id ascending
   * @throws IOException on I/O errors
   */
  public TopDocs score(float lambda, KnnVote vote, ErmScoreMode mode, int n, int[] extraDocs)
      throws IOException {
    Map<String, Float> knnByKey = PefaScoring.knnScores(neighbours(vote.k()), vote);
    // candidate docs: ERM top-K and the documents of labelled keys, with their kNN parts
    int size = ermTopKDocs.length + (extraDocs == null ? 0 : extraDocs.length);
    for (String key : knnByKey.keySet()) {
      int[] docs = docsByKey.get(key);
      size += docs == null ? 0 : docs.length;
    }
    long[] packed = new long[size]; // doc << 32 | index into knnValues (0 = none)
    float[] knnValues = new float[knnByKey.size() + 1];
    int count = 0;
    for (int doc : ermTopKDocs) {
      packed[count++] = (long) doc << 32;
    }
    if (extraDocs != null) {
      for (int doc : extraDocs) {
        packed[count++] = (long) doc << 32;
      }
    }
    int v = 1;
    for (Map.Entry<String, Float> e : knnByKey.entrySet()) {
      int[] docs = docsByKey.get(e.getKey());
      if (docs == null) {
        continue;
      }
      knnValues[v] = e.getValue();
      for (int doc : docs) {
        packed[count++] = ((long) doc << 32) | v;
      }
      v++;
    }
    Arrays.sort(packed, 0, count);
    // unique docs, ascending; a doc in the top-K and labelled keeps its label's kNN part
    int[] docs = new int[count];
    float[] knn = new float[count];
    int unique = 0;
    for (int i = 0; i < count; i++) {
      int doc = (int) (packed[i] >>> 32);
      float value = knnValues[(int) packed[i]];
      if (unique > 0 && docs[unique - 1] == doc) {
        knn[unique - 1] = value; // the doc's top-K entry (no kNN part) sorts before its label entry
      } else {
        docs[unique] = doc;
        knn[unique++] = value;
      }
    }
    final int candidates = unique;
    PefaRescoringCollectorManager rescorer =
        new PefaRescoringCollectorManager(
            schema,
            query,
            lambda,
            mode,
            ermTopKDocs,
            ermTopKScores,
            doc -> {
              int i = Arrays.binarySearch(docs, 0, candidates, doc);
              return i >= 0 ? knn[i] : 0f;
            },
            n);
    PefaRescoringCollectorManager.RescoringCollector collector = rescorer.newCollector();
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    int i = 0;
    for (LeafReaderContext ctx : leaves) {
      int end = ctx.docBase + ctx.reader().maxDoc();
      if (i >= candidates || docs[i] >= end) {
        continue;
      }
      LeafCollector lc = collector.getLeafCollector(ctx);
      for (; i < candidates && docs[i] < end; i++) {
        lc.collect(docs[i] - ctx.docBase);
      }
    }
    return rescorer.reduce(List.of(collector));
  }
}
