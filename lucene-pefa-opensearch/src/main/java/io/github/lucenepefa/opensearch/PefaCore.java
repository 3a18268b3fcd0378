package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.codec.Pefa01VectorsFormat;
import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import io.github.lucenepefa.index.TrainingLabels;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.KnnVote;
import io.github.lucenepefa.scoring.KnnWeighting;
import io.github.lucenepefa.scoring.PefaScoring;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.Neighbour;
import io.github.lucenepefa.search.PefaHybridQuery;
import io.github.lucenepefa.search.PefaMode;
import io.github.lucenepefa.search.PefaQuery;
import io.github.lucenepefa.search.TrainingQueryMemory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;

/**
 * Every call this plugin makes into the lucene-pefa core library, in one place: the schema of a
 * field, the Lucene fields of a document and of a memory row, the query, the memory search and the
 * formulas. Nothing else in the plugin imports the core's classes (besides the record types passed
 * through), so a change of the core's API is adapted here.
 */
final class PefaCore {

  private PefaCore() {}

  /** The core's vectors format, used by the plugin's codec for PEFA fields. */
  static KnnVectorsFormat vectorsFormat() {
    return new Pefa01VectorsFormat();
  }

  /**
   * The schema of one PEFA field: every Lucene field it writes is named {@code <field>.<part>}, so
   * several PEFA fields coexist in one index.
   */
  static PefaSchema schema(
      String field,
      int dimension,
      float xsLambda,
      boolean xsAnyLambda,
      int m,
      int efConstruction,
      int xsM,
      PefaQuantization quantization) {
    return PefaSchema.builder(dimension)
        .fieldPrefix(field + ".")
        .xsLambda(xsLambda)
        .xsAnyLambda(xsAnyLambda)
        .hnsw(m, efConstruction)
        .xsHnsw(xsM, efConstruction)
        .ermQuantization(quantization)
        .xsQuantization(quantization)
        .build();
  }

  /** The schema of one {@code pefa_memory} field, its graph quantized with {@code quantization}. */
  static PefaSchema memorySchema(
      String field, int dimension, int m, int efConstruction, PefaQuantization quantization) {
    return PefaSchema.builder(dimension)
        .fieldPrefix(field + ".")
        .xsLambda(0.5f)
        .xsAnyLambda(false)
        .hnsw(m, efConstruction)
        .memoryQuantization(quantization)
        .build();
  }

  /** The Lucene vector fields of a document's PEFA field (ERM, XS vector). */
  static List<String> documentVectorFields(PefaSchema schema) {
    List<String> out = new ArrayList<>(2);
    out.add(schema.ermField());
    out.add(schema.xsVectorField());
    return out;
  }

  /** The Lucene field of a memory row's vector. */
  static String memoryVectorField(PefaSchema schema) {
    return schema.memoryField();
  }

  /** The Lucene field indexing each label key of a memory row as a term. */
  static String labelTermsField(PefaSchema schema) {
    return schema.labelKeyField();
  }

  /** Checks length, finiteness and unit norm, as the core does for every vector it takes. */
  static float[] checkUnit(String what, float[] vector, int dimension) {
    return PefaVectors.checkUnit(what, vector, dimension);
  }

  /** The PEFA Lucene fields of one document with key {@code key}, ERM vector p and centroid u. */
  static List<IndexableField> documentFields(PefaSchema schema, String key, float[] p, float[] u) {
    return schema.documentFields(key, p, u);
  }

  /**
   * The Lucene fields of one memory row, in the layout {@link TrainingQueryMemory} reads (row id,
   * vector {@code x_i}, labels, one term per label key in {@link #labelTermsField}, through which
   * the rows labelling a document are found without a scan).
   */
  static List<IndexableField> memoryRowFields(
      PefaSchema schema, String rowId, float[] x, Map<String, Float> labels) {
    return schema.memoryRowFields(rowId, x, labels);
  }

  /** A memory row read back from a memory shard: id, vector and labels. */
  record StoredRow(String rowId, float[] vector, Map<String, Float> labels) {}

