package io.github.lucenepefa.cli.index;

import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.VectorIndexSizes;
import io.github.lucenepefa.index.VectorIndexSizes.FieldSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * The size table of {@code pefa index} and {@code pefa bench}: per vector field of a PEFA index the
 * bytes on disk and the hot bytes a search touches (its graph and the vectors the walk reads), as
 * {@link VectorIndexSizes} measures them, next to stock Lucene indexes (float HNSW and int8 scalar
 * quantized HNSW, same M and beam) of the same document vectors, written to throw-away folders.
 */
public final class SizeTable {

  /** The stock indexes' vector field. */
  static final String STOCK_FIELD = "vector";

  private SizeTable() {}

  /**
   * Measures a PEFA index and, when {@code stock}, builds the stock indexes of its document vectors
   * next to it (removed afterwards), and returns the table.
   *
   * @param pefaIndex the PEFA index folder
   * @param schema its schema
   * @param maxConn the HNSW M of the stock indexes
   * @param beamWidth their construction beam
   * @param stock whether to build and measure the stock indexes
   * @return the table, plain text
   * @throws IOException on I/O errors
   */
  public static String build(
      Path pefaIndex, PefaSchema schema, int maxConn, int beamWidth, boolean stock)
      throws IOException {
    Map<String, FieldSize> pefa;
    long pefaFiles;
    List<float[]> docs = new ArrayList<>();
    try (Directory dir = FSDirectory.open(pefaIndex);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      pefa = VectorIndexSizes.of(reader);
      pefaFiles = VectorIndexSizes.vectorFileBytes(dir);
      if (stock) {
        for (LeafReaderContext ctx : reader.leaves()) {
          FloatVectorValues values = ctx.reader().getFloatVectorValues(schema.ermField());
          if (values != null) {
            KnnVectorValues.DocIndexIterator it = values.iterator();
            while (it.nextDoc() != KnnVectorValues.DocIndexIterator.NO_MORE_DOCS) {
              if (ctx.reader().getLiveDocs() == null || ctx.reader().getLiveDocs().get(it.docID())) {
                docs.add(values.vectorValue(it.index()).clone());
              }
            }
          }
        }
      }
    }
    List<Row> rows = new ArrayList<>();
    for (FieldSize f : pefa.values()) {
      rows.add(new Row("pefa", f));
    }
    StringBuilder sb = new StringBuilder();
    sb.append(header());
    long disk = 0, hot = 0;
    for (Row r : rows) {
      sb.append(line(r.index(), r.size()));
      disk += r.size().onDisk();
      hot += r.size().hot();
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "%-22s %-12s %9s %4s %9s %9s %9s %9s %9s%n",
            "pefa",
            "all fields",
            "",
            "",
            "",
            "",
            "",
            mb(disk),
            mb(hot)));
    FieldSize erm = pefa.get(schema.ermField());
    FieldSize xs = pefa.get(schema.xsVectorField());
    if (erm != null && xs != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-22s %-12s %9s %4s %9s %9s %9s %9s %9s%n",
              "pefa-xs, other lambda",
              "xs.e + erm",
              "",
              "",
              "",
              "",
              "",
              "",
              mb(xs.hot() + erm.floatVectors())));
    }
    if (stock && docs.isEmpty() == false) {
      Path tmp = Files.createTempDirectory(pefaIndex.toAbsolutePath().getParent(), ".stock-sizes-");
      try {
        sb.append(
            line(
                "stock float (docs)",
                stockSize(tmp.resolve("float"), docs, new Lucene99HnswVectorsFormat(maxConn, beamWidth))));
        sb.append(
            line(
                "stock int8 (docs)",
                stockSize(
                    tmp.resolve("int8"),
                    docs,
                    new Lucene104HnswScalarQuantizedVectorsFormat(
                        ScalarEncoding.UNSIGNED_BYTE, maxConn, beamWidth))));
      } finally {
        IndexBuilder.deleteTree(tmp);
      }
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "PEFA vector files (data, metadata, headers of every vector field): %s MB%n",
            mb(pefaFiles)));
    return sb.toString();
  }

  private record Row(String index, FieldSize size) {}

  private static String header() {
    return String.format(
        Locale.ROOT,
        "vector sizes in MB (hot: the graph and the vectors a graph walk reads)%n"
            + "%-22s %-12s %9s %4s %9s %9s %9s %9s %9s%n",
        "index",
        "field",
        "vectors",
        "dim",
        "float",
        "quantized",
        "graph",
        "on disk",
        "hot");
  }

  private static String line(String index, FieldSize f) {
    return String.format(
        Locale.ROOT,
        "%-22s %-12s %9d %4d %9s %9s %9s %9s %9s%n",
        index,
        f.field(),
        f.count(),
        f.dimension(),
        mb(f.floatVectors()),
        f.quantizedVectors() == 0 ? "-" : mb(f.quantizedVectors()),
        mb(f.graph()),
        mb(f.onDisk()),
        mb(f.hot()));
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.2f", bytes / 1e6);
  }

  /** Writes a one-segment stock index of {@code docs} with {@code format} and measures it. */
  private static FieldSize stockSize(Path path, List<float[]> docs, KnnVectorsFormat format)
      throws IOException {
    IndexWriterConfig cfg =
        new IndexWriterConfig()
            .setCodec(
                new Lucene104Codec() {
                  @Override
                  public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                    return format;
                  }
                })
            .setRAMBufferSizeMB(512)
            .setUseCompoundFile(false);
    try (Directory dir = FSDirectory.open(path)) {
      try (IndexWriter w = new IndexWriter(dir, cfg)) {
        for (float[] v : docs) {
          Document doc = new Document();
          doc.add(new KnnFloatVectorField(STOCK_FIELD, v, VectorSimilarityFunction.DOT_PRODUCT));
          w.addDocument(doc);
        }
        w.forceMerge(1);
      }
      return VectorIndexSizes.of(dir).get(STOCK_FIELD);
    }
  }
}
