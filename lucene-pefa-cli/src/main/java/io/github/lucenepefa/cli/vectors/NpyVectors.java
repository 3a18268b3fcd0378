package io.github.lucenepefa.cli.vectors;

import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.data.DatasetException;
import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.cli.data.TrainingMemoryBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Precomputed embeddings ({@code --vectors DIR}), for users with their own encoder (GPU, Python). The folder holds
 * float32 {@code .npy} matrices with an id file each, row {@code i} being the vector of the id on line {@code i}:
 *
 * <pre>
 * corpus.npy   + corpus.ids.txt     one row per document (corpus _id)
 * queries.npy  + queries.ids.txt    one row per query (queries.jsonl _id): test, training and dev queries
 * chunks.npy   + chunks.docids.txt  optional: doc-as-query memory rows, each line the _id of the document the row
 *                                   labels (a document may have several rows, in order)
 * </pre>
 *
 * <p>The texts still come from the dataset ({@code --data}). A row that is not of unit length is L2-normalised when
 * read (PEFA needs unit vectors; a zero row is an error); unit rows are kept bit for bit. A document or query the dataset needs and the files lack is an error naming it;
 * ids the dataset does not have are ignored (counted on stderr). Chunk rows never merge with training queries (they
 * have no text); with {@code --chunks N} the first {@code N} rows of each document are kept.
 */
public final class NpyVectors implements VectorSource {

  private final Path dir;
  private final String modelId;
  private final Map<String, float[]> docs;
  private final Map<String, float[]> queries;
  private final List<String> chunkDocs;
  private final float[][] chunkVectors;
  private final Map<String, float[]> chunkRows = new HashMap<>();
  private long served;

  private NpyVectors(Path dir, String modelId, Map<String, float[]> docs, Map<String, float[]> queries,
      List<String> chunkDocs, float[][] chunkVectors) {
    this.dir = dir;
    this.modelId = modelId;
    this.docs = docs;
    this.queries = queries;
    this.chunkDocs = chunkDocs;
    this.chunkVectors = chunkVectors;
  }

