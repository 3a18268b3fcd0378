package io.github.lucenepefa.codec;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.TaskExecutor;

/**
 * An HNSW vectors format whose graph parameters and graph-building similarity are chosen per field
 * from {@link FieldInfo} attributes, so that a single SPI-registered format (name {@value #NAME})
 * serves every field and an index reopens by name without custom codec code.
 *
 * <p>Compared to {@link Lucene99HnswVectorsFormat} it adds <b>per-field HNSW parameters</b>: the
 * attributes {@value #MAX_CONN_ATTRIBUTE} and {@value #BEAM_WIDTH_ATTRIBUTE} (decimal integers)
 * select the graph's {@code maxConn} (1..{@value Lucene99HnswVectorsFormat#MAXIMUM_MAX_CONN}) and
 * {@code beamWidth} (1..{@value Lucene99HnswVectorsFormat#MAXIMUM_BEAM_WIDTH}) for that field;
 * absent attributes mean Lucene's defaults ({@value Lucene99HnswVectorsFormat#DEFAULT_MAX_CONN} /
 * {@value Lucene99HnswVectorsFormat#DEFAULT_BEAM_WIDTH}).
 *
 * <p><b>Per-field quantization.</b> The attribute {@value #QUANTIZATION_ATTRIBUTE} ({@link
 * PefaQuantization#id()}: {@code none}, {@code int8}, {@code int4} or {@code binary}; absent means
 * {@code none}) makes the field's graph score quantized vectors written by Lucene's {@link
 * org.apache.lucene.codecs.lucene104.Lucene104ScalarQuantizedVectorsFormat}; the float vectors are
 * kept beside them, and {@link org.apache.lucene.index.FloatVectorValues#vectorValue} and {@link
 * org.apache.lucene.index.FloatVectorValues#rescorer} read them.
 *
 * <p>Fields are grouped by (maxConn, beamWidth, quantization); each group is written by a {@link
 * org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsWriter} under its own segment suffix, and a
 * small checksummed metadata file (extension {@value #META_EXTENSION}) maps field numbers to groups
 * and records each group's quantization (version {@value #VERSION_QUANTIZATION}; version {@value
 * #VERSION_START} files, without it, are read as unquantized). The attributes are only consulted
 * when writing (flush and merge); readers use the metadata file, so an index reads back the same
 * whatever the reader's settings. Each group's record there also holds a float that is always NaN
 * when written by this code: a segment written while the format also had paired PEFA-XS fields may
 * hold a number there, and such a group is read like any other (its stored vectors and graph are
 * plain HNSW files).
 *
 * <p>Attribute values are validated when a field is first added to a segment writer. Because
 * IndexWriter treats failures at that point as aborting, prefer creating field types with {@link
 * #vectorFieldType}, which validates eagerly.
 */
public final class Pefa01VectorsFormat extends KnnVectorsFormat {

  /** The SPI name of this format. */
  public static final String NAME = "Pefa01VectorsFormat";

  /** Field attribute holding the HNSW {@code maxConn} of a field, as a decimal int. */
  public static final String MAX_CONN_ATTRIBUTE = "pefa.hnsw.maxConn";

  /** Field attribute holding the HNSW {@code beamWidth} of a field, as a decimal int. */
  public static final String BEAM_WIDTH_ATTRIBUTE = "pefa.hnsw.beamWidth";

  /**
   * Field attribute holding the quantization of a field's graph, a {@link PefaQuantization#id()};
   * absent means {@link PefaQuantization#NONE}.
   */
  public static final String QUANTIZATION_ATTRIBUTE = "pefa.quantization";

  /**
   * Maximum vector dimension accepted by this format: twice Lucene's default {@value
   * KnnVectorsFormat#DEFAULT_MAX_DIMENSIONS} (segments written while the format had paired PEFA-XS
   * fields hold vectors of twice the embedding dimension, and stay mergeable).
   */
  public static final int MAX_DIMENSIONS = 2 * KnnVectorsFormat.DEFAULT_MAX_DIMENSIONS;

  static final String META_CODEC_NAME = "PefaVectorsFormatMeta";
  static final String META_EXTENSION = "pvm";
  static final int VERSION_START = 0;
  /** The version that records each group's quantization. */
  static final int VERSION_QUANTIZATION = 1;
  static final int VERSION_CURRENT = VERSION_QUANTIZATION;

  private final PefaQuantization defaultQuantization;

  private final int numMergeWorkers;
  private final TaskExecutor mergeExec;
  private final boolean graphsAtMergeOnly;

