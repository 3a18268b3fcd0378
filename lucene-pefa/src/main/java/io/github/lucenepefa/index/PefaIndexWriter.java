package io.github.lucenepefa.index;

import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.scoring.PefaChecks;
import io.github.lucenepefa.scoring.PefaScoring;
import io.github.lucenepefa.scoring.PefaScoring.WeightedRow;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;

/**
 * Writes a PEFA index: documents with their ERM vectors, and the training memory (training-query
 * vectors with the documents they are relevant to), in one Lucene index. Wraps a Lucene {@link
 * IndexWriter}.
 *
 * <p>Semantics:
 *
 * <ul>
 *   <li>Documents are identified by an external key; adding a key again replaces the document.
 *   <li>Memory rows are identified by a row id. Adding the same row id again merges: labels are
 *       unioned and the weights of a (row, document) pair add up; {@link #removeTrainingPair}
 *       subtracts. A row id added with a different vector is rejected.
 *   <li>Labels point at document keys, not Lucene doc ids, so they survive merges, deletes and
 *       updates: a deleted document is never reached through a label, an updated one is scored
 *       with its new vector, and a label may name a document that does not exist yet.
 *   <li><b>PEFA-XS is live.</b> Every document's stored {@code e_d = lam*p_d + (1-lam)*normalize(
 *       sum_i Y[i,d] x_i)} is computed from the memory as it is after the same flush, whatever the
 *       order of the calls: when training pairs are added or removed, the documents whose labels
 *       changed (and only those) are indexed again with their new {@code e_d}. The rows labelling a
 *       document are found through the {@link PefaSchema#labelKeyField()} terms, never by scanning
 *       the memory. A document is indexed again from its recorded application fields ({@link
 *       PefaSchema#sourceField()}), so it keeps them exactly (see {@link #addDocument} for the
 *       fields that can be recorded).
 * </ul>
 *
 * <p>Changes are buffered and reach Lucene at {@link #flush()} (also called by {@link #commit()},
 * when the buffer fills, and whenever a {@link PefaDirectoryReader} opened on this writer is
 * reopened). A flush writes its memory rows and the documents they re-index with one atomic Lucene
 * update ({@link IndexWriter#updateDocuments(Query, Iterable)}), so every reader, near-real-time or
 * opened on a commit, sees a memory and documents that agree. If a flush fails, nothing of it is
 * applied and its changes stay buffered: a retry writes them once. Brand-new rows and documents of
 * a flush that changes nothing already in the index are written by {@link #writeThreads} threads,
 * for bulk loads.
 *
 * <p>Input is validated when it is added (dimension, finite, unit length, keys and row ids, weights,
 * application fields), so a bad call throws {@link IllegalArgumentException} before anything is
 * buffered. This class is thread-safe.
 */
public final class PefaIndexWriter implements Closeable {

  /** Default number of buffered documents (or memory rows) that triggers a {@link #flush()}. */
  public static final int DEFAULT_MAX_BUFFERED_DOCS = 10_000;

  private final IndexWriter writer;
  private final PefaSchema schema;
  private final boolean ownsWriter;
  private final int maxBufferedDocs;
  private final int writeThreads;
  private volatile WriteListener listener = WriteListener.NONE;

  private final Map<String, RowOp> pendingRows = new LinkedHashMap<>();
  private final Map<String, PendingDoc> pendingDocs = new LinkedHashMap<>();
  private DirectoryReader snapshot; // this writer's NRT reader, reopened at each flush

  /**
   * Told about every memory row and document a flush hands to Lucene (for progress reports of
   * bulk loads; Lucene builds the HNSW graphs as they arrive). Called from the writing threads:
   * implementations must be thread-safe and cheap.
   */
  public interface WriteListener {
    /** Does nothing. */
    WriteListener NONE = new WriteListener() {};

    /** A memory row (or a row deletion) was handed to Lucene. */
    default void rowWritten() {}

    /** A document was handed to Lucene. */
    default void documentWritten() {}
  }

  /**
   * The buffered changes of one memory row, relative to the row in the index. The calls on one label
   * compose to {@code w -> max(floor, w + delta)} of the weight {@code w} it has before the flush
   * (0 when the label was dropped): adding {@code a} is {@code floor += a, delta += a}, removing
   * {@code a} (never below 0) is {@code floor = max(0, floor - a), delta -= a}. So a flush gives the
   * weight the calls would give one by one, wherever flushes fall between them.
   */
  private static final class RowOp {
    boolean replace; // start from no row, ignoring the one in the index
    float[] vector;
    final LinkedHashMap<String, float[]> labels = new LinkedHashMap<>(); // key -> {floor, delta}
    final Set<String> dropped = new LinkedHashSet<>(); // labels whose weight before is taken as 0

