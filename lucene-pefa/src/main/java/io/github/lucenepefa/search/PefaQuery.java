package io.github.lucenepefa.search;

import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.KnnVote;
import io.github.lucenepefa.scoring.KnnWeighting;
import io.github.lucenepefa.scoring.PefaChecks;
import io.github.lucenepefa.scoring.PefaScoring;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;

/**
 * A PEFA query: PEFA-XL or PEFA-XS retrieval over an index written by {@link
 * io.github.lucenepefa.index.PefaIndexWriter}. Like Lucene's kNN queries it does its vector work
 * in {@link #rewrite(IndexSearcher)} (segments in parallel on the searcher's executor) and rewrites
 * to the top {@code n} documents with their final scores, so it can be used alone ({@code
 * searcher.search(query, n)}) or as a clause of a {@link BooleanQuery}.
 *
 * <p><b>PEFA-XL</b> ({@link #xl}): finds {@code N_k(q)}, the {@code k} nearest training-memory rows,
 * and the ERM top-{@code K} documents; every document in the ERM top-K or labelled by a neighbour
 * (and accepted by the filter, live, and having an ERM vector) is scored {@code lam * <q,p_d> + (1 -
 * lam) * s_knn(q,d)} with {@code s_knn(q,d) = c * sum_{i in N_k(q)} <q,x_i> * Y[i,d]} ({@code c =
 * 1} for {@link KnnNormalization#SUM}, {@code 1/k} for {@link KnnNormalization#MEAN}). With {@link
 * ErmScoreMode#EXACT} (the default) every candidate gets its true {@code <q,p_d>}; {@link
 * ErmScoreMode#TOP_K_ONLY} gives 0 to candidates outside the ERM top-K, like the paper's code.
 *
 * <p><b>PEFA-XS</b> ({@link #xs}): scores {@code <q, e_d>} with {@code e_d = lam * p_d + (1 - lam) *
 * u_d}. At the index-time lambda ({@link PefaSchema#xsLambda()}, the default here) the query
 * searches the stored {@code e_d} ({@link PefaSchema#xsVectorField()}): one {@code d}-dimensional
 * HNSW graph, the cost of a stock kNN search. Any other search-time lambda is exact, not
 * approximate, in its scores: it walks the same graph (built over {@code e_d} at the index-time
 * lambda) scoring each visited document by {@code <q, e_d(lam)>}, with {@code e_d(lam)} computed
 * from the stored {@code p_d} and {@code e_d} ({@link PefaScoring#xsDocumentVector(float[],
 * float[], float, float, float[])}). Only the graph's navigation is tuned for the index-time
 * lambda, so recall at a far-away lambda may need a larger {@code efSearch} (or {@link
 * AnnEffort#EXHAUSTIVE}); it also reads {@code 2d} floats per visited node. An index built at
 * index-time lambda 1 stores {@code e_d = p_d}, from which no other lambda can be computed: such
 * queries are rejected by {@link Builder#build()}.
 *
 * <p>The optional filter restricts the ERM side and the documents reached through neighbours'
 * labels (XL), or the graph search (XS). Training-memory rows are never filtered.
 *
 * <p>Ties are broken by doc id (index order). With {@link AnnEffort#EXHAUSTIVE} the result equals
 * brute force over every document.
 */
public final class PefaQuery extends Query {

  /** Default PEFA-XL lambda. */
  public static final float DEFAULT_XL_LAMBDA = 0.5f;

  /** Default number of training-memory neighbours. */
  public static final int DEFAULT_K = 16;

  /**
   * The default number {@code K} of PEFA-XL's ERM candidates for {@code n} hits: {@code n}.
   *
   * <p>Why {@code n} is enough: with {@link ErmScoreMode#EXACT} every candidate gets its true
   * score, and a document outside the candidates is labelled by no neighbour, so its score is
   * {@code lam * <q,p_d>}. When {@code K >= n}, the ERM top K holds {@code n} documents of at least
   * that ERM score, each scoring at least as much as it unless its kNN part is negative (a
   * neighbour with {@code <q,x_i> < 0} under the similarity vote): the top {@code n} is then the
   * same for every {@code K >= n}. A larger {@code K} costs ERM beam and exact rescoring. With
   * {@link ErmScoreMode#TOP_K_ONLY} (the paper's) the result depends on {@code K}: tune it.
   *
   * @param n the number of hits, > 0
   * @return {@code K}
   */
  public static int defaultTopK(int n) {
    return PefaChecks.positive("n", n);
  }

