package io.github.lucenepefa.index;

import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.scoring.PefaChecks;
import java.util.Map;
import java.util.Objects;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.BytesRef;

/**
 * The layout of a PEFA index: field names, vector dimension, the PEFA-XS index-time lambda and the
 * HNSW parameters and quantization of each vector field. One Lucene index holds two kinds of
 * documents:
 *
 * <ul>
 *   <li><b>documents</b>: an external key ({@link #keyField()}, indexed, stored and a sorted doc
 *       value), the ERM vector {@code p_d} ({@link #ermField()}, HNSW, dot product), the PEFA-XS
 *       document vector {@code e_d = lam*p_d + (1-lam)*u_d} at the index-time lambda ({@link
 *       #xsVectorField()}, HNSW, maximum inner product: what a PEFA-XS query at that lambda
 *       searches, at the cost of a stock kNN search; a PEFA-XS query at another lambda walks the
 *       same graph and scores {@code e_d(lam)} computed from {@code p_d} and {@code e_d}), next to
 *       any fields of the application;
 *   <li><b>training-memory rows</b>: a row id ({@link #rowIdField()}), the training-query vector
 *       {@code x_i} ({@link #memoryField()}, HNSW, dot product), its labels ({@link
 *       #labelsField()}, a binary doc value, see {@link TrainingLabels}) and one term per labelled
 *       key ({@link #labelKeyField()}), through which the rows labelling a document are found.
 * </ul>
 *
 * <p>Documents also record their application fields ({@link #sourceField()}) so that {@link
 * PefaIndexWriter} can re-index a document when its PEFA-XS vector changes. Memory rows are hidden
 * from ordinary searches by {@link PefaDirectoryReader}; {@link #documentsQuery()} selects documents
 * only on a reader that does not hide them. The schema is saved in the commit user data by {@link
 * PefaIndexWriter} and
 * read back with {@link #read(IndexReader)}.
 */
public final class PefaSchema {

  /** Commit user-data key under which {@link PefaIndexWriter} records the schema. */
  public static final String COMMIT_KEY = "pefa.schema";

  /** Default PEFA-XS index-time lambda (the paper's NQ320K setting). */
  public static final float DEFAULT_XS_LAMBDA = 0.5f;

  /** Default HNSW max connections per node (Lucene's default). */
  public static final int DEFAULT_MAX_CONN = 16;

  /** Default HNSW beam width at construction (Lucene's default). */
  public static final int DEFAULT_BEAM_WIDTH = 100;

  /**
   * Default HNSW max connections per node of the PEFA-XS graph, twice {@link #DEFAULT_MAX_CONN}. An
   * inner-product graph of the {@code e_d} (whose norms differ) leaves more nodes with no incoming
   * link than a graph of unit vectors does, and no walk reaches those: at 100k documents with 16
   * connections 3.5 % of the nodes, and 0.3 % of the exact top 100 of a query, against 0.07 % and
   * 0.02 % for the ERM graph; with 32 connections 0.36 % and 0.01 % (docs/performance.md, "PEFA-XS
   * at larger indexes"). An index committed with another PEFA-XS maxConn (16, when built with the
   * same parameters on all three graphs) is written to with its own schema ({@link
   * #read(IndexReader)}); {@link PefaIndexWriter} refuses a writer schema that differs from the
   * committed one and names both.
   */
  public static final int DEFAULT_XS_MAX_CONN = 2 * DEFAULT_MAX_CONN;

  private final int dimension;
  private final float xsLambda;
  private final String prefix;
  private final boolean xsAnyLambda;
  private final GraphSettings erm, xs, memory;
  private final FieldType ermType, xsVectorType, memoryType;

  private PefaSchema(Builder b) {
    this.dimension = b.dimension;
    this.xsAnyLambda = b.xsAnyLambda;
    this.xsLambda = b.xsLambda;
    this.prefix = b.prefix;
    this.erm = new GraphSettings(b.ermMaxConn, b.ermBeamWidth, b.ermQuantization);
    this.xs = new GraphSettings(b.xsMaxConn, b.xsBeamWidth, b.xsQuantization);
    this.memory = new GraphSettings(b.memoryMaxConn, b.memoryBeamWidth, b.memoryQuantization);
    this.ermType = erm.fieldType(dimension, VectorSimilarityFunction.DOT_PRODUCT);
    this.memoryType = memory.fieldType(dimension, VectorSimilarityFunction.DOT_PRODUCT);
    this.xsVectorType = xs.fieldType(dimension, VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT);
  }

  /**
   * Starts a schema for vectors of the given dimension.
   *
   * @param dimension the ERM dimension, e.g. 384
   * @return a builder
   */
  public static Builder builder(int dimension) {
    return new Builder(dimension);
  }

