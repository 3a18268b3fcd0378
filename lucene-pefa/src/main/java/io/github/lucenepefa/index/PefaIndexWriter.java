package io.github.lucenepefa.index;

import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.index.FlushBatch.PendingDoc;
import io.github.lucenepefa.index.FlushBatch.RowOp;
import io.github.lucenepefa.scoring.PefaChecks;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
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
 * a flush that changes nothing already in the index are written by the constructor's {@code writeThreads} threads,
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
  private final IndexSnapshot snapshot;
  private final BatchWriter batchWriter;
  private volatile WriteListener listener = WriteListener.NONE;

  private final Map<String, RowOp> pendingRows = new LinkedHashMap<>();
  private final Map<String, PendingDoc> pendingDocs = new LinkedHashMap<>();

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
    this.snapshot = new IndexSnapshot(writer, schema);
    this.batchWriter = new BatchWriter(writer, schema, writeThreads);
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
   *     row of the same id; either way the row is buffered (a flush writes it, and checks it against
   *     the index's row again), as for every call that adds to the buffer
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
    IOException lookupFailure = null; // the flush checks the row again: buffer it all the same
    synchronized (this) {
      RowOp op = pendingRows.get(rowId);
      if (op != null && op.vector != null && Arrays.equals(op.vector, vector) == false) {
        throw new IllegalArgumentException(
            "training query '" + rowId + "' was already added with a different vector");
      }
      if (op == null || (op.vector == null && op.replace == false)) {
        float[] indexed = null;
        try {
          indexed = snapshot.indexedRowVector(rowId);
        } catch (IOException e) {
          lookupFailure = e;
        } catch (UncheckedIOException e) { // some Lucene readers wrap an IOException
          lookupFailure = e.getCause();
        }
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
    if (lookupFailure != null) {
      throw lookupFailure;
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
    PefaChecks.id("training query id", rowId);
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
    PefaChecks.id("training query id", rowId);
    PefaChecks.id("training query '" + rowId + "': document key", docKey);
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
    PefaChecks.id("training query id", rowId);
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
    PefaChecks.id("document key", key);
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
    PefaChecks.id("document key", key);
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
    snapshot.refresh();
    batchWriter.write(
        FlushBatch.prepare(schema, snapshot, pendingRows, pendingDocs),
        pendingRows,
        pendingDocs,
        listener);
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
        snapshot.close();
      }
    }
  }
}