  /**
   * Creates the format; all configuration comes from field attributes. This is the instance the
   * SPI loads to read segments; its merges build each graph on one thread.
   */
  public Pefa01VectorsFormat() {
    this(PefaQuantization.NONE, 1, null);
  }

  /**
   * Creates a format that writes the fields without a {@value #QUANTIZATION_ATTRIBUTE} attribute
   * with {@code defaultQuantization} where they can take it (float fields of at most {@value
   * PefaQuantization#MAX_QUANTIZED_DIMENSIONS} dimensions; other fields stay unquantized). Only
   * writing depends on it: segments record their quantization, and the SPI instance reads them all.
   *
   * @param defaultQuantization the quantization of fields that name none
   */
  public Pefa01VectorsFormat(PefaQuantization defaultQuantization) {
    this(defaultQuantization, 1, null);
  }

  /**
   * Creates the format for writing with several threads per graph merge, as {@link
   * Lucene99HnswVectorsFormat#Lucene99HnswVectorsFormat(int, int, int, ExecutorService)} does: the
   * workers and the executor only change how merges build graphs, nothing written in a segment,
   * so segments are read back by the SPI's no-argument instance.
   *
   * @param numMergeWorkers threads per graph merge, at least 1
   * @param mergeExec the executor they run on; required when {@code numMergeWorkers > 1}, and
   *     {@code null} otherwise
   * @throws IllegalArgumentException when the arguments do not agree
   */
  public Pefa01VectorsFormat(int numMergeWorkers, ExecutorService mergeExec) {
    this(PefaQuantization.NONE, numMergeWorkers, mergeExec, false);
  }

  /**
   * Creates the format for writing with a default quantization and several threads per graph
   * merge; see {@link #Pefa01VectorsFormat(PefaQuantization)} and {@link #Pefa01VectorsFormat(int,
   * ExecutorService)}.
   *
   * @param defaultQuantization the quantization of fields that name none
   * @param numMergeWorkers threads per graph merge, at least 1
   * @param mergeExec the executor they run on; required when {@code numMergeWorkers > 1}, and
   *     {@code null} otherwise
   * @throws IllegalArgumentException when the arguments do not agree
   */
  public Pefa01VectorsFormat(
      PefaQuantization defaultQuantization, int numMergeWorkers, ExecutorService mergeExec) {
    this(defaultQuantization, numMergeWorkers, mergeExec, false);
  }

  /**
   * The format for a bulk load that ends with a merge (such as {@code forceMerge(1)}): flushed
   * segments store their vectors without HNSW graphs (Lucene's rule for tiny segments, applied to
   * every flush: their searches scan the vectors), and each merge builds every graph of the merged
   * segment from all its vectors on {@code numMergeWorkers} threads. One graph built by several
   * threads at the merge replaces a graph per flushed segment that the merge would join again.
   * Nothing of it is written in a segment, which reads back with the SPI instance.
   *
   * @param numMergeWorkers threads per graph merge, at least 1
   * @param mergeExec the executor they run on; required when {@code numMergeWorkers > 1}, and
   *     {@code null} otherwise
   * @return the format
   * @throws IllegalArgumentException when the arguments do not agree
   */
  public static Pefa01VectorsFormat forBulkLoad(int numMergeWorkers, ExecutorService mergeExec) {
    return new Pefa01VectorsFormat(PefaQuantization.NONE, numMergeWorkers, mergeExec, true);
  }

  private Pefa01VectorsFormat(
      PefaQuantization defaultQuantization,
      int numMergeWorkers,
      ExecutorService mergeExec,
      boolean graphsAtMergeOnly) {
    super(NAME);
    if (defaultQuantization == null) {
      throw new IllegalArgumentException("defaultQuantization must not be null");
    }
    if (numMergeWorkers < 1) {
      throw new IllegalArgumentException("numMergeWorkers must be >= 1, got " + numMergeWorkers);
    }
    if (numMergeWorkers == 1 && mergeExec != null) {
      throw new IllegalArgumentException("no executor with numMergeWorkers == 1: got " + mergeExec);
    }
    if (numMergeWorkers > 1 && mergeExec == null) {
      throw new IllegalArgumentException(
          "numMergeWorkers=" + numMergeWorkers + " needs an executor (mergeExec is null)");
    }
    this.defaultQuantization = defaultQuantization;
    this.numMergeWorkers = numMergeWorkers;
    this.mergeExec = mergeExec == null ? null : new TaskExecutor(mergeExec);
    this.graphsAtMergeOnly = graphsAtMergeOnly;
  }