    float[] change(String key) {
      return labels.computeIfAbsent(key, k -> new float[2]);
    }
  }

  /** A buffered document: its ERM vector (or null) and its recorded application fields. */
  private record PendingDoc(float[] vector, BytesRef source) {}

  /** A row as it is in the index, or as a flush leaves it. */
  private record Row(float[] vector, Map<String, Float> labels) {}

  /** A document of one segment. */
  private record LeafDoc(LeafReader leaf, int doc) {}

  /**
   * Wraps an existing writer. Its codec must write the PEFA vector fields with {@link
   * io.github.lucenepefa.codec.Pefa01VectorsFormat} (for example {@link Pefa01Codec}).
   *
   * @param writer the Lucene writer (not closed by {@link #close()})
   * @param schema the index layout
   * @throws IOException on I/O errors
   * @throws IllegalArgumentException when the index was committed with a different schema
   */
  public PefaIndexWriter(IndexWriter writer, PefaSchema schema) throws IOException {
    this(writer, schema, false, DEFAULT_MAX_BUFFERED_DOCS, 1);
  }

  /**
   * Wraps an existing writer, with a buffer size and a number of writing threads for bulk loads.
   *
   * <p>A flush reads what it needs of the index through a near-real-time reader and makes Lucene
   * write a segment: a bigger buffer means fewer of both (it holds {@code maxBufferedDocs} copies
   * of the document vectors on the heap). With {@code writeThreads > 1} the brand-new rows and
   * documents of a flush are handed to Lucene from that many threads, so that Lucene builds that
   * many segments' HNSW graphs at once.
   *
   * @param writer the Lucene writer (not closed by {@link #close()})
   * @param schema the index layout
   * @param maxBufferedDocs buffered documents or rows that trigger a {@link #flush()} (at least 1)
   * @param writeThreads threads that hand a bulk flush's rows and documents to Lucene (at least 1)
   * @throws IOException on I/O errors
   * @throws IllegalArgumentException when the index was committed with a different schema, or a
   *     count is below 1
   */
  public PefaIndexWriter(IndexWriter writer, PefaSchema schema, int maxBufferedDocs, int writeThreads)
      throws IOException {
    this(writer, schema, false, maxBufferedDocs, writeThreads);
  }

  private PefaIndexWriter(
      IndexWriter writer, PefaSchema schema, boolean owns, int maxBuffered, int writeThreads)
      throws IOException {
    this.writer = Objects.requireNonNull(writer, "writer");
    this.schema = Objects.requireNonNull(schema, "schema");
    PefaChecks.positive("maxBufferedDocs", maxBuffered);
    PefaChecks.positive("writeThreads", writeThreads);
    this.ownsWriter = owns;
    this.maxBufferedDocs = maxBuffered;
    this.writeThreads = writeThreads;
    Iterable<Map.Entry<String, String>> commitData = writer.getLiveCommitData();
    if (commitData != null) {
      for (Map.Entry<String, String> e : commitData) {
        if (PefaSchema.COMMIT_KEY.equals(e.getKey())
            && schema.toCommitValue().equals(e.getValue()) == false) {
          throw new IllegalArgumentException(
              "the index was written with schema "
                  + e.getValue()
                  + " but this writer uses "
                  + schema.toCommitValue());
        }
      }
    }
  }

  /**
   * Opens (or creates) an index in a directory with {@link Pefa01Codec}.
   *
   * @param dir the directory
   * @param schema the index layout
   * @return a writer that closes its {@link IndexWriter} on {@link #close()}
   * @throws IOException on I/O errors
   */
  public static PefaIndexWriter open(Directory dir, PefaSchema schema) throws IOException {
    return open(dir, schema, new IndexWriterConfig());
  }

