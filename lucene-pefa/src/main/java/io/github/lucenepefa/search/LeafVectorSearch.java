package io.github.lucenepefa.search;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.QueryTimeout;
import io.github.lucenepefa.codec.Pefa01VectorsFormat;
import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaDirectoryReader;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocAndFloatFeatureBuffer;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.TimeLimitingKnnCollectorManager;
import org.apache.lucene.search.knn.TopKnnCollectorManager;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.search.knn.KnnSearchStrategy;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.LongHeap;
import org.apache.lucene.util.NumericUtils;

/**
 * Top-k search of one segment's vector field, by HNSW or by exact scan, with every returned hit
 * rescored exactly by the caller's formula. Ties are broken by doc id.
 *
 * <p>A quantized field ({@link PefaQuantization}) is walked with its quantized vectors: the walk
 * collects {@code max(ceil(oversample * k), efSearch)} candidates (its beam), and every one of them
 * is rescored from the float vectors (a float read per candidate, next to the walk's ten or so
 * quantized scores per candidate). An exact
 * scan always scores the float vectors ({@link FloatVectorValues#rescorer}), so that exhaustive
 * searches equal brute force whatever the quantization.
 *
 * <p>Hits are ordered by a packed {@code long} ({@link #key}): sorting those keys ascending gives
 * score descending, then doc ascending, with primitive sorts only.
 */
final class LeafVectorSearch {

  /** The exact score of a stored vector. */
  interface ExactScore {
    float score(float[] stored);
  }

  /**
   * Segment-local hits, score descending then doc ascending.
   *
   * @param docs segment doc ids
   * @param scores their exact scores
   */
  record Hits(int[] docs, float[] scores) {
    static final Hits EMPTY = new Hits(new int[0], new float[0]);

    int size() {
      return docs.length;
    }

    /** The first {@code count} of ascending-sorted {@link #key keys}. */
    static Hits ofKeys(long[] keys, int count) {
      int[] docs = new int[count];
      float[] scores = new float[count];
      for (int i = 0; i < count; i++) {
        docs[i] = docOf(keys[i]);
        scores[i] = scoreOf(keys[i]);
      }
      return new Hits(docs, scores);
    }
  }

  /**
   * Docs with their scores in ascending doc order (for doc-ordered iterators and lookups).
   *
   * @param docs doc ids, ascending
   * @param scores their scores
   */
  record DocScores(int[] docs, float[] scores) {

    /** Sorts {@code docs}/{@code scores} pairs by doc (a primitive sort of packed keys). */
    static DocScores of(int[] docs, float[] scores) {
      long[] byDoc = new long[docs.length]; // doc << 32 | position
      for (int i = 0; i < byDoc.length; i++) {
        byDoc[i] = ((long) docs[i] << 32) | i;
      }
      Arrays.sort(byDoc);
      int[] sortedDocs = new int[byDoc.length];
      float[] sortedScores = new float[byDoc.length];
      for (int i = 0; i < byDoc.length; i++) {
        sortedDocs[i] = (int) (byDoc[i] >>> 32);
        sortedScores[i] = scores[(int) byDoc[i]];
      }
      return new DocScores(sortedDocs, sortedScores);
    }

    /** Sorts hits by doc. */
    static DocScores of(ScoreDoc[] hits) {
      int[] docs = new int[hits.length];
      float[] scores = new float[hits.length];
      for (int i = 0; i < hits.length; i++) {
        docs[i] = hits[i].doc;
        scores[i] = hits[i].score;
      }
      return of(docs, scores);
    }
  }

  private LeafVectorSearch() {}

  /**
   * A sort key whose ascending order is score descending, then doc ascending ({@code -0f} counts
   * as {@code 0f}, as in a {@code ==} comparison).
   */
  static long key(float score, int doc) {
    int sortable = NumericUtils.floatToSortableInt(score + 0f);
    return ((long) ~sortable << 32) | (doc & 0xFFFFFFFFL);
  }

  static float scoreOf(long key) {
    return NumericUtils.sortableIntToFloat(~(int) (key >> 32));
  }

  static int docOf(long key) {
    return (int) key;
  }

  /**
   * Every segment's hits of one field's search, in leaf order, and the vectors the search scored.
   *
   * @param perLeaf hits per leaf of the searcher's reader, in leaf order (segment doc ids)
   * @param visited vectors scored: graph nodes visited plus vectors scanned exactly
   */
  record Leaves(List<Hits> perLeaf, long visited) {}

  /** One segment's search: its hits, what it scored, and whether its graph beam was reduced. */
  private record LeafHits(Hits hits, long visited, boolean reduced) {}