  /**
   * @return the ERM vector dimension {@code d}
   */
  public int dimension() {
    return dimension;
  }

  /**
   * @return the lambda the PEFA-XS graph was built with (the default search-time lambda of XS)
   */
  public float xsLambda() {
    return xsLambda;
  }

  /**
   * @return the quantization of the ERM graph ({@link #ermField()})
   */
  public PefaQuantization ermQuantization() {
    return erm.quantization();
  }

  /**
   * @return the quantization of the PEFA-XS graph ({@link #xsVectorField()})
   */
  public PefaQuantization xsQuantization() {
    return xs.quantization();
  }

  /**
   * @return the quantization of the training-memory graph ({@link #memoryField()})
   */
  public PefaQuantization memoryQuantization() {
    return memory.quantization();
  }

  /**
   * @return the external document key field
   */
  public String keyField() {
    return prefix + "key";
  }

  /**
   * @return the ERM vector field
   */
  public String ermField() {
    return prefix + "erm";
  }

  /**
   * @return whether PEFA-XS can be searched at any lambda, or only at {@link #xsLambda()}: any
   *     lambda unless {@link Builder#xsAnyLambda(boolean) xsAnyLambda(false)}, or an index-time
   *     lambda of 1 (then {@code e_d = p_d} keeps no label part to mix at another lambda)
   */
  public boolean xsAnyLambda() {
    return xsAnyLambda && xsLambda < 1f;
  }

  /**
   * @return the PEFA-XS document vector field ({@code e_d} at the index-time lambda, dimension
   *     {@code d})
   */
  public String xsVectorField() {
    return prefix + "xs.e";
  }

  /**
   * @return the training-query vector field of memory rows
   */
  public String memoryField() {
    return prefix + "memory";
  }

  /**
   * @return the row id field of memory rows
   */
  public String rowIdField() {
    return prefix + "row";
  }

  /**
   * @return the binary doc-value field holding each memory row's {@link TrainingLabels}
   */
  public String labelsField() {
    return prefix + "labels";
  }

  /**
   * @return the indexed field of memory rows holding one term per labelled document key, so that
   *     the rows labelling a document are found through the terms dictionary
   */
  public String labelKeyField() {
    return prefix + "label";
  }

  /**
   * @return the stored field of documents that records their application fields, so that {@link
   *     PefaIndexWriter} can index a document again when its PEFA-XS vector changes
   */
  public String sourceField() {
    return prefix + "source";
  }

  /**
   * @param fieldName a field name
   * @return whether the name is one of this schema's PEFA fields (applications must not use it)
   */
  public boolean reserves(String fieldName) {
    return fieldName.equals(keyField())
        || fieldName.equals(ermField())
        || fieldName.equals(xsVectorField())
        || fieldName.equals(memoryField())
        || fieldName.equals(rowIdField())
        || fieldName.equals(labelsField())
        || fieldName.equals(labelKeyField())
        || fieldName.equals(sourceField());
  }

  /**
   * @return a query matching every document (and no memory row)
   */
  public Query documentsQuery() {
    return new FieldExistsQuery(keyField());
  }

  /**
   * @return a query matching every training-memory row
   */
  public Query memoryRowsQuery() {
    return new FieldExistsQuery(labelsField());
  }

  /**
   * @param key a document key
   * @return the term identifying that document
   */
  public Term keyTerm(String key) {
    return new Term(keyField(), key);
  }

  /**
   * @param rowId a memory row id
   * @return the term identifying that row
   */
  public Term rowTerm(String rowId) {
    return new Term(rowIdField(), rowId);
  }

  /**
   * The PEFA fields of one document: its key (indexed, stored and a sorted doc value), and when it
   * has an ERM vector, {@code p_d} and the PEFA-XS vector {@code e_d} at the index-time lambda
   * (from which PEFA-XS at any other lambda is computed with {@code p_d}).
   * For engines that write documents themselves (for example the OpenSearch plugin's field
   * mapper); {@link PefaIndexWriter} uses the same method.
   *
   * @param key the external key
   * @param ermVector {@code p_d} (unit length), or {@code null} for a document without a vector
   *     (never returned by PEFA)
   * @param labelCentroid {@code u_d = normalize(sum_i Y[i,d] x_i)} ({@link
   *     io.github.lucenepefa.scoring.PefaScoring#labelCentroid}), the zero vector when no memory
   *     row labels the document; ignored when {@code ermVector} is null
   * @return the fields, to add to the document
   */
  public java.util.List<org.apache.lucene.index.IndexableField> documentFields(
      String key, float[] ermVector, float[] labelCentroid) {
    java.util.List<org.apache.lucene.index.IndexableField> fields = new java.util.ArrayList<>(4);
    fields.add(new StringField(keyField(), key, Field.Store.YES));
    fields.add(new SortedDocValuesField(keyField(), new BytesRef(key)));
    if (ermVector != null) {
      fields.add(new KnnFloatVectorField(ermField(), ermVector, ermType));
      float[] e =
          io.github.lucenepefa.scoring.PefaScoring.xsDocumentVector(
              ermVector, labelCentroid, xsLambda);
      fields.add(new KnnFloatVectorField(xsVectorField(), e, xsVectorType));
    }
    return fields;
  }