  /**
   * Opens (or creates) an index in a directory with the given configuration, whose codec is set to
   * {@link Pefa01Codec}.
   *
   * @param dir the directory
   * @param schema the index layout
   * @param config the Lucene writer configuration (analyzer, merge policy, ...)
   * @return a writer that closes its {@link IndexWriter} on {@link #close()}
   * @throws IOException on I/O errors
   */
  public static PefaIndexWriter open(Directory dir, PefaSchema schema, IndexWriterConfig config)
      throws IOException {
    IndexWriter w = new IndexWriter(dir, config.setCodec(new Pefa01Codec()));
    try {
      return new PefaIndexWriter(w, schema, true, DEFAULT_MAX_BUFFERED_DOCS, 1);
    } catch (RuntimeException | IOException e) {
      w.rollback();
      throw e;
    }
  }

  /**
   * Sets the listener told about rows and documents as flushes write them.
   *
   * @param listener the listener, or {@code null} for none
   */
  public void setWriteListener(WriteListener listener) {
    this.listener = listener == null ? WriteListener.NONE : listener;
  }

  /**
   * @return the schema
   */
  public PefaSchema schema() {
    return schema;
  }

  /**
   * The wrapped Lucene writer, for merges and near-real-time readers. Write PEFA documents and
   * memory rows through this class only; a plain Lucene reader of this writer shows the memory
   * rows, which {@link PefaDirectoryReader} hides.
   *
   * @return the wrapped Lucene writer
   */
  public IndexWriter indexWriter() {
    return writer;
  }

  /**
   * @return whether changes are buffered that no flush has written yet
   */
  public synchronized boolean hasBufferedChanges() {
    return pendingRows.isEmpty() == false || pendingDocs.isEmpty() == false;
  }

  /**
   * Adds a training query (a memory row) with its labels, merging with an existing row of the same
   * id: labels are unioned and weights of repeated pairs add up.
   *
   * @param rowId the row id (for example the query id, or the normalised query text)
   * @param vector the training-query vector {@code x_i} (unit length)
   * @param labels document key to weight {@code Y[i,d]} (weights finite and > 0; at least one: a
   *     row without labels votes for nothing and is refused)
   * @throws IOException when a flush of a full buffer fails, or on I/O errors reading the index's
   *     row of the same id
   * @throws IllegalArgumentException naming the row when its id, labels or vector are bad, or when a
   *     row of the same id, buffered or in the index, has a different vector (nothing is changed)
   */
  public void addTrainingQuery(String rowId, float[] vector, Map<String, Float> labels)
      throws IOException {
    new TrainingLabels(rowId, labels); // checks the id, keys and weights
    if (labels.isEmpty()) {
      throw new IllegalArgumentException(
          "training query '" + rowId + "' has no labels: a memory row labels at least one document");
    }
    PefaVectors.checkUnit("training query '" + rowId + "' vector", vector, schema.dimension());
    boolean flush;
    synchronized (this) {
      RowOp op = pendingRows.get(rowId);
      if (op != null && op.vector != null && Arrays.equals(op.vector, vector) == false) {
        throw new IllegalArgumentException(
            "training query '" + rowId + "' was already added with a different vector");
      }
      if (op == null || (op.vector == null && op.replace == false)) {
        float[] indexed = indexedRowVector(rowId);
        if (indexed != null && Arrays.equals(indexed, vector) == false) {
          throw new IllegalArgumentException(
              "training query '" + rowId + "' exists in the index with a different vector");
        }
      }
      if (op == null) {
        pendingRows.put(rowId, op = new RowOp());
      }
      for (Map.Entry<String, Float> e : labels.entrySet()) { // check before changing anything
        float[] c = op.labels.get(e.getKey());
        if (c != null && Float.isFinite(c[0] + e.getValue()) == false) {
          throw new IllegalArgumentException(
              "training query '" + rowId + "': the weights added for document '" + e.getKey()
                  + "' sum to more than a float holds");
        }
      }
      op.vector = vector.clone();
      for (Map.Entry<String, Float> e : labels.entrySet()) {
        float[] c = op.change(e.getKey());
        c[0] += e.getValue();
        c[1] += e.getValue();
      }
      flush = pendingRows.size() >= maxBufferedDocs;
    }
    if (flush) {
      flush();
    }
  }

  /**
   * Adds one training pair: {@code addTrainingQuery(rowId, vector, Map.of(docKey, weight))}.
   *
   * @param rowId the row id
   * @param vector the training-query vector
   * @param docKey the relevant document's key
   * @param weight the pair's weight (usually 1)
   * @throws IOException when a flush of a full buffer fails
   */
  public void addTrainingPair(String rowId, float[] vector, String docKey, float weight)
      throws IOException {
    TrainingLabels.checkLabel(rowId, docKey, weight);
    addTrainingQuery(rowId, vector, Map.of(docKey, weight));
  }

