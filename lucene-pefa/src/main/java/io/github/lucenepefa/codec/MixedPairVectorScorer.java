package io.github.lucenepefa.codec;

import io.github.lucenepefa.scoring.PefaChecks;
import io.github.lucenepefa.scoring.PefaScoring;
import java.io.IOException;
import org.apache.lucene.codecs.hnsw.FlatVectorsScorer;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;
import org.apache.lucene.util.hnsw.UpdateableRandomVectorScorer;

/**
 * A {@link FlatVectorsScorer} for paired PEFA-XS vectors {@code v = [p, u]} (dimension {@code 2d})
 * that builds HNSW graphs in the space of the mixed vector {@code e = lambda*p + (1-lambda)*u}.
 *
 * <ul>
 *   <li>Node-to-node scoring ({@link #getRandomVectorScorerSupplier}, used to build and merge
 *       graphs) returns {@link VectorUtil#scaleMaxInnerProductScore(float)} of {@code <e_a, e_b>},
 *       i.e. the {@link VectorSimilarityFunction#MAXIMUM_INNER_PRODUCT} score in the mixed space.
 *   <li>Query scoring ({@link #getRandomVectorScorer}) is delegated unchanged, so a query target
 *       is compared with the stored {@code 2d} vector as usual.
 * </ul>
 *
 * <p>Cost: the mixed vectors are computed once per ordinal and cached on heap ({@code d} floats per
 * vector, half the size of the raw vectors), so each graph-building comparison is a single {@code
 * d}-dimensional dot product, like a stock build over {@code d}-dimensional vectors. When the cache
 * for a (merged) segment would exceed the cache budget, the scorer instead precomputes, per scoring
 * ordinal {@code a}, the {@code 2d} vector {@code [lambda*e_a, (1-lambda)*e_a]} whose plain inner
 * product with {@code [p_b, u_b]} equals {@code <e_a, e_b>}: no extra heap, about twice the
 * arithmetic.
 */
final class MixedPairVectorScorer implements FlatVectorsScorer {