  /** Reads the memory row at {@code doc} of a segment, or null when the doc is not a row. */
  static StoredRow readRow(PefaSchema schema, LeafReaderContext ctx, int doc) throws IOException {
    BinaryDocValues labels = ctx.reader().getBinaryDocValues(schema.labelsField());
    FloatVectorValues vectors = ctx.reader().getFloatVectorValues(schema.memoryField());
    if (labels == null || vectors == null || labels.advanceExact(doc) == false) {
      return null;
    }
    KnnVectorValues.DocIndexIterator it = vectors.iterator();
    if (it.advance(doc) != doc) {
      return null;
    }
    TrainingLabels decoded = TrainingLabels.decode(labels.binaryValue());
    return new StoredRow(
        decoded.rowId(), vectors.vectorValue(it.index()).clone(), Map.copyOf(decoded.weights()));
  }

  /** {@code N_k(q)} of one memory shard, in the core's neighbour order. */
  static List<Neighbour> nearest(
      IndexSearcher searcher, PefaSchema schema, float[] q, int k, AnnEffort effort)
      throws IOException {
    return TrainingQueryMemory.nearest(searcher, schema, q, k, effort);
  }

  /**
   * {@code N_k(q)} of one memory shard, a quantized memory graph walked with an oversample factor.
   *
   * @param oversample the factor ({@code >= 1}), or 0 for the graph's quantization default
   */
  static List<Neighbour> nearest(
      IndexSearcher searcher,
      PefaSchema schema,
      float[] q,
      int k,
      AnnEffort effort,
      float oversample)
      throws IOException {
    return TrainingQueryMemory.nearest(searcher, schema, q, k, effort, oversample);
  }

  /** Checks an oversample factor as the core does (finite, {@code >= 1}), naming {@code name}. */
  static float checkOversample(String name, float factor) {
    return io.github.lucenepefa.scoring.PefaChecks.oversample(name, factor);
  }

  /** The global {@code N_k(q)} of the union of every shard's neighbours. */
  static List<Neighbour> topNeighbours(List<Neighbour> all, int k) {
    return PefaScoring.topNeighbours(all, k);
  }

  /** {@code u_d = normalize(sum_i Y[i,d] x_i)} over the rows labelling one document. */
  static float[] labelCentroid(List<StoredRow> rows, String key, int dimension) {
    List<PefaScoring.WeightedRow> weighted = new ArrayList<>(rows.size());
    for (StoredRow row : rows) {
      Float w = row.labels().get(key);
      if (w != null) {
        weighted.add(new PefaScoring.WeightedRow(row.rowId(), row.vector(), w));
      }
    }
    return PefaScoring.labelCentroid(weighted, dimension);
  }

  /** Checks a mixing weight as the core does ({@code [0,1]}), naming {@code name}. */
  static float checkLambda(String name, float lambda) {
    return io.github.lucenepefa.scoring.PefaChecks.lambda(name, lambda);
  }

  /** Checks a softmax temperature as the core does (finite, > 0). */
  static float checkTemperature(float temperature) {
    KnnVote.softmax(1, temperature);
    return temperature;
  }

  /** The effort of every graph search: exhaustive (exact) or HNSW with beam {@code efSearch}. */
  static AnnEffort effort(boolean exact, int efSearch) {
    return exact ? new AnnEffort(efSearch, true, -1) : AnnEffort.ef(efSearch);
  }

  /**
   * The effort of the memory search for {@code N_k(q)} of a query searching with {@link
   * #effort(boolean, int)}: the core's own rule ({@link AnnEffort#forMemory}), so that the plugin's
   * neighbours are the core's at the same settings.
   */
  static AnnEffort memoryEffort(boolean exact, int efSearch, int k) {
    return effort(exact, efSearch).forMemory(k);
  }

  /**
   * The parameters of one PEFA query, as the DSL gives them.
   *
   * @param softmax XL neighbour vote: softmax over the similarities (true) or the similarities
   *     themselves (false, the paper's)
   * @param temperature the softmax vote's temperature, or null for the core's default
   * @param oversample the oversample factor of quantized graph walks ({@code >= 1}), or null for
   *     each graph's quantization default
   * @param ermThreshold the whole search's K-th best ERM score ({@link GlobalStats}), or null for
   *     the shard's own ERM top-K
   */
  record QueryParams(
      boolean xl,
      float[] vector,
      Float lambda,
      int k,
      int topK,
      boolean knnMean,
      boolean softmax,
      Float temperature,
      boolean ermTopKOnly,
      int n,
      boolean exact,
      int efSearch,
      Float oversample,
      Float ermThreshold) {}