  /**
   * Adds one training pair with weight 1; adding the same pair again adds up (weight 2).
   *
   * @param rowId the row id
   * @param vector the training-query vector
   * @param docKey the relevant document's key
   * @throws IOException when a flush of a full buffer fails
   */
  public void addTrainingPair(String rowId, float[] vector, String docKey) throws IOException {
    addTrainingPair(rowId, vector, docKey, 1f);
  }

  /**
   * Removes one training pair: subtracts {@code weight} from the row's weight for the document (the
   * inverse of {@link #addTrainingPair(String, float[], String, float)}); the label goes when its
   * weight reaches 0, and the row when it has no label left.
   *
   * @param rowId the row id
   * @param docKey the document key
   * @param weight the weight to subtract, finite and > 0
   */
  public synchronized void removeTrainingPair(String rowId, String docKey, float weight) {
    PefaSchema.checkId("training query id", rowId);
    TrainingLabels.checkLabel(rowId, docKey, weight);
    float[] c = pendingRows.computeIfAbsent(rowId, id -> new RowOp()).change(docKey);
    c[0] = Math.max(0f, c[0] - weight);
    c[1] -= weight;
  }

  /**
   * Removes one label from a row, whatever its weight (the row is deleted when it has no label
   * left).
   *
   * @param rowId the row id
   * @param docKey the document key to unlabel
   */
  public synchronized void removeTrainingLabel(String rowId, String docKey) {
    PefaSchema.checkId("training query id", rowId);
    PefaSchema.checkId("training query '" + rowId + "': document key", docKey);
    RowOp op = pendingRows.computeIfAbsent(rowId, id -> new RowOp());
    op.dropped.add(docKey);
    float[] c = op.change(docKey);
    c[0] = 0f;
    c[1] = 0f;
  }

  /**
   * Deletes a memory row.
   *
   * @param rowId the row id
   */
  public synchronized void deleteTrainingQuery(String rowId) {
    PefaSchema.checkId("training query id", rowId);
    RowOp op = new RowOp();
    op.replace = true;
    pendingRows.put(rowId, op);
  }

  /**
   * Adds or replaces a document.
   *
   * <p>The application fields are recorded with the document so that it can be indexed again when
   * its PEFA-XS vector changes; they must not carry a {@link java.io.Reader} or {@link
   * org.apache.lucene.analysis.TokenStream} value, nor be of a class that makes its own token
   * stream (such as {@code FeatureField}). Text given as a {@code String} is analysed by the
   * writer's analyzer, each time the document is indexed.
   *
   * @param key the external key
   * @param ermVector {@code p_d} (unit length), or {@code null} for a document without a vector
   * @param extraFields application fields to index with it (must not use PEFA field names)
   * @throws IOException when a flush of a full buffer fails
   * @throws IllegalArgumentException naming the problem with the key, vector or a field
   */
  public void addDocument(String key, float[] ermVector, Iterable<? extends IndexableField> extraFields)
      throws IOException {
    PefaSchema.checkId("document key", key);
    if (ermVector != null) {
      PefaVectors.checkUnit("document '" + key + "' vector", ermVector, schema.dimension());
    }
    List<IndexableField> extra = new ArrayList<>();
    if (extraFields != null) {
      for (IndexableField f : extraFields) {
        if (schema.reserves(f.name())) {
          throw new IllegalArgumentException(
              "document '" + key + "': field name '" + f.name() + "' is reserved by PEFA");
        }
        extra.add(f);
      }
    }
    BytesRef source = DocumentSource.encode(key, extra);
    boolean flush;
    synchronized (this) {
      pendingDocs.put(key, new PendingDoc(ermVector == null ? null : ermVector.clone(), source));
      flush = pendingDocs.size() >= maxBufferedDocs;
    }
    if (flush) {
      flush();
    }
  }

  /**
   * Adds or replaces a document with no application fields.
   *
   * @param key the external key
   * @param ermVector {@code p_d}
   * @throws IOException when a flush of a full buffer fails
   */
  public void addDocument(String key, float[] ermVector) throws IOException {
    addDocument(key, ermVector, List.of());
  }