  /**
   * Searches one vector field in every segment (in parallel on the searcher's executor) and merges
   * to the global top {@code want}, score descending then doc id ascending.
   */
  static ScoreDoc[] searchAll(
      IndexSearcher searcher,
      String field,
      float[] target,
      int want,
      AnnEffort effort,
      Weight filterWeight,
      ExactScore score)
      throws IOException {
    return searchAll(
        searcher,
        VectorField.stored(field, false),
        target,
        want,
        effort,
        DEFAULT_OVERSAMPLE,
        filterWeight,
        score);
  }

  /**
   * {@link #searchAll(IndexSearcher, String, float[], int, AnnEffort, Weight, ExactScore)} of any
   * {@link VectorField}, with an oversample factor for quantized graphs ({@link
   * #DEFAULT_OVERSAMPLE}: the field's default).
   */
  static ScoreDoc[] searchAll(
      IndexSearcher searcher,
      VectorField field,
      float[] target,
      int want,
      AnnEffort effort,
      float oversample,
      Weight filterWeight,
      ExactScore score)
      throws IOException {
    return merge(
        searcher,
        searchLeaves(searcher, field, target, want, effort, oversample, filterWeight, score),
        want);
  }

  /**
   * The oversample factor meaning "the default of the field's quantization" ({@link
   * PefaQuantization#defaultOversample()}).
   */
  static final float DEFAULT_OVERSAMPLE = 0f;

  /**
   * The oversample factor a segment's field is searched with.
   *
   * @param oversample the query's factor, or {@link #DEFAULT_OVERSAMPLE}
   * @param quantization the field's quantization in the segment
   */
  static float oversampleFor(float oversample, PefaQuantization quantization) {
    return oversample == DEFAULT_OVERSAMPLE ? quantization.defaultOversample() : oversample;
  }

  /** {@code ceil(factor * n)}, at least {@code n}, at most {@link Integer#MAX_VALUE}. */
  static int oversampled(int n, float factor) {
    return (int) Math.max(n, Math.min(Integer.MAX_VALUE, Math.ceil((double) factor * n)));
  }

  /**
   * The global top {@code want} of per-leaf hits, score descending then doc id ascending ({@link
   * TopDocs#merge}: the hits of one searcher, so ties fall to the doc id).
   */
  static ScoreDoc[] merge(IndexSearcher searcher, Leaves leaves, int want) {
    List<LeafReaderContext> contexts = searcher.getIndexReader().leaves();
    TopDocs[] perLeaf = new TopDocs[contexts.size()];
    for (int i = 0; i < perLeaf.length; i++) {
      Hits h = leaves.perLeaf().get(i);
      int docBase = contexts.get(i).docBase;
      ScoreDoc[] docs = new ScoreDoc[h.size()];
      for (int j = 0; j < docs.length; j++) {
        docs[j] = new ScoreDoc(docBase + h.docs()[j], h.scores()[j]);
      }
      perLeaf[i] = new TopDocs(new TotalHits(docs.length, TotalHits.Relation.EQUAL_TO), docs);
    }
    return TopDocs.merge(want, perLeaf).scoreDocs;
  }

  /**
   * Searches one vector field in every segment for the global top {@code k}, as Lucene's kNN query
   * does across segments: a first pass gives each graph-searched segment a beam and a result count
   * in proportion to its share of the field's vectors (plus three standard deviations, {@link
   * #leafShare}); a segment all of whose hits reach the merged {@code k}-th score may hold more,
   * and is searched again with the full beam and {@code k}, seeded with its first hits. With one
   * segment, or segments scanned exactly, this is one full search per segment.
   *
   * @return the hits of every leaf, each exactly rescored, score descending then doc ascending
   */
  static Leaves searchLeaves(
      IndexSearcher searcher,
      String field,
      boolean memory,
      float[] target,
      int k,
      AnnEffort effort,
      Weight filterWeight,
      ExactScore score)
      throws IOException {
    return searchLeaves(
        searcher,
        VectorField.stored(field, memory),
        target,
        k,
        effort,
        DEFAULT_OVERSAMPLE,
        filterWeight,
        score);
  }