  /**
   * Reads and checks the folder.
   *
   * @param dir the folder
   * @return the vectors
   * @throws DatasetException naming the file and problem
   * @throws IOException on read errors
   */
  public static NpyVectors open(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(abs)) {
      throw new DatasetException(abs.toString(), 0, "--vectors folder does not exist");
    }
    Map<String, float[]> docs = byId(abs, "corpus.npy", "corpus.ids.txt");
    Map<String, float[]> queries = byId(abs, "queries.npy", "queries.ids.txt");
    int dim = docs.values().iterator().next().length;
    checkDim(abs.resolve("queries.npy"), queries.values().iterator().next().length, dim);
    List<String> chunkDocs = List.of();
    float[][] chunkVectors = new float[0][];
    boolean hasNpy = Files.exists(abs.resolve("chunks.npy"));
    boolean hasIds = Files.exists(abs.resolve("chunks.docids.txt"));
    if (hasNpy != hasIds) {
      throw new DatasetException(abs.resolve(hasNpy ? "chunks.docids.txt" : "chunks.npy").toString(), 0,
          "missing file (chunks.npy and chunks.docids.txt go together)");
    }
    if (hasNpy) {
      chunkVectors = Npy.read(abs.resolve("chunks.npy"));
      chunkDocs = ids(abs.resolve("chunks.docids.txt"), chunkVectors.length, false);
      if (chunkVectors.length > 0) {
        checkDim(abs.resolve("chunks.npy"), chunkVectors[0].length, dim);
      }
      for (int i = 0; i < chunkVectors.length; i++) {
        normalize(abs.resolve("chunks.npy"), i, chunkVectors[i]);
      }
    }
    String id = "vectors-" + abs.getFileName() + "-" + String.format(Locale.ROOT, "%08x", fingerprint(abs).hashCode());
    return new NpyVectors(abs, id, docs, queries, chunkDocs, chunkVectors);
  }

  private static String fingerprint(Path dir) throws IOException {
    StringBuilder sb = new StringBuilder(dir.toString());
    for (String f : List.of("corpus.npy", "corpus.ids.txt", "queries.npy", "queries.ids.txt", "chunks.npy",
        "chunks.docids.txt")) {
      Path p = dir.resolve(f);
      if (Files.exists(p)) {
        sb.append('|').append(f).append(':').append(Files.size(p)).append(':')
            .append(Files.getLastModifiedTime(p).toMillis());
      }
    }
    return sb.toString();
  }

  private static void checkDim(Path file, int got, int want) throws DatasetException {
    if (got != want) {
      throw new DatasetException(file.toString(), 0, "vectors of dimension " + got + ", corpus.npy has " + want);
    }
  }

  private static Map<String, float[]> byId(Path dir, String npy, String idsFile) throws IOException {
    float[][] v = Npy.read(dir.resolve(npy));
    if (v.length == 0 || v[0].length == 0) {
      throw new DatasetException(dir.resolve(npy).toString(), 0, "no vectors");
    }
    List<String> ids = ids(dir.resolve(idsFile), v.length, true);
    Map<String, float[]> out = HashMap.newHashMap(v.length);
    for (int i = 0; i < v.length; i++) {
      normalize(dir.resolve(npy), i, v[i]);
      out.put(ids.get(i), v[i]);
    }
    return out;
  }

  private static List<String> ids(Path file, int rows, boolean unique) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file.toString(), 0, "missing file");
    }
    List<String> ids = new ArrayList<>(rows);
    Map<String, Integer> seen = new HashMap<>();
    int lineNo = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNo++;
      String id = line.strip();
      if (id.isEmpty()) {
        throw new DatasetException(file.toString(), lineNo, "empty id");
      }
      Integer first = seen.putIfAbsent(id, lineNo);
      if (unique && first != null) {
        throw new DatasetException(file.toString(), lineNo, "duplicate id \"" + id + "\" (first at line " + first + ")");
      }
      ids.add(id);
    }
    if (ids.size() != rows) {
      throw new DatasetException(file.toString(), 0,
          ids.size() + " ids for " + rows + " rows of " + file.getFileName().toString().replaceFirst("\\.(doc)?ids\\.txt$", ".npy"));
    }
    return ids;
  }

  private static void normalize(Path file, int row, float[] v) throws DatasetException {
    double n = 0;
    for (float x : v) {
      if (!Float.isFinite(x)) {
        throw new DatasetException(file.toString(), 0, "row " + row + " has a non-finite value");
      }
      n += (double) x * x;
    }
    if (n == 0) {
      throw new DatasetException(file.toString(), 0, "row " + row + " is all zeros");
    }
    if (Math.abs(n - 1) <= 1e-5) {
      return; // unit length up to float rounding: kept bit for bit
    }
    double inv = 1 / Math.sqrt(n);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] * inv);
    }
  }

  @Override
  public String model() {
    return "vectors:" + dir;
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public float[][] docs(BeirDataset ds) throws IOException {
    float[][] out = new float[ds.docs().size()][];
    List<String> missing = new ArrayList<>();
    for (BeirDataset.Doc d : ds.docs()) {
      out[d.position()] = docs.get(d.id());
      if (out[d.position()] == null) {
        missing.add(d.id());
      }
    }
    fail("corpus.ids.txt", "document", missing);
    int extra = docs.size() - (ds.docs().size() - missing.size());
    if (extra > 0) {
      System.err.printf("vectors: %d ids of corpus.ids.txt are not in the corpus; ignored%n", extra);
    }
    served += out.length;
    return out;
  }

  @Override
  public float[][] queries(List<BeirDataset.Query> qs) throws IOException {
    float[][] out = new float[qs.size()][];
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < qs.size(); i++) {
      out[i] = queries.get(qs.get(i).id());
      if (out[i] == null) {
        missing.add(qs.get(i).id());
      }
    }
    fail("queries.ids.txt", "query", missing);
    served += out.length;
    return out;
  }

  private void fail(String file, String what, List<String> missing) throws DatasetException {
    if (!missing.isEmpty()) {
      throw new DatasetException(dir.resolve(file).toString(), 0, "no vector for " + missing.size() + " " + what
          + (missing.size() == 1 ? "" : "s") + " of the dataset (first: \"" + missing.get(0) + "\")");
    }
  }

  @Override
  public float[][] texts(List<String> texts) throws IOException {
    throw new IOException("an index of precomputed vectors (--vectors " + dir + ") cannot encode free text: give"
        + " --queries FILE with \"_id\"s that queries.ids.txt has");
  }

  /**
   * @param id a query id
   * @return its vector, or null
   */
  public float[] query(String id) {
    return queries.get(id);
  }

  @Override
  public float[][] rows(List<MemoryRow> rows) throws IOException {
    float[][] out = new float[rows.size()][];
    for (int i = 0; i < rows.size(); i++) {
      MemoryRow r = rows.get(i);
      if (r.rowId().startsWith("q:")) {
        out[i] = queries.get(r.rowId().substring(2));
        if (out[i] == null) {
          fail("queries.ids.txt", "query", List.of(r.rowId().substring(2)));
        }
      } else {
        out[i] = chunkRows.get(r.rowId());
        if (out[i] == null) {
          throw new IllegalStateException("memory row " + r.rowId() + " is not a chunk row of " + dir);
        }
      }
    }
    served += out.length;
    return out;
  }

  @Override
  public void addChunks(TrainingMemoryBuilder b, BeirDataset ds, int chunks, int chunkWords) {
    Map<String, Integer> perDoc = new HashMap<>();
    int unknown = 0;
    for (int i = 0; i < chunkDocs.size(); i++) {
      String doc = chunkDocs.get(i);
      if (ds.doc(doc) == null) {
        unknown++;
        continue;
      }
      int n = perDoc.merge(doc, 1, Integer::sum) - 1;
      if (n < chunks) {
        String rowId = b.addChunkRow(doc, n);
        chunkRows.put(rowId, chunkVectors[i]);
      }
    }
    if (unknown > 0) {
      System.err.printf("vectors: %d rows of chunks.docids.txt name documents not in the corpus; ignored%n", unknown);
    }
  }

  @Override
  public long encodedCount() {
    return 0;
  }

  @Override
  public long cacheHitCount() {
    return served;
  }

  @Override
  public void close() {}
}