  /**
   * Deletes a document by key. Labels that point at it stay in the memory and are ignored.
   *
   * @param key the external key
   * @throws IOException on I/O errors
   */
  public synchronized void deleteDocument(String key) throws IOException {
    PefaSchema.checkId("document key", key);
    pendingDocs.remove(key);
    writer.deleteDocuments(schema.keyTerm(key));
  }

  /**
   * Deletes the documents matching a query; memory rows are never deleted by it (the query is
   * restricted to documents). Buffered changes are flushed first, so that the query also sees the
   * documents added before this call.
   *
   * @param query the documents to delete
   * @throws IOException on I/O errors
   */
  public synchronized void deleteDocuments(Query query) throws IOException {
    Objects.requireNonNull(query, "query");
    flush();
    writer.deleteDocuments(
        new BooleanQuery.Builder()
            .add(query, BooleanClause.Occur.FILTER)
            .add(schema.documentsQuery(), BooleanClause.Occur.FILTER)
            .build());
  }

  /**
   * Writes the buffered memory rows and documents to the Lucene writer, with the PEFA-XS vectors of
   * every document whose labels they change. Nothing is visible to readers opened on commits until
   * {@link #commit()}.
   *
   * <p>If the flush fails, nothing of it is applied and its changes stay buffered, so a retry
   * writes them once. An I/O error inside Lucene's own writing (a segment, deletes, a merge) is
   * tragic for Lucene's {@link IndexWriter}, which closes: then reopen from the last commit.
   *
   * @throws IOException on I/O errors (a reader may also wrap one in an unchecked exception); the
   *     changes stay buffered
   * @throws IllegalArgumentException when a buffered row conflicts with one in the index (same id,
   *     different vector) or would get a weight beyond what a float holds; that row's buffered
   *     changes are discarded, the rest stays buffered
   */
  public synchronized void flush() throws IOException {
    if (hasBufferedChanges() == false) {
      return;
    }
    refreshSnapshot();
    Batch batch = prepare();
    if (batch.bulk()) {
      writeBulk(batch);
    } else {
      writeAtomically(batch);
    }
  }

  /**
   * Flushes and commits. The commit user data keeps every entry the application set on the Lucene
   * writer and records the schema under {@link PefaSchema#COMMIT_KEY}.
   *
   * @return the commit's sequence number
   * @throws IOException on I/O errors
   */
  public synchronized long commit() throws IOException {
    flush();
    Map<String, String> data = new LinkedHashMap<>();
    Iterable<Map.Entry<String, String>> live = writer.getLiveCommitData();
    if (live != null) {
      for (Map.Entry<String, String> e : live) {
        data.put(e.getKey(), e.getValue());
      }
    }
    data.put(PefaSchema.COMMIT_KEY, schema.toCommitValue());
    writer.setLiveCommitData(data.entrySet());
    return writer.commit();
  }

  // ---------------------------------------------------------------------------------------------
  // flush

  /** What one flush writes. */
  private record Batch(
      Map<String, Row> rows, // changed rows: new state, or null for a deleted row
      Set<String> existingRows, // changed rows present in the index
      Map<String, Document> docs, // documents to write, by key
      Set<String> existingKeys) { // keys of those present in the index

    /** Nothing in the index changes: brand-new rows and documents only. */
    boolean bulk() {
      return existingRows.isEmpty() && existingKeys.isEmpty() && rows.containsValue(null) == false;
    }
  }

  private void refreshSnapshot() throws IOException {
    if (snapshot == null) {
      snapshot = DirectoryReader.open(writer);
    } else {
      DirectoryReader newer = DirectoryReader.openIfChanged(snapshot, writer);
      if (newer != null) {
        DirectoryReader old = snapshot;
        snapshot = newer;
        old.close();
      }
    }
  }