  /**
   * {@link #searchLeaves(IndexSearcher, String, boolean, float[], int, AnnEffort, Weight,
   * ExactScore)} of any {@link VectorField}, with an oversample factor for quantized graphs ({@link
   * #DEFAULT_OVERSAMPLE}: the field's default).
   */
  static Leaves searchLeaves(
      IndexSearcher searcher,
      VectorField field,
      float[] target,
      int k,
      AnnEffort effort,
      float oversample,
      Weight filterWeight,
      ExactScore score)
      throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    if (leaves.size() == 1) {
      LeafHits only =
          search(
              searcher, leaves.get(0), field, target, k, effort, oversample, filterWeight, score,
              1f, null);
      return new Leaves(List.of(only.hits()), only.visited());
    }
    int[] counts = new int[leaves.size()];
    long total = 0;
    for (int i = 0; i < counts.length; i++) {
      counts[i] = vectorCount(leaves.get(i), field);
      total += counts[i];
    }
    List<Callable<LeafHits>> tasks = new ArrayList<>(leaves.size());
    for (int i = 0; i < counts.length; i++) {
      LeafReaderContext ctx = leaves.get(i);
      float share = total == 0 ? 1f : (float) ((double) counts[i] / total);
      tasks.add(
          () ->
              search(
                  searcher, ctx, field, target, k, effort, oversample, filterWeight, score, share,
                  null));
    }
    List<LeafHits> first = searcher.getTaskExecutor().invokeAll(tasks);
    List<Hits> perLeaf = new ArrayList<>(first.size());
    long visited = 0;
    boolean anyReduced = false;
    for (LeafHits h : first) {
      perLeaf.add(h.hits());
      visited += h.visited();
      anyReduced |= h.reduced();
    }
    if (anyReduced == false) {
      return new Leaves(perLeaf, visited);
    }
    float kth = kthScore(perLeaf, k);
    List<Integer> again = new ArrayList<>();
    List<Callable<LeafHits>> second = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) {
      LeafHits h = first.get(i);
      Hits hits = h.hits();
      if (h.reduced() && hits.size() > 0 && hits.scores()[hits.size() - 1] >= kth) {
        LeafReaderContext ctx = leaves.get(i);
        int[] seeds = hits.docs();
        again.add(i);
        second.add(
            () ->
                search(
                    searcher, ctx, field, target, k, effort, oversample, filterWeight, score, 1f,
                    seeds));
      }
    }
    if (second.isEmpty() == false) {
      List<LeafHits> redone = searcher.getTaskExecutor().invokeAll(second);
      for (int j = 0; j < redone.size(); j++) {
        perLeaf.set(again.get(j), redone.get(j).hits());
        visited += redone.get(j).visited();
      }
    }
    return new Leaves(perLeaf, visited);
  }

  /** The {@code k}-th largest score over every leaf's hits (the smallest when there are fewer). */
  private static float kthScore(List<Hits> perLeaf, int k) {
    int total = 0;
    for (Hits h : perLeaf) {
      total += h.size();
    }
    if (total == 0) {
      return Float.POSITIVE_INFINITY;
    }
    float[] all = new float[total];
    int count = 0;
    for (Hits h : perLeaf) {
      System.arraycopy(h.scores(), 0, all, count, h.size());
      count += h.size();
    }
    Arrays.sort(all);
    return all[Math.max(0, total - k)];
  }

  private static int vectorCount(LeafReaderContext ctx, VectorField field) throws IOException {
    FloatVectorValues values = field.values(field.reader(ctx));
    return values == null ? 0 : values.size();
  }

  /**
   * The part of a global top {@code n} that a segment holding {@code share} of the vectors is
   * searched for in the first pass: its expected share plus three standard deviations of the
   * binomial count ({@code n p + 16 sqrt(n p (1 - p))}, Lucene's {@code perLeafTopK}), at least 1
   * and at most {@code n}.
   */
  static int leafShare(int n, float share) {
    if (share >= 1f) {
      return n;
    }
    double expected = (double) n * share;
    double withMargin = expected + 16 * Math.sqrt(expected * (1 - share));
    return (int) Math.max(1, Math.min(n, withMargin));
  }

  /**
   * One segment's top {@code k} (with ties), by graph or exact scan.
   *
   * @param field the vectors searched (the training memory's are read underneath {@link
   *     PefaDirectoryReader}'s hiding of its rows)
   * @param share the segment's part of the field's vectors; below 1 the graph search (not an
   *     exact scan) looks for {@link #leafShare} of {@code k} with that part of the beam
   * @param seedDocs segment docs to start the graph search from (a second pass), or {@code null}
   * @param oversample the query's oversample factor, or {@link #DEFAULT_OVERSAMPLE}
   */
  private static LeafHits search(
      IndexSearcher searcher,
      LeafReaderContext ctx,
      VectorField field,
      float[] target,
      int k,
      AnnEffort effort,
      float oversample,
      Weight filterWeight,
      ExactScore exactScore,
      float share,
      int[] seedDocs)
      throws IOException {
    // the memory field is searched underneath PefaDirectoryReader's hiding of its rows; document
    // fields through the searcher's reader, whose live documents are the application's view
    LeafReader reader = field.reader(ctx);
    QueryTimeout timeout = searcher.getTimeout();
    FloatVectorValues values = field.values(reader);
    if (values == null || values.size() == 0) {
      return new LeafHits(Hits.EMPTY, 0, false);
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
    boolean exhaustive = effort.scansExactly(values.size(), k);
    PefaQuantization quantization = field.quantization(reader);
    float factor = oversampleFor(oversample, quantization);
    // a beam wider than the segment finds nothing more (and Lucene's queues reject huge sizes)
    int fullBeam = Math.max(oversampled(k, factor), effort.efSearch());
    int leafK = leafShare(k, share);
    int beam = Math.min(leafShare(fullBeam, share), values.size());
    boolean reduced = leafK < k || beam < Math.min(fullBeam, values.size());
    if (exhaustive == false && filterWeight != null && accept.cost() <= beam) {
      exhaustive = true;
    }
    if (exhaustive == false) {
      int visitLimit = filterWeight == null ? Integer.MAX_VALUE : accept.cost() + 1;
      KnnCollector collector =
          new TimeLimitingKnnCollectorManager(new TopKnnCollectorManager(beam, searcher), timeout)
              .newCollector(visitLimit, seedDocs == null ? null : seeded(values, seedDocs), ctx);
      field.searchGraph(reader, values, target, collector, accept);
      TopDocs td = collector.topDocs();
      long visited = td.totalHits.value();
      boolean timedOut = timeout != null && timeout.shouldExit();
      boolean complete =
          td.totalHits.relation() == TotalHits.Relation.EQUAL_TO
              && (td.scoreDocs.length >= leafK || (filterWeight == null && live == null));
      if (complete || timedOut) { // out of time: the hits found so far, no exact scan
        // the beam's hits, best first by Lucene's score; only those that can be in the exact top
        // leafK are rescored. They are read in the graph's order, which is the exact order up to
        // the rescoring margin, so the keys come nearly sorted (which the sort is quick on).
        // a quantized graph's scores are not within the margin of the exact ones: every
        // candidate of its beam (at least ceil(factor * k)) is rescored
        int[] docs =
            new int
                [quantization == PefaQuantization.NONE
                    ? rescoreCount(td.scoreDocs, leafK, values.dimension())
                    : td.scoreDocs.length];
        for (int i = 0; i < docs.length; i++) {
          docs[i] = td.scoreDocs[i].doc;
        }
        int[] ords = ordinals(values, docs);
        long[] keys = new long[docs.length];
        int count = 0;
        for (int i = 0; i < docs.length; i++) {
          if (ords[i] >= 0) { // a graph hit always has a vector, but never return one without
            keys[count++] = key(exactScore.score(values.vectorValue(ords[i])), docs[i]);
          }
        }
        Arrays.sort(keys, 0, count);
        return new LeafHits(Hits.ofKeys(keys, withTies(keys, count, leafK)), visited, reduced);
      }
      // the graph search stopped early: scan exactly (for the full k)
      Scan scan =
          exactScan(values, target, accept.bits(), k, values.dimension(), exactScore, timeout);
      return new LeafHits(scan.hits(), visited + scan.scored(), false);
    }
    Scan scan =
        exactScan(values, target, accept.bits(), k, values.dimension(), exactScore, timeout);
    return new LeafHits(scan.hits(), scan.scored(), false);
  }

  /**
   * The first doc with a vector if the segment's vectors sit on consecutive docs, so that a vector's
   * ordinal is its doc minus that doc; otherwise {@code -1}. Every doc of a segment of documents
   * only, or of a segment written with all its memory rows before (or after) all its documents, is
   * such a run. Ordinals rise with docs, so the {@code size} ordinals fill a run exactly when the
   * last one's doc is {@code size - 1} after the first one's.
   *
   * <p>Decided by {@link KnnVectorValues#ordToDoc}, not by the field's iterator: Lucene's sparse
   * values hand out one shared iterator, which the caller's rescoring must find unmoved.
   */
  static int contiguousFirstDoc(FloatVectorValues values) {
    int size = values.size();
    if (size == 0) {
      return -1;
    }
    int first = values.ordToDoc(0);
    return values.ordToDoc(size - 1) - first == size - 1 ? first : -1;
  }

  /**
   * The vector ordinal of each of {@code docs} (segment docs in any order, repeats allowed), or
   * {@code -1} for a doc without a vector in the field. Where the field's vectors sit on consecutive
   * docs ({@link #contiguousFirstDoc}) an ordinal is an offset; otherwise the docs are visited in
   * ascending order with the field's forward-only iterator.
   */
  static int[] ordinals(FloatVectorValues values, int[] docs) throws IOException {
    int[] ords = new int[docs.length];
    int firstDoc = contiguousFirstDoc(values);
    if (firstDoc >= 0) {
      for (int i = 0; i < docs.length; i++) {
        int ord = docs[i] - firstDoc;
        ords[i] = ord >= 0 && ord < values.size() ? ord : -1;
      }
      return ords;
    }
    long[] docRanks = new long[docs.length]; // doc in the high half, position in the low half
    for (int i = 0; i < docs.length; i++) {
      docRanks[i] = ((long) docs[i] << 32) | i;
    }
    Arrays.sort(docRanks);
    KnnVectorValues.DocIndexIterator it = values.iterator();
    for (long docRank : docRanks) {
      int doc = (int) (docRank >>> 32);
      int current = it.docID() < doc ? it.advance(doc) : it.docID();
      ords[(int) docRank] = current == doc ? it.index() : -1;
    }
    return ords;
  }

  /** A graph search strategy that starts from the vectors of {@code seedDocs} (segment docs). */
  private static KnnSearchStrategy seeded(FloatVectorValues values, int[] seedDocs)
      throws IOException {
    int[] ords = ordinals(values, seedDocs);
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

  /**
   * The first {@code k} of {@code count} sorted keys, and the ones after them tied with the
   * {@code k}-th score (as {@link #exactScan} returns them).
   */
  private static int withTies(long[] sortedKeys, int count, int k) {
    if (count <= k) {
      return count;
    }
    float kth = scoreOf(sortedKeys[k - 1]);
    int end = k;
    while (end < count && scoreOf(sortedKeys[end]) == kth) {
      end++;
    }
    return end;
  }

  /**
   * How many of the graph search's hits (best first by the graph's score) are rescored: the first
   * {@code k}, and every later one whose graph score is within {@link #rescoreMargin} of the
   * {@code k}-th. The graph's score is a non-decreasing function with slope at most 1 of an
   * inner product that Lucene computes in its own summation order; it differs from the exact
   * score's by at most the summation error bound of both, so a hit outside the margin cannot
   * belong to the exact top {@code k}. With an ERM beam wider than K, or a memory beam wider than
   * k, this skips most of the beam's vector reads.
   */
  static int rescoreCount(ScoreDoc[] bestFirst, int k, int dimension) {
    if (bestFirst.length <= k) {
      return bestFirst.length;
    }
    float cutoff = bestFirst[k - 1].score - rescoreMargin(dimension);
    int count = k;
    while (count < bestFirst.length && bestFirst[count].score >= cutoff) {
      count++;
    }
    return count;
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
   * Exact top-k. Hits tied with the k-th score are all returned (beyond k), so that a caller whose
   * global order breaks ties by something other than doc id (the memory's row id) still sees every
   * tied row.
   *
   * <p>Two passes: {@link #scanCandidates} scores every vector with the field's float vector scorer
   * (the one an unquantized graph search uses: SIMD over the stored bytes, in bulk, no copies;
   * {@link FloatVectorValues#rescorer}, which reads the float vectors of a quantized field too) and
   * keeps the vectors within {@link #rescoreMargin} of its k-th score, which holds every vector of
   * the exact top k (the argument of {@link #rescoreCount}); only those are read and scored by the
   * caller's formula.
   */
  private static Scan exactScan(
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
    int[] ords = ordinals(values, candidates);
    for (int c = 0; c < candidates.length; c++) {
      int doc = candidates[c];
      float s = score.score(values.vectorValue(ords[c])) + 0f;
      long key = key(s, doc);
      if (heap.size() < k) {
        heap.push(~key);
        continue;
      }
      long worst = ~heap.top();
      float worstScore = scoreOf(worst);
      if (s > worstScore) {
        heap.updateTop(~key);
        long evicted = worst;
        if (scoreOf(~heap.top()) == worstScore) {
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
      float min = scoreOf(keys[0]); // popped worst (largest key) first
      for (int i = 0; i < tiedCount; i++) {
        if (scoreOf(tied[i]) == min) {
          keys[count++] = tied[i];
        }
      }
    }
    Arrays.sort(keys, 0, count);
    return new Scan(Hits.ofKeys(keys, count), scored[0]);
  }

  /** An exact scan's hits and the number of vectors it scored. */
  private record Scan(Hits hits, long scored) {}

  /**
   * The first pass of {@link #exactScan}: the accepted docs, ascending, whose score by the field's
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