  /**
   * Default heap budget for the per-segment cache of mixed vectors: {@code min(512MB, maxHeap/8)}.
   */
  static final long DEFAULT_CACHE_BUDGET_BYTES =
      Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 8);

  private final float lambda;
  private final FlatVectorsScorer delegate;
  private final long cacheBudgetBytes;

  /**
   * Creates a scorer with the {@linkplain #DEFAULT_CACHE_BUDGET_BYTES default cache budget}.
   *
   * @param lambda the mixing weight of {@code p}, in [0,1]
   * @param delegate the scorer used for query targets (e.g. Lucene's default flat scorer)
   */
  MixedPairVectorScorer(float lambda, FlatVectorsScorer delegate) {
    this(lambda, delegate, DEFAULT_CACHE_BUDGET_BYTES);
  }

  /**
   * Creates a scorer.
   *
   * @param lambda the mixing weight of {@code p}, in [0,1]
   * @param delegate the scorer used for query targets (e.g. Lucene's default flat scorer)
   * @param cacheBudgetBytes the maximum heap used to cache mixed vectors for a segment whose size
   *     is known up front (merges); 0 disables caching for those
   */
  MixedPairVectorScorer(float lambda, FlatVectorsScorer delegate, long cacheBudgetBytes) {
    PefaChecks.lambda("lambda", lambda);
    if (delegate == null) {
      throw new IllegalArgumentException("delegate must not be null");
    }
    if (cacheBudgetBytes < 0) {
      throw new IllegalArgumentException(
          "cacheBudgetBytes must be >= 0; got cacheBudgetBytes=" + cacheBudgetBytes);
    }
    this.lambda = lambda;
    this.delegate = delegate;
    this.cacheBudgetBytes = cacheBudgetBytes;
  }

  /**
   * Returns the mixing weight of {@code p}.
   *
   * @return lambda
   */
  float lambda() {
    return lambda;
  }

  /**
   * Returns a supplier whose scorers compare two stored paired vectors by the scaled maximum inner
   * product of their mixed vectors. The similarity function argument is ignored: paired fields
   * always use {@link VectorSimilarityFunction#MAXIMUM_INNER_PRODUCT}.
   *
   * @throws IllegalArgumentException if the values are not float vectors of even dimension
   */
  @Override
  public RandomVectorScorerSupplier getRandomVectorScorerSupplier(
      VectorSimilarityFunction similarityFunction, KnnVectorValues vectorValues)
      throws IOException {
    if (vectorValues.getEncoding() != VectorEncoding.FLOAT32
        || !(vectorValues instanceof FloatVectorValues)) {
      throw new IllegalArgumentException(
          "paired vectors must be FLOAT32; got " + vectorValues.getEncoding());
    }
    int dim = vectorValues.dimension();
    if (dim % 2 != 0) {
      throw new IllegalArgumentException(
          "paired vectors must have an even dimension 2d; got dimension " + dim);
    }
    FloatVectorValues values = (FloatVectorValues) vectorValues;
    int size = values.size();
    // size == 0: flush-time values that grow while the graph is built; they are bounded by the
    // IndexWriter RAM buffer, so always cache. Otherwise respect the budget.
    long cacheBytes = (long) size * (dim / 2) * Float.BYTES;
    if (size == 0 || cacheBytes <= cacheBudgetBytes) {
      return new CachedSupplier(values, new MixedVectorCache(values.copy(), lambda));
    }
    return new StreamingSupplier(values, lambda);
  }

  /** Delegates: queries are scored against the stored {@code 2d} vector. */
  @Override
  public RandomVectorScorer getRandomVectorScorer(
      VectorSimilarityFunction similarityFunction, KnnVectorValues vectorValues, float[] target)
      throws IOException {
    return delegate.getRandomVectorScorer(similarityFunction, vectorValues, target);
  }

  /** Delegates: queries are scored against the stored vector. */
  @Override
  public RandomVectorScorer getRandomVectorScorer(
      VectorSimilarityFunction similarityFunction, KnnVectorValues vectorValues, byte[] target)
      throws IOException {
    return delegate.getRandomVectorScorer(similarityFunction, vectorValues, target);
  }

  @Override
  public String toString() {
    return "MixedPairVectorScorer(lambda=" + lambda + ", delegate=" + delegate + ")";
  }

  /** Writes {@code lambda*v[0:d] + (1-lambda)*v[d:2d]} into {@code out} (length d). */
  static void mix(float[] pair, float lambda, float[] out) {
    PefaScoring.xsDocumentVector(pair, lambda, out);
  }

  /**
   * Thread-safe, lazily grown cache of mixed vectors by ordinal. Growth happens under a lock;
   * readers see a consistent array because {@code filled} is published after the array.
   */
  static final class MixedVectorCache {
    private final FloatVectorValues values;
    private final float lambda;
    private final int halfDim;
    private volatile float[][] mixed = new float[0][];
    private volatile int filled;

    MixedVectorCache(FloatVectorValues values, float lambda) {
      this.values = values;
      this.lambda = lambda;
      this.halfDim = values.dimension() / 2;
    }

    /** Makes sure {@code ord} is cached; callers then take a {@link #view()}. */
    void ensure(int ord) throws IOException {
      if (ord >= filled) {
        fill(ord);
      }
    }

    /**
     * A consistent snapshot: reading {@code filled} before {@code mixed} guarantees that the
     * returned array holds at least {@code filled} published entries.
     */
    View view() {
      int f = filled;
      return new View(mixed, f);
    }

    private synchronized void fill(int ord) throws IOException {
      int from = filled;
      if (ord < from) {
        return;
      }
      int to = Math.max(values.size(), ord + 1);
      float[][] arr = mixed;
      if (to > arr.length) {
        float[][] grown = new float[Math.max(to, arr.length + (arr.length >> 1))][];
        System.arraycopy(arr, 0, grown, 0, from);
        arr = grown;
      }
      for (int i = from; i < to; i++) {
        float[] e = new float[halfDim];
        mix(values.vectorValue(i), lambda, e);
        arr[i] = e;
      }
      mixed = arr;
      filled = to;
    }

    int size() {
      return filled;
    }
  }

  /** A snapshot of the cache: {@code vectors[0..available)} are safe to read. */
  record View(float[][] vectors, int available) {}

  /** Scores node pairs from the shared cache: one d-dimensional dot product per comparison. */
  private static final class CachedSupplier implements RandomVectorScorerSupplier {
    private final FloatVectorValues values;
    private final MixedVectorCache cache;

    CachedSupplier(FloatVectorValues values, MixedVectorCache cache) {
      this.values = values;
      this.cache = cache;
    }

    @Override
    public UpdateableRandomVectorScorer scorer() {
      return new UpdateableRandomVectorScorer.AbstractUpdateableRandomVectorScorer(values) {
        // scorer-local snapshot of the cache, so the hot path does no volatile reads
        private float[][] mixed = new float[0][];
        private int available;
        private float[] query;

        private float[] mixed(int ord) throws IOException {
          if (ord >= available) {
            cache.ensure(ord);
            View view = cache.view();
            mixed = view.vectors();
            available = view.available();
          }
          return mixed[ord];
        }

        @Override
        public void setScoringOrdinal(int node) throws IOException {
          query = mixed(node);
        }

        @Override
        public float score(int node) throws IOException {
          return VectorUtil.scaleMaxInnerProductScore(VectorUtil.dotProduct(query, mixed(node)));
        }
      };
    }

    @Override
    public RandomVectorScorerSupplier copy() {
      // the cache is thread-safe and immutable once filled, so copies share it
      return new CachedSupplier(values, cache);
    }

    @Override
    public String toString() {
      return "MixedPairVectorScorer.CachedSupplier(cached=" + cache.size() + ")";
    }
  }

  /**
   * Scores node pairs without extra heap: for scoring ordinal {@code a} it precomputes {@code w =
   * [lambda*e_a, (1-lambda)*e_a]}; then {@code <w, [p_b, u_b]> = <e_a, e_b>}.
   */
  private static final class StreamingSupplier implements RandomVectorScorerSupplier {
    private final FloatVectorValues values;
    private final float lambda;

    StreamingSupplier(FloatVectorValues values, float lambda) {
      this.values = values;
      this.lambda = lambda;
    }

    @Override
    public UpdateableRandomVectorScorer scorer() throws IOException {
      final FloatVectorValues targets = values.copy();
      final FloatVectorValues others = values.copy();
      final int dim = values.dimension();
      final float[] e = new float[dim / 2];
      final float[] w = new float[dim];
      return new UpdateableRandomVectorScorer.AbstractUpdateableRandomVectorScorer(values) {
        @Override
        public void setScoringOrdinal(int node) throws IOException {
          mix(targets.vectorValue(node), lambda, e);
          PefaScoring.xsQuery(e, lambda, w);
        }

        @Override
        public float score(int node) throws IOException {
          return VectorUtil.scaleMaxInnerProductScore(
              VectorUtil.dotProduct(w, others.vectorValue(node)));
        }
      };
    }

    @Override
    public RandomVectorScorerSupplier copy() throws IOException {
      return new StreamingSupplier(values.copy(), lambda);
    }

    @Override
    public String toString() {
      return "MixedPairVectorScorer.StreamingSupplier()";
    }
  }
}