  /** Computes the batch from the buffer and the snapshot; changes nothing but a bad row's op. */
  private Batch prepare() throws IOException {
    // the rows as the flush leaves them, and the keys whose weights change
    Map<String, Row> rows = new LinkedHashMap<>();
    Set<String> existingRows = new HashSet<>();
    Set<String> affected = new LinkedHashSet<>();
    for (Map.Entry<String, RowOp> e : new ArrayList<>(pendingRows.entrySet())) {
      String rowId = e.getKey();
      RowOp op = e.getValue();
      LeafDoc live = liveDoc(schema.rowTerm(rowId));
      Row before = live == null ? null : readRow(live);
      if (live != null) {
        existingRows.add(rowId);
      }
      if (before != null
          && op.replace == false
          && op.vector != null
          && Arrays.equals(before.vector(), op.vector) == false) {
        pendingRows.remove(rowId); // discard the conflicting change so that the rest can be written
        throw new IllegalArgumentException(
            "training query '" + rowId + "' exists in the index with a different vector");
      }
      Map<String, Float> labels = new LinkedHashMap<>();
      if (before != null && op.replace == false) {
        labels.putAll(before.labels());
      }
      for (Map.Entry<String, float[]> c : op.labels.entrySet()) {
        String key = c.getKey();
        float base = op.dropped.contains(key) ? 0f : labels.getOrDefault(key, 0f);
        float w = Math.max(c.getValue()[0], base + c.getValue()[1]);
        if (Float.isFinite(w) == false) {
          pendingRows.remove(rowId); // discard the bad change so that the rest can be written
          throw new IllegalArgumentException(
              "training query '" + rowId + "': the weight of document '" + key
                  + "' would exceed what a float holds; its buffered change is discarded");
        }
        if (w > 0f) {
          labels.put(key, w);
        } else {
          labels.remove(key);
        }
      }
      float[] vector = op.vector != null ? op.vector : before == null || op.replace ? null : before.vector();
      Row after = vector == null || labels.isEmpty() ? null : new Row(vector, labels);
      if (after == null && live == null) {
        pendingRows.remove(rowId); // nothing to delete, nothing to add: a change of nothing
        continue;
      }
      rows.put(rowId, after);
      Map<String, Float> old = before == null ? Map.of() : before.labels();
      Map<String, Float> now = after == null ? Map.of() : after.labels();
      for (String k : old.keySet()) {
        if (old.get(k).equals(now.get(k)) == false) {
          affected.add(k);
        }
      }
      for (String k : now.keySet()) {
        if (now.get(k).equals(old.get(k)) == false) {
          affected.add(k);
        }
      }
    }
    affected.addAll(pendingDocs.keySet());
    Map<String, List<WeightedRow>> changedByKey = new HashMap<>();
    for (Map.Entry<String, Row> e : rows.entrySet()) {
      Row row = e.getValue();
      if (row != null) {
        for (Map.Entry<String, Float> label : row.labels().entrySet()) {
          changedByKey
              .computeIfAbsent(label.getKey(), k -> new ArrayList<>(1))
              .add(new WeightedRow(e.getKey(), row.vector(), label.getValue()));
        }
      }
    }

    // the documents: buffered ones, and those in the index whose PEFA-XS vector changes
    Map<String, Document> docs = new LinkedHashMap<>();
    Set<String> existingKeys = new HashSet<>();
    int dim = schema.dimension();
    for (String key : affected) {
      PendingDoc pending = pendingDocs.get(key);
      List<LeafDoc> live = liveDocs(schema.keyTerm(key));
      if (pending == null && live.isEmpty()) {
        continue; // a label of a document that does not exist (yet)
      }
      float[] u = PefaScoring.labelCentroid(rowsLabelling(key, rows, changedByKey), dim);
      if (pending != null) {
        if (live.isEmpty() == false) {
          existingKeys.add(key);
        }
        docs.put(key, document(key, pending.vector(), u, pending.source()));
        continue;
      }
      for (LeafDoc d : live) {
        float[] p = vector(d, schema.ermField());
        if (p == null || xsUnchanged(d, p, u)) {
          continue; // no PEFA-XS vector, or the same one
        }
        existingKeys.add(key);
        docs.put(key, document(key, p, u, source(d)));
      }
    }
    return new Batch(rows, existingRows, docs, existingKeys);
  }

  /**
   * The rows labelling {@code key} after the flush: those in the index that the flush leaves as
   * they are, then the flush's own ({@code changedByKey}, the changed rows by labelled key).
   */
  private List<WeightedRow> rowsLabelling(
      String key, Map<String, Row> changed, Map<String, List<WeightedRow>> changedByKey)
      throws IOException {
    List<WeightedRow> out = new ArrayList<>();
    for (LeafDoc d : liveDocs(new Term(schema.labelKeyField(), key))) {
      Row row = readRow(d);
      if (row == null) {
        continue;
      }
      String rowId = rowIdOf(d);
      if (changed.containsKey(rowId) == false) {
        out.add(new WeightedRow(rowId, row.vector(), row.labels().get(key)));
      }
    }
    out.addAll(changedByKey.getOrDefault(key, List.of()));
    return out;
  }