  /** Adds {@link #documentFields} to {@code doc}. */
  Document addDocumentFields(Document doc, String key, float[] ermVector, float[] labelCentroid) {
    for (org.apache.lucene.index.IndexableField f : documentFields(key, ermVector, labelCentroid)) {
      doc.add(f);
    }
    return doc;
  }

  /**
   * The fields of one training-memory row: its id ({@link #rowIdField()}), its vector {@code x_i}
   * ({@link #memoryField()}), its labels ({@link #labelsField()}) and one term per labelled key
   * ({@link #labelKeyField()}). For engines that keep a memory of their own (such as the OpenSearch
   * plugin's memory index); {@link PefaIndexWriter} uses the same method.
   *
   * @param rowId the row id
   * @param vector {@code x_i} (unit length)
   * @param labels document key to weight {@code Y[i,d]}
   * @return the fields, to add to the row's document
   * @throws IllegalArgumentException naming a bad id, key or weight
   */
  public java.util.List<org.apache.lucene.index.IndexableField> memoryRowFields(
      String rowId, float[] vector, Map<String, Float> labels) {
    TrainingLabels encoded = new TrainingLabels(rowId, labels);
    java.util.List<org.apache.lucene.index.IndexableField> fields =
        new java.util.ArrayList<>(3 + labels.size());
    fields.add(new StringField(rowIdField(), rowId, Field.Store.NO));
    fields.add(new KnnFloatVectorField(memoryField(), vector, memoryType));
    fields.add(new BinaryDocValuesField(labelsField(), encoded.encode()));
    for (String key : encoded.weights().keySet()) {
      fields.add(new StringField(labelKeyField(), key, Field.Store.NO));
    }
    return fields;
  }

  /** The Lucene document of one training-memory row ({@link #memoryRowFields}). */
  Document memoryRowDocument(float[] vector, TrainingLabels labels) {
    Document doc = new Document();
    for (org.apache.lucene.index.IndexableField f :
        memoryRowFields(labels.rowId(), vector, labels.weights())) {
      doc.add(f);
    }
    return doc;
  }

  /**
   * @return the schema as a commit user-data value
   */
  public String toCommitValue() {
    return SchemaCommitValue.encode(dimension, xsLambda, prefix, xsAnyLambda, erm, xs, memory);
  }

  /**
   * Parses {@link #toCommitValue()}.
   *
   * @param value the commit user-data value
   * @return the schema
   * @throws IllegalArgumentException when the value is malformed
   */
  public static PefaSchema fromCommitValue(String value) {
    return SchemaCommitValue.decode(value);
  }

  /**
   * Reads the schema recorded in the commit an index reader was opened on.
   *
   * @param reader a {@link org.apache.lucene.index.DirectoryReader}
   * @return the schema
   * @throws IllegalArgumentException when the commit holds no PEFA schema
   * @throws java.io.IOException on I/O errors
   */
  public static PefaSchema read(IndexReader reader) throws java.io.IOException {
    return SchemaCommitValue.read(reader);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PefaSchema other && toCommitValue().equals(other.toCommitValue());
  }

  @Override
  public int hashCode() {
    return toCommitValue().hashCode();
  }

  @Override
  public String toString() {
    return "PefaSchema(" + toCommitValue() + ")";
  }

  /** Builder of {@link PefaSchema}; every setter validates its argument. */
  public static final class Builder {
    private final int dimension;
    private float xsLambda = DEFAULT_XS_LAMBDA;
    private String prefix = "pefa.";
    private int ermMaxConn = DEFAULT_MAX_CONN, ermBeamWidth = DEFAULT_BEAM_WIDTH;
    private int xsMaxConn = DEFAULT_XS_MAX_CONN, xsBeamWidth = DEFAULT_BEAM_WIDTH;
    private int memoryMaxConn = DEFAULT_MAX_CONN, memoryBeamWidth = DEFAULT_BEAM_WIDTH;
    private boolean xsAnyLambda = true;
    private PefaQuantization ermQuantization = PefaQuantization.NONE;
    private PefaQuantization xsQuantization = PefaQuantization.NONE;
    private PefaQuantization memoryQuantization = PefaQuantization.NONE;