  private final PefaMode mode;
  private final PefaSchema schema;
  private final float[] vector;
  private final float lambda;
  private final KnnVote vote;
  private final int topK;
  private final ErmScoreMode ermScoreMode;
  private final float ermThreshold;
  private final AnnEffort effort;
  private final float oversample;
  private final int n;
  private final Query filter;
  private final List<Neighbour> neighbours;

  private PefaQuery(Builder b) {
    this.mode = b.mode;
    this.schema = b.schema;
    this.vector = b.vector;
    this.lambda = b.lambda;
    this.vote = new KnnVote(b.k, b.weighting, b.normalization, b.temperature);
    this.topK = b.topK > 0 ? b.topK : defaultTopK(b.n);
    this.ermScoreMode = b.ermScoreMode;
    this.ermThreshold = b.ermThreshold;
    this.effort = b.effort != null ? b.effort : AnnEffort.forHits(b.mode, b.n);
    this.oversample = b.oversample;
    this.n = b.n;
    this.filter = b.filter;
    this.neighbours = b.neighbours;
  }

  /**
   * Starts a PEFA-XL query for the top {@code n} documents.
   *
   * @param schema the index layout
   * @param queryVector {@code q}, unit length
   * @param n the number of documents the query matches (like the {@code k} of Lucene's kNN
   *     queries: {@code searcher.search(query, m)} returns at most {@code min(n, m)} hits), > 0
   * @return a builder
   */
  public static Builder xl(PefaSchema schema, float[] queryVector, int n) {
    return new Builder(PefaMode.XL, schema, queryVector, n);
  }

  /**
   * Starts a PEFA-XS query for the top {@code n} documents (lambda defaults to the schema's
   * index-time lambda).
   *
   * @param schema the index layout
   * @param queryVector {@code q}, unit length
   * @param n the number of documents the query matches, > 0
   * @return a builder
   */
  public static Builder xs(PefaSchema schema, float[] queryVector, int n) {
    return new Builder(PefaMode.XS, schema, queryVector, n);
  }

  /**
   * @return XL or XS
   */
  public PefaMode mode() {
    return mode;
  }

  /**
   * @return lambda
   */
  public float lambda() {
    return lambda;
  }

  /**
   * @return the number of results
   */
  public int n() {
    return n;
  }

  @Override
  public Query rewrite(IndexSearcher searcher) throws IOException {
    IndexReader reader = searcher.getIndexReader();
    RewrittenFilter rewrittenFilter = RewrittenFilter.of(searcher, filter);
    if (rewrittenFilter.matchesNothing()) {
      return rewrittenFilter.query();
    }
    Weight filterWeight = rewrittenFilter.weight();
    ScoreDoc[] hits;
    PefaScoredDocsQuery.Explainer explainer;
    if (mode == PefaMode.XL) {
      XlResult xl = searchXl(searcher, filterWeight);
      hits = xl.hits();
      explainer = (ctx, doc, score) -> explanations().xl(xl.candidates(), ctx, doc, score);
    } else {
      hits = searchXs(searcher, filterWeight, n);
      explainer = explanations()::xs;
    }
    if (hits.length == 0) {
      return new MatchNoDocsQuery("no PEFA results");
    }
    return PefaScoredDocsQuery.create(reader, hits, explainer, this);
  }

  /**
   * @return the filter, or {@code null}
   */
  Query filter() {
    return filter;
  }

  /**
   * @return the ANN effort
   */
  AnnEffort effort() {
    return effort;
  }

  /**
   * The ERM top-K scores this PEFA-XL query finds in {@code searcher}'s index: the {@code K} best
   * {@code <q,p_d>} among the documents its filter accepts, found with the query's own effort, in
   * descending order (fewer when fewer documents have an ERM vector). A sharded index merges every
   * shard's scores with {@link PefaScoring#ermTopKThreshold} and gives the result to every shard's
   * query ({@link Builder#ermTopKThreshold}), so that the ERM top-K is the whole index's.
   *
   * @param searcher a searcher of one shard
   * @return the scores, descending
   * @throws IOException on I/O errors
   */
  public float[] ermTopKScores(IndexSearcher searcher) throws IOException {
    if (mode != PefaMode.XL) {
      throw new IllegalStateException("ermTopKScores: a PEFA-XS query has no ERM top-K");
    }
    RewrittenFilter rewrittenFilter = RewrittenFilter.of(searcher, filter);
    if (rewrittenFilter.matchesNothing()) {
      return new float[0];
    }
    Weight filterWeight = rewrittenFilter.weight();
    ScoreDoc[] hits =
        XlCandidates.ermTopK(searcher, schema, vector, topK, effort, oversample, filterWeight);
    float[] scores = new float[hits.length];
    for (int i = 0; i < hits.length; i++) {
      scores[i] = hits[i].score;
    }
    return scores;
  }