  /**
   * Whether the document's stored PEFA-XS vector is that of {@code u} already (PEFA-XS at every
   * lambda is computed from it and {@code p_d}, so nothing else can differ).
   */
  private boolean xsUnchanged(LeafDoc d, float[] p, float[] u) throws IOException {
    float[] e = PefaScoring.xsDocumentVector(p, u, schema.xsLambda());
    return Arrays.equals(e, vector(d, schema.xsVectorField()));
  }

  private Document document(String key, float[] p, float[] u, BytesRef source) {
    Document doc = new Document();
    for (IndexableField f : DocumentSource.decode(source)) {
      doc.add(f);
    }
    if (source != null) {
      doc.add(new StoredField(schema.sourceField(), source));
    }
    return schema.addDocumentFields(doc, key, p, u);
  }

  /** One atomic update: delete the replaced rows and documents, add the new ones as a block. */
  private void writeAtomically(Batch batch) throws IOException {
    List<Document> block = new ArrayList<>(batch.rows().size() + batch.docs().size());
    for (Map.Entry<String, Row> e : batch.rows().entrySet()) {
      Row row = e.getValue();
      if (row != null) {
        block.add(schema.memoryRowDocument(row.vector(), new TrainingLabels(e.getKey(), row.labels())));
      }
    }
    int rowDocs = block.size();
    block.addAll(batch.docs().values());
    Query replaced = replacedQuery(batch);
    if (block.isEmpty()) {
      if (replaced != null) {
        writer.deleteDocuments(replaced);
      }
    } else {
      writer.updateDocuments(replaced, block);
    }
    for (int i = 0; i < batch.rows().size(); i++) {
      listener.rowWritten();
    }
    for (int i = rowDocs; i < block.size(); i++) {
      listener.documentWritten();
    }
    pendingRows.clear();
    pendingDocs.keySet().removeAll(batch.docs().keySet());
  }

