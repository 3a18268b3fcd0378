package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.KnnVote;
import io.github.lucenepefa.search.PefaQuery;
import java.nio.file.Path;

/**
 * The settings of {@code pefa bench} ({@link BenchRunner}, and of its {@code --pareto} sweep).
 *
 * @param efs efSearch values (Lucene's k/fanout for the stock query)
 * @param n results per query (overlap@n)
 * @param vote PEFA-XL's neighbour vote (k, weighting, normalisation, temperature)
 * @param ermMode PEFA-XL's ERM score of candidates outside the ERM top-K
 * @param topK PEFA-XL ERM candidates K
 * @param kSweep extra K values to time for PEFA-XL (at the first ef), may be empty
 * @param xlLambda PEFA-XL lambda
 * @param xsLambda PEFA-XS lambda (index time = search time)
 * @param maxConn HNSW maxConn of every graph (stock and PEFA) but the PEFA-XS graph
 * @param beamWidth HNSW beamWidth of every graph
 * @param threads threads of the QPS measurement
 * @param warmupSeconds warm-up time per method
 * @param minTimedQueries at least this many timed queries per method (queries repeat)
 * @param ramBufferMb IndexWriter RAM buffer
 * @param workDir where the temporary indexes go
 * @param keepIndexes keep the indexes after the run
 * @param graphOnly also time the graph-only variants
 * @param only a regular expression: time only the methods whose name matches it (null: all)
 * @param xsAnyLambda store the PEFA-XS pair too (false: e_d only, see {@link
 *     PefaSchema.Builder#xsAnyLambda})
 * @param indexThreads threads that add vectors to every index (each builds its own segments'
 *     graphs)
 * @param forceMerge force-merge every index to one segment before searching
 * @param stockMemory also build a stock index of the memory vectors (the reference for the
 *     memory graph's build time)
 * @param buildRepeats how many times the stock memory index and the PEFA memory rows are built
 *     (the extra builds interleaved, in alternating order, into throw-away indexes), so that the
 *     build target compares medians: a single build's time swings with the JIT
 * @param quantization the quantization of every graph, PEFA's and the stock indexes' ({@link
 *     StockKnn})
 * @param oversample the oversample factor of every search of a graph, PEFA's and stock's, or 0
 *     for the quantization's default
 * @param bm25Weight the BM25 weight {@code a} of the hybrid methods ({@link HybridMethods}), or NaN
 *     for none (no hybrid method is timed)
 * @param xsMaxConn HNSW maxConn of the PEFA-XS graph
 */
public record BenchConfig(
    int[] efs,
    int n,
    KnnVote vote,
    ErmScoreMode ermMode,
    int topK,
    int[] kSweep,
    float xlLambda,
    float xsLambda,
    int maxConn,
    int beamWidth,
    int threads,
    double warmupSeconds,
    int minTimedQueries,
    double ramBufferMb,
    Path workDir,
    boolean keepIndexes,
    boolean graphOnly,
    String only,
    boolean xsAnyLambda,
    int indexThreads,
    boolean forceMerge,
    boolean stockMemory,
    int buildRepeats,
    PefaQuantization quantization,
    float oversample,
    float bm25Weight,
    int xsMaxConn) {

  /** @return whether the hybrid methods are timed */
  public boolean hybrid() {
    return Float.isNaN(bm25Weight) == false;
  }

  /**
   * @return the defaults
   */
  public static BenchConfig defaults() {
    return new BenchConfig(
        new int[] {100, 200, 300, 500},
        100,
        KnnVote.similarity(PefaQuery.DEFAULT_K, KnnNormalization.SUM),
        ErmScoreMode.EXACT,
        PefaQuery.defaultTopK(100),
        new int[] {100, 200, 500},
        PefaQuery.DEFAULT_XL_LAMBDA,
        PefaSchema.DEFAULT_XS_LAMBDA,
        PefaSchema.DEFAULT_MAX_CONN,
        PefaSchema.DEFAULT_BEAM_WIDTH,
        2,
        1.0,
        1000,
        1024,
        Path.of(System.getProperty("java.io.tmpdir")),
        false,
        true,
        null,
        true,
        1,
        true,
        true,
        3,
        PefaQuantization.NONE,
        0f,
        Float.NaN,
        PefaSchema.DEFAULT_XS_MAX_CONN);
  }

  /**
   * PEFA-XS of these settings: lambda and oversample; the caller sets the effort.
   *
   * @param schema the PEFA index layout
   * @param q the query vector
   * @param n the hits
   * @return the query's builder
   */
  PefaQuery.Builder xs(PefaSchema schema, float[] q, int n) {
    return oversampled(PefaQuery.xs(schema, q, n).lambda(xsLambda));
  }

  /**
   * PEFA-XL of these settings: lambda, k, vote, ERM score and oversample; the caller sets the effort.
   *
   * @param schema the PEFA index layout
   * @param q the query vector
   * @param n the hits
   * @param topK the ERM candidates K
   * @return the query's builder
   */
  PefaQuery.Builder xl(PefaSchema schema, float[] q, int n, int topK) {
    return oversampled(
        PefaQuery.xl(schema, q, n)
            .lambda(xlLambda)
            .k(k())
            .topK(topK)
            .knnWeighting(vote.weighting())
            .knnNormalization(vote.normalization())
            .temperature(vote.temperature())
            .ermScoreMode(ermMode));
  }

  /** {@code b} with the oversample factor, if one is given (else the fields' default). */
  PefaQuery.Builder oversampled(PefaQuery.Builder b) {
    return oversample > 0 ? b.oversample(oversample) : b;
  }

  /** @return PEFA-XL's neighbours k */
  public int k() {
    return vote.k();
  }

  /** @return the vote for the settings line: {@code SUM}, {@code MEAN} or {@code softmax T=0.05} */
  public String voteLabel() {
    return vote.weighting() == io.github.lucenepefa.scoring.KnnWeighting.SOFTMAX
        ? "softmax T=" + vote.temperature()
        : vote.normalization().name();
  }
}
