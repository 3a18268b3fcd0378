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
 * <p>Fields are grouped by (maxConn, beamWidth); each group is written by a {@link
 * org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsWriter} under its own segment suffix, and a
 * small checksummed metadata file (extension {@value #META_EXTENSION}) maps field numbers to groups.
 * The attributes are only consulted when writing (flush and merge); readers use the metadata file.
 * Each group's record there also holds a float that is always NaN when written by this code: a
 * segment written while the format also had paired PEFA-XS fields may hold a number there, and such
 * a group is read like any other (its stored vectors and graph are plain HNSW files).
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
   * Maximum vector dimension accepted by this format: twice Lucene's default {@value
   * KnnVectorsFormat#DEFAULT_MAX_DIMENSIONS} (segments written while the format had paired PEFA-XS
   * fields hold vectors of twice the embedding dimension, and stay mergeable).
   */
  public static final int MAX_DIMENSIONS = 2 * KnnVectorsFormat.DEFAULT_MAX_DIMENSIONS;

  static final String META_CODEC_NAME = "PefaVectorsFormatMeta";
  static final String META_EXTENSION = "pvm";
  static final int VERSION_START = 0;
  static final int VERSION_CURRENT = VERSION_START;

  private final int numMergeWorkers;
  private final TaskExecutor mergeExec;
  private final boolean graphsAtMergeOnly;

  /**
   * Creates the format; all configuration comes from field attributes. This is the instance the
   * SPI loads to read segments; its merges build each graph on one thread.
   */
  public Pefa01VectorsFormat() {
    this(1, null);
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
    this(numMergeWorkers, mergeExec, false);
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
    return new Pefa01VectorsFormat(numMergeWorkers, mergeExec, true);
  }

  private Pefa01VectorsFormat(
      int numMergeWorkers, ExecutorService mergeExec, boolean graphsAtMergeOnly) {
    super(NAME);
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
    this.numMergeWorkers = numMergeWorkers;
    this.mergeExec = mergeExec == null ? null : new TaskExecutor(mergeExec);
    this.graphsAtMergeOnly = graphsAtMergeOnly;
  }

  @Override
  public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
    return new PefaVectorsWriter(state, numMergeWorkers, mergeExec, graphsAtMergeOnly);
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
    checkMaxConn("maxConn=" + maxConn, maxConn);
    checkBeamWidth("beamWidth=" + beamWidth, beamWidth);
    FieldType type = new FieldType();
    type.setVectorAttributes(dim, encoding, similarity);
    type.putAttribute(MAX_CONN_ATTRIBUTE, Integer.toString(maxConn));
    type.putAttribute(BEAM_WIDTH_ATTRIBUTE, Integer.toString(beamWidth));
    type.freeze();
    return type;
  }

  // ---------------------------------------------------------------------------------------------
  // attribute parsing (package-private, used by the writer)

  /** The graph parameters of one group of fields. */
  record GroupParams(int maxConn, int beamWidth) {}

  /**
   * Reads and validates the PEFA attributes of a field.
   *
   * @throws IllegalArgumentException naming field, attribute and value if an attribute is invalid
   */
  static GroupParams paramsOf(FieldInfo field) {
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
    return new GroupParams(maxConn, beamWidth);
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