  private Query replacedQuery(Batch batch) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    if (batch.existingRows().isEmpty() == false) {
      b.add(
          new TermInSetQuery(schema.rowIdField(), terms(batch.existingRows())),
          BooleanClause.Occur.SHOULD);
    }
    if (batch.existingKeys().isEmpty() == false) {
      b.add(
          new TermInSetQuery(schema.keyField(), terms(batch.existingKeys())),
          BooleanClause.Occur.SHOULD);
    }
    BooleanQuery q = b.build();
    return q.clauses().isEmpty() ? null : q;
  }

  private static List<BytesRef> terms(Set<String> values) {
    List<BytesRef> out = new ArrayList<>(values.size());
    for (String v : values) {
      out.add(new BytesRef(v));
    }
    return out;
  }

  /**
   * A flush that changes nothing already in the index: its rows, then its documents, are added by
   * {@link #writeThreads} threads. Readers may see part of it, but never a document whose PEFA-XS
   * vector disagrees with the rows they see: every row is added before any document. What was
   * added before a failure leaves the buffer; the rest stays.
   */
  private void writeBulk(Batch batch) throws IOException {
    List<String> rowIds = new ArrayList<>(batch.rows().keySet());
    List<Document> rowDocs = new ArrayList<>(rowIds.size());
    for (String id : rowIds) {
      Row row = batch.rows().get(id);
      rowDocs.add(schema.memoryRowDocument(row.vector(), new TrainingLabels(id, row.labels())));
    }
    boolean[] rowsDone = new boolean[rowDocs.size()];
    try {
      addAll(rowDocs, rowsDone, listener::rowWritten);
    } finally {
      for (int i = 0; i < rowsDone.length; i++) {
        if (rowsDone[i]) {
          pendingRows.remove(rowIds.get(i));
        }
      }
    }
    List<String> keys = new ArrayList<>(batch.docs().keySet());
    List<Document> docs = new ArrayList<>(batch.docs().values());
    boolean[] docsDone = new boolean[docs.size()];
    try {
      addAll(docs, docsDone, listener::documentWritten);
    } finally {
      for (int i = 0; i < docsDone.length; i++) {
        if (docsDone[i]) {
          pendingDocs.remove(keys.get(i));
        }
      }
    }
  }

  /**
   * Adds documents in order on this thread, or split into contiguous runs over {@link
   * #writeThreads} threads; marks each added one in {@code done}; rethrows the first failure of any
   * thread (an {@link IOException} as itself).
   */
  private void addAll(List<Document> docs, boolean[] done, Runnable written) throws IOException {
    int threads = Math.min(writeThreads, docs.size());
    if (threads <= 1) {
      for (int i = 0; i < docs.size(); i++) {
        writer.addDocument(docs.get(i));
        done[i] = true;
        written.run();
      }
      return;
    }
    Thread[] workers = new Thread[threads];
    Throwable[] failures = new Throwable[threads];
    for (int t = 0; t < threads; t++) {
      int from = (int) ((long) docs.size() * t / threads);
      int to = (int) ((long) docs.size() * (t + 1) / threads);
      int slot = t;
      workers[t] =
          new Thread(
              () -> {
                try {
                  for (int i = from; i < to; i++) {
                    writer.addDocument(docs.get(i));
                    done[i] = true;
                    written.run();
                  }
                } catch (Throwable e) { // rethrown by the flushing thread, Errors included
                  failures[slot] = e;
                }
              },
              "pefa-write-" + t);
      workers[t].start();
    }
    try {
      for (Thread w : workers) {
        w.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing to the index");
    }
    for (Throwable f : failures) {
      if (f instanceof IOException io) {
        throw io;
      } else if (f instanceof UncheckedIOException uio) {
        throw uio.getCause();
      } else if (f instanceof RuntimeException re) {
        throw re;
      } else if (f instanceof Error err) {
        throw err;
      } else if (f != null) {
        throw new IllegalStateException(f);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // reading the snapshot

  /** The vector of the index's live row of this id (as of the last flush), or null. */
  private float[] indexedRowVector(String rowId) throws IOException {
    refreshSnapshot();
    LeafDoc live = liveDoc(schema.rowTerm(rowId));
    return live == null ? null : vector(live, schema.memoryField());
  }

  /** The first live document carrying the term, or null. */
  private LeafDoc liveDoc(Term term) throws IOException {
    List<LeafDoc> all = liveDocs(term);
    return all.isEmpty() ? null : all.get(0);
  }

  /** Every live document of the snapshot carrying the term (a row id or a document key). */
  private List<LeafDoc> liveDocs(Term term) throws IOException {
    List<LeafDoc> out = new ArrayList<>(1);
    LiveTermDocs.visit(
        snapshot.leaves(),
        term.field(),
        new BytesRef[] {term.bytes()},
        LiveTermDocs.Acceptance.ALL,
        (t, ctx, doc) -> out.add(new LeafDoc(ctx.reader(), doc)));
    return out;
  }

  /** The vector and labels of a live row document, or null if it lacks either. */
  private Row readRow(LeafDoc row) throws IOException {
    TrainingLabels labels = labelsOf(row);
    float[] vector = vector(row, schema.memoryField());
    return labels == null || vector == null ? null : new Row(vector, new HashMap<>(labels.weights()));
  }

  private String rowIdOf(LeafDoc row) throws IOException {
    return labelsOf(row).rowId();
  }

  private TrainingLabels labelsOf(LeafDoc row) throws IOException {
    BinaryDocValues bdv = row.leaf().getBinaryDocValues(schema.labelsField());
    return bdv == null || bdv.advanceExact(row.doc()) == false
        ? null
        : TrainingLabels.decode(bdv.binaryValue());
  }

  /** A copy of a document's vector in a field, or null. */
  private static float[] vector(LeafDoc d, String field) throws IOException {
    FloatVectorValues values = d.leaf().getFloatVectorValues(field);
    if (values == null) {
      return null;
    }
    KnnVectorValues.DocIndexIterator it = values.iterator();
    return it.advance(d.doc()) == d.doc() ? values.vectorValue(it.index()).clone() : null;
  }

  /** A document's recorded application fields, or null. */
  private BytesRef source(LeafDoc d) throws IOException {
    Document stored = d.leaf().storedFields().document(d.doc(), Set.of(schema.sourceField()));
    BytesRef b = stored.getBinaryValue(schema.sourceField());
    return b == null ? null : BytesRef.deepCopyOf(b);
  }

  /**
   * Flushes, and closes the wrapped writer if this object opened it (committing first).
   *
   * @throws IOException on I/O errors
   */
  @Override
  public void close() throws IOException {
    try {
      if (ownsWriter) {
        try {
          commit();
        } finally {
          writer.close();
        }
      } else {
        flush();
      }
    } finally {
      synchronized (this) {
        if (snapshot != null) {
          snapshot.close();
          snapshot = null;
        }
      }
    }
  }
}