  /** Raw PEFA scores of candidates, with what explains them. */
  record Scored(ScoreDoc[] hits, PefaScoredDocsQuery.Explainer explainer) {}

  /**
   * The raw PEFA scores of this query's own candidates (its top {@code count} for PEFA-XS) and of
   * {@code extraDocs}, each by the same formula as {@link #rewrite}; documents without the method's
   * vector are left out. Used by {@link PefaHybridQuery}.
   *
   * @param filterWeight the rewritten filter's weight, or {@code null}
   * @param extraDocs live, filter-accepted global doc ids, ascending
   * @param count how many of its own candidates PEFA-XS contributes
   */
  Scored scoreCandidates(IndexSearcher searcher, Weight filterWeight, int[] extraDocs, int count)
      throws IOException {
    if (mode == PefaMode.XL) {
      XlCandidates candidates =
          XlCandidates.search(
              searcher, schema, vector, neighbours, vote.k(), topK, ermThreshold, effort, oversample,
              filterWeight);
      XlResult xl =
          new XlResult(
              candidates.score(lambda, vote, ermScoreMode, Integer.MAX_VALUE, extraDocs)
                  .scoreDocs,
              candidates);
      return new Scored(
          xl.hits(), (ctx, doc, score) -> explanations().xl(xl.candidates(), ctx, doc, score));
    }
    ScoreDoc[] own = searchXs(searcher, filterWeight, count);
    VectorField field =
        searchesXsVectorField()
            ? VectorField.stored(schema.xsVectorField(), false)
            : new XsMixedField(schema, lambda);
    ScoreDoc[] extra =
        ExactDocScores.score(
            searcher.getIndexReader(), field, extraDocs, own, e -> PefaScoring.xsScore(vector, e));
    ScoreDoc[] all = Arrays.copyOf(own, own.length + extra.length);
    System.arraycopy(extra, 0, all, own.length, extra.length);
    return new Scored(all, explanations()::xs);
  }

  /** The outcome of a PEFA-XL search, kept for explanations. */
  private record XlResult(ScoreDoc[] hits, XlCandidates candidates) {}

  private XlResult searchXl(IndexSearcher searcher, Weight filterWeight) throws IOException {
    XlCandidates candidates =
        XlCandidates.search(
            searcher, schema, vector, neighbours, vote.k(), topK, ermThreshold, effort, oversample,
            filterWeight);
    TopDocs top = candidates.score(lambda, vote, ermScoreMode, n);
    return new XlResult(top.scoreDocs, candidates);
  }

  private ScoreDoc[] searchXs(IndexSearcher searcher, Weight filterWeight, int n)
      throws IOException {
    if (searchesXsVectorField()) {
      // e_d at this lambda is stored: one d-dimensional graph, like a stock kNN search
      return LeafVectorSearch.searchAll(
          searcher,
          VectorField.stored(schema.xsVectorField(), false),
          vector,
          n,
          effort,
          oversample,
          filterWeight,
          e -> PefaScoring.xsScore(vector, e));
    }
    // another lambda: walk e_d's graph scoring <q, e_d(lam)>, e_d(lam) computed from p_d and e_d
    return LeafVectorSearch.searchAll(
        searcher,
        new XsMixedField(schema, lambda),
        vector,
        n,
        effort,
        oversample,
        filterWeight,
        e -> PefaScoring.xsScore(vector, e));
  }

  /** Whether this PEFA-XS query searches the stored {@code e_d} (lambda = index-time lambda). */
  private boolean searchesXsVectorField() {
    return mode == PefaMode.XS && isIndexLambda(schema, lambda);
  }

  /** Whether {@code lambda} is the schema's PEFA-XS index-time lambda (the stored e_d's). */
  private static boolean isIndexLambda(PefaSchema schema, float lambda) {
    return Float.floatToIntBits(lambda) == Float.floatToIntBits(schema.xsLambda());
  }

  /** What explains this query's scores. */
  private PefaExplanations explanations() {
    return new PefaExplanations(
        schema, vector, lambda, vote, ermScoreMode, topK, searchesXsVectorField());
  }

  @Override
  public void visit(QueryVisitor visitor) {
    String field = mode == PefaMode.XL ? schema.ermField() : schema.xsVectorField();
    if (visitor.acceptField(field)) {
      visitor.visitLeaf(this);
    }
  }