  /**
   * The Lucene query of one shard: PEFA-XL with the resolved global neighbours, or PEFA-XS.
   *
   * @throws IllegalArgumentException when a parameter does not fit the field
   */
  static Query query(PefaSchema schema, QueryParams p, List<Neighbour> neighbours, Query filter) {
    PefaQuery.Builder b =
        p.xl() ? PefaQuery.xl(schema, p.vector(), p.n()) : PefaQuery.xs(schema, p.vector(), p.n());
    if (p.lambda() != null) {
      b.lambda(p.lambda());
    }
    b.effort(effort(p.exact(), p.efSearch())).filter(filter);
    if (p.oversample() != null) {
      b.oversample(p.oversample());
    }
    if (p.xl()) {
      b.k(p.k())
          .topK(p.topK())
          .knnNormalization(p.knnMean() ? KnnNormalization.MEAN : KnnNormalization.SUM)
          .knnWeighting(p.softmax() ? KnnWeighting.SOFTMAX : KnnWeighting.SIMILARITY)
          .ermScoreMode(p.ermTopKOnly() ? ErmScoreMode.TOP_K_ONLY : ErmScoreMode.EXACT);
      if (neighbours != null) {
        b.neighbours(neighbours);
      }
      if (p.temperature() != null) {
        b.temperature(p.temperature());
      }
      if (p.ermThreshold() != null) {
        b.ermTopKThreshold(p.ermThreshold());
      }
    }
    return b.build();
  }

  /**
   * The ERM top-K scores of one shard for a PEFA-XL query, found as the shard's query finds them
   * (same K, effort and filter), descending.
   */
  static float[] ermTopKScores(PefaSchema schema, QueryParams p, Query filter, IndexSearcher searcher)
      throws IOException {
    return ((PefaQuery) query(schema, p, null, filter)).ermTopKScores(searcher);
  }

  /** The K-th best ERM score of every shard's ERM top-K scores ({@code -Infinity}: fewer). */
  static float ermTopKThreshold(List<float[]> shardScores, int topK) {
    return PefaScoring.ermTopKThreshold(shardScores, topK);
  }

  /** A shard's lexical statistics of a hybrid query ({@code PefaHybridQuery}). */
  record LexicalStatistics(float max, float[] topScores) {}

  /** The hybrid query of one shard: the PEFA query fused with {@code lexical} at weight {@code a}. */
  static PefaHybridQuery hybrid(Query pefa, Query lexical, float a) {
    return new PefaHybridQuery(
        (PefaQuery) pefa, lexical, a, PefaHybridQuery.DEFAULT_LEXICAL_TOP_K);
  }

  /** The hybrid query of one shard with the whole search's lexical max and threshold. */
  static Query hybrid(Query pefa, Query lexical, float a, float max, float threshold) {
    return hybrid(pefa, lexical, a).withShardStatistics(max, threshold);
  }

  /** One shard's lexical statistics of the hybrid query, for the whole search's max and threshold. */
  static LexicalStatistics lexicalStatistics(
      PefaSchema schema, QueryParams p, Query filter, Query lexical, float a, IndexSearcher searcher)
      throws IOException {
    PefaHybridQuery.LexicalStatistics s =
        hybrid(query(schema, p, null, filter), lexical, a).lexicalStatistics(searcher);
    return new LexicalStatistics(s.max(), s.topScores());
  }

  /** The number of lexical candidates of a hybrid query of {@code n} hits. */
  static int lexicalCandidates(int n) {
    return Math.max(n, PefaHybridQuery.DEFAULT_LEXICAL_TOP_K);
  }

  /** The core's default number of ERM candidates K for {@code n} hits. */
  static int defaultTopK(int n) {
    return PefaQuery.defaultTopK(n);
  }

  /** The core's default HNSW beam for {@code n} hits of PEFA-XL or PEFA-XS. */
  static int defaultEf(boolean xl, int n) {
    return AnnEffort.defaultEf(xl ? PefaMode.XL : PefaMode.XS, n);
  }
}
