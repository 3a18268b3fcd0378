package io.github.lucenepefa.search;

import io.github.lucenepefa.scoring.PefaChecks;

/**
 * How hard a PEFA query searches each HNSW graph (ERM, PEFA-XS, training memory).
 *
 * <p>{@code efSearch} is HNSW's search beam (Lucene's kNN "k"/fanout); the query keeps the best
 * {@code max(wanted, efSearch)} candidates of each segment and rescores them exactly. A segment is
 * scanned exactly instead when it holds at most {@code exactBelow} vectors (a flat scan is then
 * cheaper than a graph walk), when a filter leaves at most {@code efSearch} documents, or when the
 * graph search had to stop early. {@link #EXHAUSTIVE} scans every segment exactly, which makes the
 * result equal to brute force.
 *
 * @param efSearch HNSW search beam width, > 0
 * @param exhaustive scan every vector exactly
 * @param exactBelow segments with at most this many vectors are scanned exactly; {@code -1} means
 *     {@link #DEFAULT_EXACT_FACTOR} {@code * max(efSearch, wanted)}
 */
public record AnnEffort(int efSearch, boolean exhaustive, int exactBelow) {

  /**
   * Beam width of {@link #EXHAUSTIVE} and {@link #DEFAULT}, which are not tied to a number of hits;
   * a query that is given no effort uses {@link #forHits(PefaMode, int)} instead.
   */
  public static final int DEFAULT_EF_SEARCH = 100;

  /**
   * Default factor of the exact-scan cut-off: a segment with at most {@code factor * max(ef,
   * wanted)} vectors is scanned exactly.
   *
   * <p>Why 15 (measured with {@code pefa bench} on SciFact, docs/performance.md): the exact scan
   * scores vectors in bulk with the field's SIMD scorer at about 50 ns a vector, while a graph
   * search costs 125-140 ns per visited vector and visits {@code 10.5 * ef} vectors at ef 100,
   * falling to {@code 5.5 * ef} at ef 500, so the break-even segment size is 15-27 times ef; 15
   * keeps the exact scan on the cheaper side at every ef measured (100-500).
   */
  public static final int DEFAULT_EXACT_FACTOR = 15;

  /** Exact search everywhere. */
  public static final AnnEffort EXHAUSTIVE = new AnnEffort(DEFAULT_EF_SEARCH, true, -1);

  /** HNSW with {@link #DEFAULT_EF_SEARCH} and the automatic exact-scan cut-off. */
  public static final AnnEffort DEFAULT = new AnnEffort(DEFAULT_EF_SEARCH, false, -1);

  /**
   * Validates the values.
   *
   * @param efSearch beam width
   * @param exhaustive exact everywhere
   * @param exactBelow exact-scan cut-off
   */
  public AnnEffort {
    PefaChecks.positive("efSearch", efSearch);
    if (exactBelow < -1) {
      throw new IllegalArgumentException("exactBelow must be >= -1, got " + exactBelow);
    }
  }

  /**
   * The effort of a PEFA query for {@code n} hits that is given none: HNSW with the beam {@link
   * #defaultEf(PefaMode, int) defaultEf(mode, n)} and the automatic exact-scan cut-off. As with
   * Lucene's {@code KnnFloatVectorQuery}, whose beam is its {@code k}, the work follows the number
   * of hits asked.
   *
   * @param mode XL or XS
   * @param n the number of hits wanted, > 0
   * @return the effort
   */
  public static AnnEffort forHits(PefaMode mode, int n) {
    return ef(defaultEf(mode, n));
  }

  /**
   * The default beam for {@code n} hits: {@code 3n} for PEFA-XS, {@code 1.5n} (rounded up) for
   * PEFA-XL.
   *
   * <p>Why (measured with {@code pefa bench --pareto}, docs/performance.md): at these beams PEFA's
   * overlap with its own exact top {@code n} is at least stock Lucene kNN's at its default beam
   * {@code n}, for {@code n} = 10 and 100, on SciFact and on the synthetic 100k set. PEFA-XS's
   * graph, built by inner product over the unnormalised {@code e_d}, needs about three times
   * stock's beam for stock's overlap at 100k documents; PEFA-XL's two searches need half as much
   * again (its memory beam is {@link #forMemory} of it).
   *
   * @param mode XL or XS
   * @param n the number of hits wanted, > 0
   * @return the beam
   */
  public static int defaultEf(PefaMode mode, int n) {
    PefaChecks.positive("n", n);
    long ef = mode == PefaMode.XS ? 3L * n : (3L * n + 1) / 2;
    return (int) Math.min(Integer.MAX_VALUE, ef);
  }

  /**
   * HNSW with the given beam width and the automatic exact-scan cut-off.
   *
   * @param efSearch beam width, > 0
   * @return the effort
   */
  public static AnnEffort ef(int efSearch) {
    return new AnnEffort(efSearch, false, -1);
  }

  /**
   * HNSW with the given beam width on every segment, however small (for measuring the graphs).
   *
   * @param efSearch beam width, > 0
   * @return the effort
   */
  public static AnnEffort graphOnly(int efSearch) {
    return new AnnEffort(efSearch, false, 0);
  }

  /**
   * Whether an unfiltered segment holding {@code segmentVectors} vectors is scanned exactly rather
   * than searched through its graph.
   *
   * @param segmentVectors the number of vectors of the field in the segment
   * @param wanted the number of results wanted from the segment
   * @return true for an exact scan
   */
  public boolean scansExactly(int segmentVectors, int wanted) {
    return exhaustive || segmentVectors <= exactCutoff(wanted);
  }

  /**
   * The effort of PEFA-XL's training-memory search for {@code k} neighbours: the ERM side's beam,
   * and at least {@code 3k}. Exhaustive effort stays exhaustive.
   *
   * <p>Why (measured with {@code pefa bench --pareto}, docs/performance.md): the memory search
   * finds the same {@code k} neighbours whatever the number of hits, and HNSW's recall at {@code k}
   * depends on the beam itself, not on its ratio to {@code k}, and falls as the graph grows. On a
   * memory of 1M rows PEFA-XL's top-10 overlap with its exact top 10 is set by the memory beam
   * alone (0.55 / 0.71 / 0.84 / 0.94 at beams 15 / 30 / 50 / 100, whatever the ERM beam), so a
   * beam that shrinks with {@code n} (half the ERM beam, 15 at PEFA-XL's top-10 default) fell far
   * below stock Lucene's recall at its default (0.74); at top 100 (ERM beam 150) the full beam
   * gave 0.980 where half of it gave 0.955.
   *
   * @param k neighbours wanted
   * @return the memory-side effort
   */
  public AnnEffort forMemory(int k) {
    if (exhaustive) {
      return this;
    }
    int beam = (int) Math.min(Integer.MAX_VALUE, Math.max(efSearch, 3L * k));
    return new AnnEffort(beam, false, exactBelow);
  }

  /**
   * @param wanted the number of results wanted from a segment
   * @return the largest segment size that is scanned exactly
   */
  int exactCutoff(int wanted) {
    if (exactBelow >= 0) {
      return exactBelow;
    }
    long cutoff = (long) DEFAULT_EXACT_FACTOR * Math.max(efSearch, wanted);
    return (int) Math.min(Integer.MAX_VALUE, cutoff);
  }
}