    private Builder(int dimension) {
      this.dimension = PefaChecks.positive("dimension", dimension);
    }

    /**
     * @param lambda the PEFA-XS index-time lambda, in [0,1]
     * @return this
     */
    public Builder xsLambda(float lambda) {
      this.xsLambda = PefaChecks.lambda("xsLambda", lambda);
      return this;
    }

    /**
     * @param anyLambda {@code true} (the default) lets PEFA-XS be searched at any lambda, {@code
     *     false} only at the index-time lambda (queries at another are rejected). The index is the
     *     same either way: {@code p_d} and {@code e_d} at the index-time lambda, from which {@code
     *     e_d} at any lambda is computed (with an index-time lambda below 1)
     * @return this
     */
    public Builder xsAnyLambda(boolean anyLambda) {
      this.xsAnyLambda = anyLambda;
      return this;
    }

    /**
     * @param prefix prefix of every PEFA field name (default {@code "pefa."})
     * @return this
     */
    public Builder fieldPrefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * @param maxConn HNSW max connections of the ERM graph
     * @param beamWidth HNSW construction beam width of the ERM graph
     * @return this
     */
    public Builder ermHnsw(int maxConn, int beamWidth) {
      this.ermMaxConn = PefaChecks.positive("ermMaxConn", maxConn);
      this.ermBeamWidth = PefaChecks.positive("ermBeamWidth", beamWidth);
      return this;
    }

    /**
     * @param maxConn HNSW max connections of the PEFA-XS graph (default {@value
     *     #DEFAULT_XS_MAX_CONN})
     * @param beamWidth HNSW construction beam width of the PEFA-XS graph
     * @return this
     */
    public Builder xsHnsw(int maxConn, int beamWidth) {
      this.xsMaxConn = PefaChecks.positive("xsMaxConn", maxConn);
      this.xsBeamWidth = PefaChecks.positive("xsBeamWidth", beamWidth);
      return this;
    }

    /**
     * @param maxConn HNSW max connections of the training-memory graph
     * @param beamWidth HNSW construction beam width of the training-memory graph
     * @return this
     */
    public Builder memoryHnsw(int maxConn, int beamWidth) {
      this.memoryMaxConn = PefaChecks.positive("memoryMaxConn", maxConn);
      this.memoryBeamWidth = PefaChecks.positive("memoryBeamWidth", beamWidth);
      return this;
    }

    /**
     * Sets the same HNSW parameters on all three graphs. The PEFA-XS graph then has {@code maxConn}
     * too, not its larger default ({@link #DEFAULT_XS_MAX_CONN}); call {@link #xsHnsw} after this to
     * give it another.
     *
     * @param maxConn HNSW max connections
     * @param beamWidth HNSW construction beam width
     * @return this
     */
    public Builder hnsw(int maxConn, int beamWidth) {
      return ermHnsw(maxConn, beamWidth).xsHnsw(maxConn, beamWidth).memoryHnsw(maxConn, beamWidth);
    }

    /**
     * @param quantization the vectors the ERM graph scores (default {@link
     *     PefaQuantization#NONE}); searches rescore its candidates with the float vectors
     * @return this
     */
    public Builder ermQuantization(PefaQuantization quantization) {
      this.ermQuantization = Objects.requireNonNull(quantization, "ermQuantization");
      return this;
    }

    /**
     * @param quantization the vectors the PEFA-XS graph ({@code e_d}) scores (default {@link
     *     PefaQuantization#NONE})
     * @return this
     */
    public Builder xsQuantization(PefaQuantization quantization) {
      this.xsQuantization = Objects.requireNonNull(quantization, "xsQuantization");
      return this;
    }

    /**
     * @param quantization the vectors the training-memory graph scores (default {@link
     *     PefaQuantization#NONE})
     * @return this
     */
    public Builder memoryQuantization(PefaQuantization quantization) {
      this.memoryQuantization = Objects.requireNonNull(quantization, "memoryQuantization");
      return this;
    }

    /**
     * Sets the same quantization on the three graphs (ERM, PEFA-XS {@code e_d}, training memory).
     *
     * @param quantization the vectors the graphs score
     * @return this
     */
    public Builder quantization(PefaQuantization quantization) {
      return ermQuantization(quantization)
          .xsQuantization(quantization)
          .memoryQuantization(quantization);
    }

    /**
     * @return the schema
     * @throws IllegalArgumentException if a field cannot take its quantization (more than {@value
     *     PefaQuantization#MAX_QUANTIZED_DIMENSIONS} dimensions)
     */
    public PefaSchema build() {
      return new PefaSchema(this);
    }
  }
}
