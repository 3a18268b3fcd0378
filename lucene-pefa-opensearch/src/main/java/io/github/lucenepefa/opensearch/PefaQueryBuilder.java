package io.github.lucenepefa.opensearch;

import static io.github.lucenepefa.opensearch.PefaQueryChecks.checkLambda;
import static io.github.lucenepefa.opensearch.PefaQueryChecks.checkRange;
import static io.github.lucenepefa.opensearch.PefaQueryChecks.checkTemperature;
import static io.github.lucenepefa.opensearch.PefaQueryChecks.checkVector;
import static io.github.lucenepefa.opensearch.PefaQueryChecks.requireField;

import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.search.Neighbour;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.lucene.search.Query;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;
import org.opensearch.index.query.Rewriteable;

/**
 * The {@code pefa} query:
 *
 * <pre>{@code
 * {"pefa": {"field": "embedding", "mode": "xl" | "xs", "vector": [...],
 *           "memory_index": "products-memory", "memory_field": "embedding",
 *           "lambda": 0.5, "k": 16, "top_k": 100, "knn_norm": "sum" | "mean",
 *           "erm_score": "exact" | "top_k", "num_candidates": 100,
 *           "ef_search": 100, "exact": false, "filter": {...},
 *           "rescore": {"oversample_factor": 2.0},
 *           "lexical": {"query": {...}, "weight": 0.1}}}
 * }</pre>
 *
 * <p>{@link PefaQueryXContent} reads and writes this JSON.
 *
 * <p>Sharded, it ranks as one index of every searched document: the coordinating node resolves in
 * {@link #doRewrite}, once per request, PEFA-XL's global {@code N_k(q)} (from the memory index)
 * and the whole search's statistics ({@link GlobalStats}: the global K-th ERM score; with a
 * {@code lexical} clause its term statistics, top score and candidate threshold), through the
 * request's own client (the caller's permissions), and every shard gets a rewritten builder
 * carrying them ({@link PefaQueryPhases}). {@code num_candidates} defaults to the request's {@code
 * from + size}, {@code top_k} and {@code ef_search} to the core's defaults for that many hits.
 */
public final class PefaQueryBuilder extends AbstractQueryBuilder<PefaQueryBuilder> {

  /** The query's name in the DSL. */
  public static final String NAME = "pefa";

  static final int DEFAULT_K = 16;
  /** The hits a query follows when the search request does not say ({@code size}'s default). */
  static final int DEFAULT_HITS = 10;
  static final int MAX_K = 10_000;


  String field;
  boolean xl = true;
  float[] vector;
  String text;
  String memoryIndex;
  String memoryField;
  Float lambda;
  int k = DEFAULT_K;
  Integer topK; // null: follows numCandidates, as the core's K follows n
  boolean knnMean;
  boolean softmax;
  Float temperature;
  boolean ermTopKOnly;
  Integer numCandidates; // null: from + size of the search
  Integer efSearch; // null: follows numCandidates, as the core's effort follows n
  boolean exact;
  QueryBuilder filter;
  /** {@code rescore.oversample_factor}, or null for each quantized graph's default. */
  Float oversample;
  LexicalClause lexical;
  /** The resolved global N_k(q) (XL), set by the coordinator's rewrite. */
  List<Neighbour> neighbours;
  /** Pending neighbour search of the rewrite; never serialized. */
  Supplier<List<Neighbour>> neighboursSupplier;
  /** The whole search's statistics, set by the coordinator's rewrite when the query needs them. */
  GlobalStats stats;
  /** Pending statistics phase of the rewrite; never serialized. */
  Supplier<GlobalStats> statsSupplier;

  /** Creates a query on a {@code pefa_vector} field; set the mode and the vector. */
  public PefaQueryBuilder(String field, boolean xl, float[] vector) {
    this.field = requireField(field);
    this.xl = xl;
    this.vector = vector == null ? null : checkVector(vector);
  }

  PefaQueryBuilder() {}

