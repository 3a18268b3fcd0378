package io.github.lucenepefa.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;

/**
 * The bytes the vector fields of an index take: per field, on disk and "hot" (what a graph search
 * of the field reads: its graph and the vectors the walk scores), summed over the segments of a
 * reader; and the total size of the vector files of a commit. Works for any Lucene vectors format
 * that reports its per-field data ({@link KnnVectorsReader#getOffHeapByteSize}: {@code vec} float
 * vectors, {@code vex} HNSW graph, {@code veq} quantized vectors, ...), so a PEFA index and a stock
 * one are measured alike.
 */
public final class VectorIndexSizes {

  /** File extensions of Lucene's HNSW, flat and quantized vectors formats and of the PEFA format. */
  public static final Set<String> VECTOR_FILE_EXTENSIONS =
      Set.of("vec", "vem", "vemf", "vex", "veq", "vemq", "veb", "vemb", "pvm");

  private static final String GRAPH = "vex";
  private static final String FLOAT_VECTORS = "vec";

  private VectorIndexSizes() {}

  /**
   * The sizes of one vector field, summed over segments.
   *
   * @param field the field name
   * @param dimension its vector dimension
   * @param count the vectors stored (deleted documents' included)
   * @param bytes the field's data bytes by file extension ({@code vec}, {@code vex}, {@code veq},
   *     ...)
   */
  public record FieldSize(String field, int dimension, long count, Map<String, Long> bytes) {

    /**
     * @return the graph bytes ({@code vex})
     */
    public long graph() {
      return bytes.getOrDefault(GRAPH, 0L);
    }

    /**
     * @return the full-precision float vector bytes ({@code vec})
     */
    public long floatVectors() {
      return bytes.getOrDefault(FLOAT_VECTORS, 0L);
    }

    /**
     * @return the quantized vector bytes (every extension but {@code vec} and {@code vex})
     */
    public long quantizedVectors() {
      long q = 0;
      for (Map.Entry<String, Long> e : bytes.entrySet()) {
        if (e.getKey().equals(GRAPH) == false && e.getKey().equals(FLOAT_VECTORS) == false) {
          q += e.getValue();
        }
      }
      return q;
    }

    /**
     * @return the field's data on disk: vectors, quantized vectors and graph
     */
    public long onDisk() {
      long total = 0;
      for (long b : bytes.values()) {
        total += b;
      }
      return total;
    }

    /**
     * @return what a graph search of the field reads: the graph and the vectors its walk scores
     *     (the quantized ones when the field has them, else the float ones)
     */
    public long hot() {
      long q = quantizedVectors();
      return graph() + (q > 0 ? q : floatVectors());
    }
  }

  /**
   * The sizes of every vector field of a reader's segments, in field-number order of the first
   * segment that has each.
   *
   * @param reader a reader whose leaves are (or wrap, through {@link FilterLeafReader}) {@link
   *     CodecReader}s
   * @return field name to sizes
   * @throws IllegalArgumentException when a leaf is not a codec reader
   */
  public static Map<String, FieldSize> of(IndexReader reader) {
    Map<String, Long> counts = new LinkedHashMap<>();
    Map<String, Integer> dims = new LinkedHashMap<>();
    Map<String, Map<String, Long>> bytes = new LinkedHashMap<>();
    for (LeafReaderContext ctx : reader.leaves()) {
      if (FilterLeafReader.unwrap(ctx.reader()) instanceof CodecReader codec) {
        KnnVectorsReader vectors = codec.getVectorReader();
        for (FieldInfo fi : codec.getFieldInfos()) {
          if (fi.getVectorDimension() == 0 || vectors == null) {
            continue;
          }
          dims.putIfAbsent(fi.name, fi.getVectorDimension());
          Map<String, Long> perExtension = bytes.computeIfAbsent(fi.name, f -> new LinkedHashMap<>());
          vectors.getOffHeapByteSize(fi).forEach((ext, b) -> perExtension.merge(ext, b, Long::sum));
          counts.merge(fi.name, (long) count(codec, fi), Long::sum);
        }
      } else {
        throw new IllegalArgumentException("not a codec reader: " + ctx.reader());
      }
    }
    Map<String, FieldSize> out = new LinkedHashMap<>();
    for (String field : bytes.keySet()) {
      out.put(
          field,
          new FieldSize(field, dims.get(field), counts.get(field), Map.copyOf(bytes.get(field))));
    }
    return out;
  }

  private static int count(CodecReader codec, FieldInfo fi) {
    try {
      var values =
          switch (fi.getVectorEncoding()) {
            case FLOAT32 -> codec.getVectorReader().getFloatVectorValues(fi.name);
            case BYTE -> codec.getVectorReader().getByteVectorValues(fi.name);
          };
      return values == null ? 0 : values.size();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The sizes of every vector field of the latest commit of a directory.
   *
   * @param directory an index directory
   * @return field name to sizes
   * @throws IOException on I/O errors
   */
  public static Map<String, FieldSize> of(Directory directory) throws IOException {
    try (DirectoryReader reader = DirectoryReader.open(directory)) {
      return of(reader);
    }
  }

  /**
   * The bytes of the vector files ({@link #VECTOR_FILE_EXTENSIONS}: data, metadata, headers and
   * footers) of the latest commit of a directory, looking inside compound files.
   *
   * @param directory an index directory
   * @return the total size of its vector files
   * @throws IOException on I/O errors
   */
  public static long vectorFileBytes(Directory directory) throws IOException {
    SegmentInfos infos = SegmentInfos.readLatestCommit(directory);
    long total = 0;
    for (SegmentCommitInfo sci : infos) {
      if (sci.info.getUseCompoundFile()) {
        try (Directory cfs =
            sci.info.getCodec().compoundFormat().getCompoundReader(directory, sci.info)) {
          total += vectorFileBytes(cfs, List.of(cfs.listAll()));
        }
      } else {
        total += vectorFileBytes(directory, new ArrayList<>(sci.files()));
      }
    }
    return total;
  }

  private static long vectorFileBytes(Directory dir, List<String> files) throws IOException {
    long total = 0;
    for (String file : files) {
      int dot = file.lastIndexOf('.');
      if (dot >= 0 && VECTOR_FILE_EXTENSIONS.contains(file.substring(dot + 1))) {
        total += dir.fileLength(file);
      }
    }
    return total;
  }
}
