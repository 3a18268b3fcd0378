package io.github.lucenepefa.search;

import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaDirectoryReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;

/**
 * Top-k search of one vector field in every segment, by HNSW or by exact scan, with every returned
 * hit rescored exactly by the caller's formula. Ties are broken by doc id.
 *
 * <p>Each segment is searched by its graph ({@link GraphWalk}) or, when the effort, a filter or an
 * incomplete walk calls for it, by an exact scan ({@link ExactVectorScan}). A quantized field
 * ({@link PefaQuantization}) is walked with its quantized vectors: the walk collects {@code
 * max(ceil(oversample * k), efSearch)} candidates (its beam), and every one of them is rescored
 * from the float vectors (a float read per candidate, next to the walk's ten or so quantized
 * scores per candidate). An exact scan always scores the float vectors ({@link
 * FloatVectorValues#rescorer}), so that exhaustive searches equal brute force whatever the
 * quantization.
 *
 * <p>Hits are ordered by a packed {@code long} ({@link HitKeys}): sorting those keys ascending
 * gives score descending, then doc ascending, with primitive sorts only.
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

    /** The first {@code count} of ascending-sorted {@link HitKeys#key keys}. */
    static Hits ofKeys(long[] keys, int count) {
      int[] docs = new int[count];
      float[] scores = new float[count];
      for (int i = 0; i < count; i++) {
        docs[i] = HitKeys.docOf(keys[i]);
        scores[i] = HitKeys.scoreOf(keys[i]);
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
      TopDocs td =
          GraphWalk.walk(
              searcher, ctx, reader, field, values, target, beam, visitLimit, seedDocs, accept,
              timeout);
      long visited = td.totalHits.value();
      boolean timedOut = timeout != null && timeout.shouldExit();
      boolean complete =
          td.totalHits.relation() == TotalHits.Relation.EQUAL_TO
              && (td.scoreDocs.length >= leafK || (filterWeight == null && live == null));
      if (complete || timedOut) { // out of time: the hits found so far, no exact scan
        Hits hits = GraphWalk.rescore(td, leafK, values, quantization, exactScore);
        return new LeafHits(hits, visited, reduced);
      }
      // the graph search stopped early: scan exactly (for the full k)
      ExactVectorScan.Scan scan =
          ExactVectorScan.search(
              values, target, accept.bits(), k, values.dimension(), exactScore, timeout);
      return new LeafHits(scan.hits(), visited + scan.scored(), false);
    }
    ExactVectorScan.Scan scan =
        ExactVectorScan.search(
            values, target, accept.bits(), k, values.dimension(), exactScore, timeout);
    return new LeafHits(scan.hits(), scan.scored(), false);
  }
}