  /** Reads the query from a stream. */
  public PefaQueryBuilder(StreamInput in) throws IOException {
    super(in);
    field = in.readString();
    xl = in.readBoolean();
    vector = in.readBoolean() ? in.readFloatArray() : null;
    text = in.readOptionalString();
    memoryIndex = in.readOptionalString();
    memoryField = in.readOptionalString();
    lambda = in.readOptionalFloat();
    k = in.readVInt();
    topK = in.readOptionalVInt();
    knnMean = in.readBoolean();
    softmax = in.readBoolean();
    temperature = in.readOptionalFloat();
    ermTopKOnly = in.readBoolean();
    numCandidates = in.readOptionalVInt();
    efSearch = in.readOptionalVInt();
    exact = in.readBoolean();
    filter = in.readOptionalNamedWriteable(QueryBuilder.class);
    lexical = in.readOptionalWriteable(LexicalClause::new);
    if (in.readBoolean()) {
      int size = in.readVInt();
      neighbours = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        neighbours.add(
            new Neighbour(
                in.readString(),
                in.readFloat(),
                in.readMap(StreamInput::readString, StreamInput::readFloat)));
      }
    }
    oversample = in.readOptionalFloat();
    stats = in.readOptionalWriteable(GlobalStats::new);
  }

  @Override
  protected void doWriteTo(StreamOutput out) throws IOException {
    if (neighboursSupplier != null || statsSupplier != null) {
      throw new IllegalStateException(
          "the [pefa] query's neighbours or statistics are still being fetched: rewrite it first");
    }
    out.writeString(field);
    out.writeBoolean(xl);
    out.writeBoolean(vector != null);
    if (vector != null) {
      out.writeFloatArray(vector);
    }
    out.writeOptionalString(text);
    out.writeOptionalString(memoryIndex);
    out.writeOptionalString(memoryField);
    out.writeOptionalFloat(lambda);
    out.writeVInt(k);
    out.writeOptionalVInt(topK);
    out.writeBoolean(knnMean);
    out.writeBoolean(softmax);
    out.writeOptionalFloat(temperature);
    out.writeBoolean(ermTopKOnly);
    out.writeOptionalVInt(numCandidates);
    out.writeOptionalVInt(efSearch);
    out.writeBoolean(exact);
    out.writeOptionalNamedWriteable(filter);
    out.writeOptionalWriteable(lexical);
    out.writeBoolean(neighbours != null);
    if (neighbours != null) {
      out.writeVInt(neighbours.size());
      for (Neighbour nb : neighbours) {
        out.writeString(nb.rowId());
        out.writeFloat(nb.similarity());
        out.writeMap(nb.labels(), StreamOutput::writeString, StreamOutput::writeFloat);
      }
    }
    out.writeOptionalFloat(oversample);
    out.writeOptionalWriteable(stats);
  }

  /** Sets the training-memory index (PEFA-XL). */
  public PefaQueryBuilder memoryIndex(String memoryIndex) {
    this.memoryIndex = memoryIndex;
    return this;
  }

  /** Sets lambda, in [0, 1]. */
  public PefaQueryBuilder lambda(float lambda) {
    this.lambda = checkLambda(lambda);
    return this;
  }

  /** Sets the number of training-memory neighbours (PEFA-XL). */
  public PefaQueryBuilder k(int k) {
    this.k = checkRange(PefaQueryXContent.K, k, 1, MAX_K);
    return this;
  }

  /** Sets the number of ERM candidates K (PEFA-XL). */
  public PefaQueryBuilder topK(int topK) {
    this.topK = checkRange(PefaQueryXContent.TOP_K, topK, 1, Integer.MAX_VALUE);
    return this;
  }

  /** Mean (true) or sum (false) kNN normalisation (PEFA-XL). */
  public PefaQueryBuilder knnMean(boolean mean) {
    this.knnMean = mean;
    return this;
  }

  /** Softmax (true) or similarity (false) neighbour vote (PEFA-XL). */
  public PefaQueryBuilder softmax(boolean softmax) {
    this.softmax = softmax;
    return this;
  }

  /** Sets the softmax vote's temperature (PEFA-XL), finite and > 0. */
  public PefaQueryBuilder temperature(float temperature) {
    this.temperature = checkTemperature(temperature);
    return this;
  }

  /** Gives 0 as ERM part to candidates outside the ERM top-K (PEFA-XL), as the paper's code. */
  public PefaQueryBuilder ermTopKOnly(boolean topKOnly) {
    this.ermTopKOnly = topKOnly;
    return this;
  }

  /** Sets the HNSW beam of every graph search. */
  public PefaQueryBuilder efSearch(int efSearch) {
    this.efSearch = checkRange(PefaQueryXContent.EF_SEARCH, efSearch, 1, Integer.MAX_VALUE);
    return this;
  }

  /** Sets the number of documents each shard returns. */
  public PefaQueryBuilder numCandidates(int n) {
    this.numCandidates = checkRange(PefaQueryXContent.NUM_CANDIDATES, n, 1, Integer.MAX_VALUE);
    return this;
  }

  /** Exhaustive (exact) search of every graph instead of HNSW. */
  public PefaQueryBuilder exact(boolean exact) {
    this.exact = exact;
    return this;
  }

  /** Sets {@code rescore.oversample_factor} for walks of quantized graphs, finite and >= 1. */
  public PefaQueryBuilder oversample(float factor) {
    this.oversample = RescoreOption.check(factor);
    return this;
  }

  /** Restricts the documents PEFA may return. */
  public PefaQueryBuilder filter(QueryBuilder filter) {
    this.filter = filter;
    return this;
  }

  /** Fuses a lexical query into the score: {@code a * lexical / max + (1 - a) * pefa}. */
  public PefaQueryBuilder lexical(QueryBuilder query, float weight) {
    this.lexical = new LexicalClause(query, weight);
    return this;
  }

  @Override
  public String getWriteableName() {
    return NAME;
  }

  @Override
  protected void doXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject(NAME);
    PefaQueryXContent.writeFields(this, builder);
    printBoostAndQueryName(builder);
    builder.endObject();
  }

  /** Parses the query's JSON ({@link PefaQueryXContent}). */
  public static PefaQueryBuilder fromXContent(XContentParser parser) throws IOException {
    return PefaQueryXContent.parse(parser);
  }

  PefaQueryBuilder copy() {
    PefaQueryBuilder b = new PefaQueryBuilder();
    b.field = field;
    b.xl = xl;
    b.vector = vector;
    b.text = text;
    b.memoryIndex = memoryIndex;
    b.memoryField = memoryField;
    b.lambda = lambda;
    b.k = k;
    b.topK = topK;
    b.knnMean = knnMean;
    b.softmax = softmax;
    b.temperature = temperature;
    b.ermTopKOnly = ermTopKOnly;
    b.numCandidates = numCandidates;
    b.efSearch = efSearch;
    b.exact = exact;
    b.filter = filter;
    b.oversample = oversample;
    b.lexical = lexical;
    b.neighbours = neighbours;
    b.stats = stats;
    b.boost(boost());
    b.queryName(queryName());
    return b;
  }

  @Override
  protected QueryBuilder doRewrite(QueryRewriteContext context) throws IOException {
    if (neighboursSupplier != null || statsSupplier != null) {
      List<Neighbour> nk = neighboursSupplier == null ? neighbours : neighboursSupplier.get();
      GlobalStats st = statsSupplier == null ? stats : statsSupplier.get();
      if ((neighboursSupplier != null && nk == null) || (statsSupplier != null && st == null)) {
        return this;
      }
      PefaQueryBuilder b = copy();
      b.neighbours = nk;
      b.stats = st;
      return b;
    }
    if (text != null) {
      throw new IllegalArgumentException(
          "[pefa] [text] needs a text encoder, and this node has none configured (this plugin"
              + " ships without one): send the query's [vector]");
    }
    if (filter != null) {
      QueryBuilder rewritten = filter.rewrite(context);
      if (rewritten != filter) {
        PefaQueryBuilder b = copy();
        b.filter = rewritten;
        return b;
      }
    }
    if (lexical != null) {
      LexicalClause rewritten = lexical.rewrite(context);
      if (rewritten != lexical) {
        PefaQueryBuilder b = copy();
        b.lexical = rewritten;
        return b;
      }
    }
    return PefaQueryPhases.fetch(this, context);
  }

  @Override
  protected Query doToQuery(QueryShardContext context) throws IOException {
    PefaSchema schema = schema(context);
    if (xl && neighbours == null) {
      throw new IllegalStateException(
          "[pefa] an xl query reached a shard without its neighbours: it must be rewritten first");
    }
    try {
      Query pefa = PefaCore.query(schema, params(stats), neighbours, filterQuery(context));
      if (lexicalActive() == false) {
        return pefa;
      }
      Query lex = lexicalQuery(context);
      if (stats == null || stats.complete() == false || stats.oneShard()) {
        // outside a search, or the search's only shard: this shard's own
        return PefaCore.hybrid(pefa, lex, lexical.weight());
      }
      lex = new LexicalStatsQuery(lex, stats.terms());
      return PefaCore.hybrid(pefa, lex, lexical.weight(), stats.lexicalMax(), stats.lexicalThreshold());
    } catch (IllegalArgumentException e) {
      throw new QueryShardException(context, e.getMessage(), e);
    }
  }

  /** The schema of the query's field in the shard's index, checked against the query vector. */
  PefaSchema schema(QueryShardContext context) {
    return PefaQueryChecks.schema(context, field, vector);
  }

  /** The filter as a Lucene query of the shard, or null. */
  Query filterQuery(QueryShardContext context) throws IOException {
    return filter == null ? null : Rewriteable.rewrite(filter, context, true).toQuery(context);
  }

  /** Whether a lexical clause with a weight above 0 is fused into the score. */
  boolean lexicalActive() {
    return lexical != null && lexical.active();
  }

  /** The lexical clause's weight {@code a}. */
  float lexicalWeight() {
    return lexical.weight();
  }

  /** The lexical clause's query as a Lucene query of the shard. */
  Query lexicalQuery(QueryShardContext context) throws IOException {
    return Rewriteable.rewrite(lexical.query(), context, true).toQuery(context);
  }

  /** The core query's parameters, with the whole search's statistics when given. */
  PefaCore.QueryParams params(GlobalStats global) {
    return new PefaCore.QueryParams(
        xl,
        vector,
        lambda,
        k,
        topKOrDefault(),
        knnMean,
        softmax,
        temperature,
        ermTopKOnly,
        numCandidatesOrDefault(),
        exact,
        efSearchOrDefault(),
        oversample,
        global == null || global.complete() == false || global.oneShard()
            ? null
            : global.ermThreshold());
  }

  /** Whether the query is PEFA-XL. */
  boolean xl() {
    return xl;
  }

  /** {@code num_candidates}, or {@link #DEFAULT_HITS} before the coordinator resolved it. */
  int numCandidatesOrDefault() {
    return numCandidates != null ? numCandidates : DEFAULT_HITS;
  }

  /** {@code top_k}, or the core's default K for {@code num_candidates} hits. */
  int topKOrDefault() {
    return topK != null ? topK : PefaCore.defaultTopK(numCandidatesOrDefault());
  }

  /** {@code ef_search}, or the core's default beam for {@code num_candidates} hits. */
  int efSearchOrDefault() {
    return efSearch != null ? efSearch : PefaCore.defaultEf(xl, numCandidatesOrDefault());
  }

  @Override
  protected boolean doEquals(PefaQueryBuilder other) {
    return field.equals(other.field)
        && xl == other.xl
        && Arrays.equals(vector, other.vector)
        && Objects.equals(text, other.text)
        && Objects.equals(memoryIndex, other.memoryIndex)
        && Objects.equals(memoryField, other.memoryField)
        && Objects.equals(lambda, other.lambda)
        && k == other.k
        && Objects.equals(topK, other.topK)
        && knnMean == other.knnMean
        && softmax == other.softmax
        && Objects.equals(temperature, other.temperature)
        && ermTopKOnly == other.ermTopKOnly
        && Objects.equals(numCandidates, other.numCandidates)
        && Objects.equals(efSearch, other.efSearch)
        && exact == other.exact
        && Objects.equals(filter, other.filter)
        && Objects.equals(oversample, other.oversample)
        && Objects.equals(lexical, other.lexical)
        && Objects.equals(neighbours, other.neighbours)
        && Objects.equals(neighboursSupplier, other.neighboursSupplier)
        && Objects.equals(stats, other.stats)
        && Objects.equals(statsSupplier, other.statsSupplier);
  }

  @Override
  protected int doHashCode() {
    return Objects.hash(
        field,
        xl,
        Arrays.hashCode(vector),
        text,
        memoryIndex,
        memoryField,
        lambda,
        k,
        topK,
        knnMean,
        softmax,
        temperature,
        ermTopKOnly,
        numCandidates,
        efSearch,
        exact,
        filter,
        oversample,
        lexical,
        neighbours,
        stats);
  }
}