  @Override
  public String toString(String field) {
    StringBuilder sb = new StringBuilder("PefaQuery(").append(mode);
    sb.append(", lambda=").append(lambda);
    if (mode == PefaMode.XL) {
      sb.append(", ").append(vote).append(", K=").append(topK);
      sb.append(", erm=").append(ermScoreMode);
      if (ermThreshold != Float.NEGATIVE_INFINITY) {
        sb.append(", ermTopKThreshold=").append(ermThreshold);
      }
      if (neighbours != null) {
        sb.append(", neighbours=").append(neighbours.size()).append(" given");
      }
    }
    sb.append(", n=").append(n);
    sb.append(", effort=")
        .append(effort.exhaustive() ? "exhaustive" : "ef " + effort.efSearch());
    if (oversample != LeafVectorSearch.DEFAULT_OVERSAMPLE) {
      sb.append(", oversample=").append(oversample);
    }
    sb.append(", vector=[").append(vector[0]).append(",...]");
    if (filter != null) {
      sb.append(", filter=").append(filter.toString(field));
    }
    return sb.append(')').toString();
  }

  @Override
  public boolean equals(Object o) {
    if (sameClassAs(o) == false) {
      return false;
    }
    PefaQuery q = (PefaQuery) o;
    return mode == q.mode
        && schema.equals(q.schema)
        && Arrays.equals(vector, q.vector)
        && Float.compare(lambda, q.lambda) == 0
        && vote.equals(q.vote)
        && topK == q.topK
        && ermScoreMode == q.ermScoreMode
        && Float.compare(ermThreshold, q.ermThreshold) == 0
        && effort.equals(q.effort)
        && Float.compare(oversample, q.oversample) == 0
        && n == q.n
        && Objects.equals(filter, q.filter)
        && Objects.equals(neighbours, q.neighbours);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        classHash(),
        mode,
        schema,
        Arrays.hashCode(vector),
        lambda,
        vote,
        topK,
        ermScoreMode,
        ermThreshold,
        effort,
        oversample,
        n,
        filter,
        neighbours);
  }

  /** Builder of {@link PefaQuery}; every setter validates its argument. */
  public static final class Builder {
    private final PefaMode mode;
    private final PefaSchema schema;
    private final float[] vector;
    private float lambda;
    private int k = DEFAULT_K;
    private int topK; // 0: defaultTopK(n)
    private KnnNormalization normalization = KnnNormalization.SUM;
    private KnnWeighting weighting = KnnWeighting.SIMILARITY;
    private float temperature = KnnVote.DEFAULT_TEMPERATURE;
    private ErmScoreMode ermScoreMode = ErmScoreMode.EXACT;
    private float ermThreshold = Float.NEGATIVE_INFINITY;
    private AnnEffort effort; // null: AnnEffort.forHits(mode, n)
    private float oversample = LeafVectorSearch.DEFAULT_OVERSAMPLE;
    private final int n;
    private Query filter;
    private List<Neighbour> neighbours;

    private Builder(PefaMode mode, PefaSchema schema, float[] vector, int n) {
      this.mode = mode;
      this.schema = Objects.requireNonNull(schema, "schema");
      this.vector = PefaVectors.checkUnit("query vector", vector, schema.dimension()).clone();
      this.lambda = mode == PefaMode.XS ? schema.xsLambda() : DEFAULT_XL_LAMBDA;
      this.n = PefaChecks.positive("n", n);
    }

    /**
     * @param lambda weight of the ERM part, in [0,1]
     * @return this
     */
    public Builder lambda(float lambda) {
      this.lambda = PefaChecks.lambda("lambda", lambda);
      return this;
    }

    /**
     * @param k number of training-memory neighbours (XL), > 0
     * @return this
     */
    public Builder k(int k) {
      this.k = PefaChecks.positive("k", k);
      return this;
    }

    /**
     * @param topK number of ERM candidates {@code K} (XL), > 0 (default: {@link #defaultTopK(int)
     *     defaultTopK(n)})
     * @return this
     */
    public Builder topK(int topK) {
      this.topK = PefaChecks.positive("K (topK)", topK);
      return this;
    }

    /**
     * @param normalization SUM ({@code c = 1}) or MEAN ({@code c = 1/k}) (XL)
     * @return this
     */
    public Builder knnNormalization(KnnNormalization normalization) {
      this.normalization = Objects.requireNonNull(normalization, "normalization");
      return this;
    }

    /**
     * @param weighting how each neighbour votes (XL): {@link KnnWeighting#SIMILARITY} (the
     *     paper's, the default) or {@link KnnWeighting#SOFTMAX}
     * @return this
     */
    public Builder knnWeighting(KnnWeighting weighting) {
      this.weighting = Objects.requireNonNull(weighting, "weighting");
      return this;
    }

    /**
     * @param temperature the temperature {@code T} of the softmax vote (XL), finite and > 0
     * @return this
     */
    public Builder temperature(float temperature) {
      new KnnVote(1, KnnWeighting.SOFTMAX, KnnNormalization.SUM, temperature); // checks it
      this.temperature = temperature;
      return this;
    }

    /**
     * @param mode EXACT or TOP_K_ONLY (XL)
     * @return this
     */
    public Builder ermScoreMode(ErmScoreMode mode) {
      this.ermScoreMode = Objects.requireNonNull(mode, "ermScoreMode");
      return this;
    }

    /**
     * Takes the ERM top-K's boundary from outside (XL), for an index split into shards: the ERM
     * top-K is then every document of the {@code K} this index finds whose {@code <q,p_d> >=
     * threshold}; the others found are no ERM candidates. With the K-th best {@code <q,p_d>} of the
     * whole index as threshold ({@link PefaQuery#ermTopKScores} of every shard, merged by {@link
     * PefaScoring#ermTopKThreshold}), each shard's ERM top-K is its part of the whole index's, so
     * both ERM-score modes give every shard's documents the candidacy and ERM part they get in one
     * index. Ties: every document found scoring exactly the threshold is in the top-K (one index
     * keeps the first by doc id), up to the {@code K} each shard finds.
     *
     * @param threshold the K-th best ERM score over every shard, not NaN ({@code -Infinity}, the
     *     default, keeps every document found)
     * @return this
     */
    public Builder ermTopKThreshold(float threshold) {
      if (Float.isNaN(threshold)) {
        throw new IllegalArgumentException("ermTopKThreshold must not be NaN");
      }
      this.ermThreshold = threshold;
      return this;
    }

    /**
     * @param effort ANN effort of every graph search (default: {@link AnnEffort#forHits(PefaMode,
     *     int) AnnEffort.forHits(mode, n)})
     * @return this
     */
    public Builder effort(AnnEffort effort) {
      this.effort = Objects.requireNonNull(effort, "effort");
      return this;
    }

    /**
     * How many candidates a walk of a quantized graph collects and rescores with the float vectors:
     * {@code ceil(factor * wanted)} (wanted: {@code n} for PEFA-XS, {@code K} for the ERM side and
     * {@code k} for the training memory of PEFA-XL), or the beam {@code efSearch} if larger (the
     * memory's beam: {@link AnnEffort#forMemory}). Unset, each
     * graph uses its quantization's {@link
     * io.github.lucenepefa.codec.PefaQuantization#defaultOversample() default}. Exact scans
     * ({@link AnnEffort#EXHAUSTIVE}) always score the float vectors.
     *
     * @param factor the oversample factor, finite and {@code >= 1}
     * @return this
     */
    public Builder oversample(float factor) {
      this.oversample = PefaChecks.oversample("oversample", factor);
      return this;
    }

    /**
     * @param filter restricts the documents PEFA may return, or {@code null}
     * @return this
     */
    public Builder filter(Query filter) {
      this.filter = filter;
      return this;
    }

    /**
     * Uses a precomputed {@code N_k(q)} instead of searching this index's memory, for example the
     * global neighbours of a sharded index ({@link TrainingQueryMemory}).
     *
     * @param neighbours neighbours in {@link PefaScoring#NEIGHBOUR_ORDER}, at most {@code k}
     * @return this
     */
    public Builder neighbours(List<Neighbour> neighbours) {
      this.neighbours = List.copyOf(neighbours);
      return this;
    }

    /**
     * @return the query
     */
    public PefaQuery build() {
      if (mode == PefaMode.XS && isIndexLambda(schema, lambda) == false) {
        PefaScoring.checkXsLambdas(schema.xsLambda(), lambda); // lam0 = 1 keeps no u_d
      }
      if (mode == PefaMode.XS
          && schema.xsAnyLambda() == false
          && isIndexLambda(schema, lambda) == false) {
        throw new IllegalArgumentException(
            "PEFA-XS lambda="
                + lambda
                + ": this index serves PEFA-XS at its index-time lambda "
                + schema.xsLambda()
                + " only (PefaSchema xsAnyLambda=false)");
      }
      if (neighbours != null && neighbours.size() > k) {
        throw new IllegalArgumentException(
            "got " + neighbours.size() + " neighbours for k = " + k);
      }
      return new PefaQuery(this);
    }
  }
}