  @Override
  public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
    return new PefaVectorsWriter(
        state, defaultQuantization, numMergeWorkers, mergeExec, graphsAtMergeOnly);
  }

  @Override
  public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
    return new PefaVectorsReader(state);
  }

  @Override
  public int getMaxDimensions(String fieldName) {
    return MAX_DIMENSIONS;
  }

  @Override
  public String toString() {
    return NAME
        + "(name="
        + NAME
        + ", per-field attributes: "
        + MAX_CONN_ATTRIBUTE
        + " (default "
        + Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN
        + "), "
        + BEAM_WIDTH_ATTRIBUTE
        + " (default "
        + Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH
        + "), "
        + QUANTIZATION_ATTRIBUTE
        + " (default "
        + defaultQuantization.id()
        + "), maxDimensions="
        + MAX_DIMENSIONS
        + ", numMergeWorkers="
        + numMergeWorkers
        + (graphsAtMergeOnly ? ", graphs at merges only" : "")
        + ")";
  }

  /**
   * Creates a frozen {@link FieldType} for a float vector field indexed with the given HNSW
   * parameters; use it with {@link org.apache.lucene.document.KnnFloatVectorField}.
   *
   * @param dim the vector dimension, 1..{@value #MAX_DIMENSIONS}
   * @param similarity the similarity function
   * @param maxConn HNSW maxConn, 1..{@value Lucene99HnswVectorsFormat#MAXIMUM_MAX_CONN}
   * @param beamWidth HNSW beam width, 1..{@value Lucene99HnswVectorsFormat#MAXIMUM_BEAM_WIDTH}
   * @return a frozen field type carrying the PEFA attributes
   * @throws IllegalArgumentException if an argument is out of range
   */
  public static FieldType vectorFieldType(
      int dim, VectorSimilarityFunction similarity, int maxConn, int beamWidth) {
    return vectorFieldType(dim, VectorEncoding.FLOAT32, similarity, maxConn, beamWidth);
  }

  /**
   * Creates a frozen {@link FieldType} for a float or byte vector field indexed with the given
   * HNSW parameters; use it with {@link org.apache.lucene.document.KnnFloatVectorField} or {@link
   * org.apache.lucene.document.KnnByteVectorField} according to {@code encoding}.
   *
   * @param dim the vector dimension, 1..{@value #MAX_DIMENSIONS}
   * @param encoding the vector encoding
   * @param similarity the similarity function
   * @param maxConn HNSW maxConn, 1..{@value Lucene99HnswVectorsFormat#MAXIMUM_MAX_CONN}
   * @param beamWidth HNSW beam width, 1..{@value Lucene99HnswVectorsFormat#MAXIMUM_BEAM_WIDTH}
   * @return a frozen field type carrying the PEFA attributes
   * @throws IllegalArgumentException if an argument is out of range
   */
  public static FieldType vectorFieldType(
      int dim,
      VectorEncoding encoding,
      VectorSimilarityFunction similarity,
      int maxConn,
      int beamWidth) {
    return vectorFieldType(dim, encoding, similarity, maxConn, beamWidth, PefaQuantization.NONE);
  }

  /**
   * Creates a frozen {@link FieldType} for a vector field indexed with the given HNSW parameters
   * and graph quantization.
   *
   * @param dim the vector dimension, 1..{@value #MAX_DIMENSIONS} (quantized: 1..{@value
   *     PefaQuantization#MAX_QUANTIZED_DIMENSIONS})
   * @param encoding the vector encoding (quantized: {@link VectorEncoding#FLOAT32} only)
   * @param similarity the similarity function
   * @param maxConn HNSW maxConn, 1..{@value Lucene99HnswVectorsFormat#MAXIMUM_MAX_CONN}
   * @param beamWidth HNSW beam width, 1..{@value Lucene99HnswVectorsFormat#MAXIMUM_BEAM_WIDTH}
   * @param quantization the vectors the graph scores
   * @return a frozen field type carrying the PEFA attributes
   * @throws IllegalArgumentException if an argument is out of range or the field cannot take the
   *     quantization
   */
  public static FieldType vectorFieldType(
      int dim,
      VectorEncoding encoding,
      VectorSimilarityFunction similarity,
      int maxConn,
      int beamWidth,
      PefaQuantization quantization) {
    if (dim < 1 || dim > MAX_DIMENSIONS) {
      throw new IllegalArgumentException(
          "dim must be in [1, " + MAX_DIMENSIONS + "]; got dim=" + dim);
    }
    if (encoding == null) {
      throw new IllegalArgumentException("encoding must not be null");
    }
    if (similarity == null) {
      throw new IllegalArgumentException("similarity must not be null");
    }
    if (quantization == null) {
      throw new IllegalArgumentException("quantization must not be null");
    }
    checkMaxConn("maxConn=" + maxConn, maxConn);
    checkBeamWidth("beamWidth=" + beamWidth, beamWidth);
    quantization.checkField("vector field of dim=" + dim, dim, encoding);
    FieldType type = new FieldType();
    type.setVectorAttributes(dim, encoding, similarity);
    type.putAttribute(MAX_CONN_ATTRIBUTE, Integer.toString(maxConn));
    type.putAttribute(BEAM_WIDTH_ATTRIBUTE, Integer.toString(beamWidth));
    if (quantization != PefaQuantization.NONE) {
      type.putAttribute(QUANTIZATION_ATTRIBUTE, quantization.id());
    }
    type.freeze();
    return type;
  }

  // ---------------------------------------------------------------------------------------------
  // attribute parsing (package-private, used by the writer)

  /** The graph parameters of one group of fields. */
  record GroupParams(int maxConn, int beamWidth, PefaQuantization quantization) {}

  /**
   * Reads and validates the PEFA attributes of a field.
   *
   * @throws IllegalArgumentException naming field, attribute and value if an attribute is invalid
   */
  static GroupParams paramsOf(FieldInfo field, PefaQuantization defaultQuantization) {
    int maxConn = Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN;
    int beamWidth = Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH;
    String v = field.getAttribute(MAX_CONN_ATTRIBUTE);
    if (v != null) {
      maxConn = parseInt(field, MAX_CONN_ATTRIBUTE, v);
      checkMaxConn(describe(field, MAX_CONN_ATTRIBUTE, v), maxConn);
    }
    v = field.getAttribute(BEAM_WIDTH_ATTRIBUTE);
    if (v != null) {
      beamWidth = parseInt(field, BEAM_WIDTH_ATTRIBUTE, v);
      checkBeamWidth(describe(field, BEAM_WIDTH_ATTRIBUTE, v), beamWidth);
    }
    PefaQuantization quantization = quantizationOf(field);
    if (field.getAttribute(QUANTIZATION_ATTRIBUTE) == null
        && field.getVectorEncoding() == VectorEncoding.FLOAT32
        && field.getVectorDimension() <= PefaQuantization.MAX_QUANTIZED_DIMENSIONS) {
      quantization = defaultQuantization;
    }
    return new GroupParams(maxConn, beamWidth, quantization);
  }

  /**
   * The quantization a field's attribute asks for ({@link PefaQuantization#NONE} when absent).
   *
   * @param field a vector field
   * @return its quantization
   * @throws IllegalArgumentException naming field and value if the value is unknown or the field
   *     cannot take it
   */
  public static PefaQuantization quantizationOf(FieldInfo field) {
    String v = field.getAttribute(QUANTIZATION_ATTRIBUTE);
    if (v == null) {
      return PefaQuantization.NONE;
    }
    String what = describe(field, QUANTIZATION_ATTRIBUTE, v);
    PefaQuantization q;
    try {
      q = PefaQuantization.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
    q.checkField(what, field.getVectorDimension(), field.getVectorEncoding());
    return q;
  }

  private static String describe(FieldInfo field, String attribute, String value) {
    return "field \"" + field.name + "\": attribute " + attribute + "=\"" + value + "\"";
  }

  private static int parseInt(FieldInfo field, String attribute, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          describe(field, attribute, value) + " is not a decimal integer", e);
    }
  }

  private static void checkMaxConn(String what, int maxConn) {
    if (maxConn < 1 || maxConn > Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN) {
      throw new IllegalArgumentException(
          what + ": maxConn must be in [1, " + Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN + "]");
    }
  }

  private static void checkBeamWidth(String what, int beamWidth) {
    if (beamWidth < 1 || beamWidth > Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH) {
      throw new IllegalArgumentException(
          what
              + ": beamWidth must be in [1, "
              + Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH
              + "]");
    }
  }


  static String groupSuffix(String segmentSuffix, int group) {
    String own = String.format(Locale.ROOT, "pefa%d", group);
    return segmentSuffix == null || segmentSuffix.isEmpty() ? own : segmentSuffix + "_" + own;
  }
}
