package io.github.lucenepefa.index;

import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.scoring.PefaScoring;
import io.github.lucenepefa.scoring.PefaScoring.WeightedRow;
import java.io.Closeable;
import java.io.IOException;
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
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.Bits;

/**
 * Writes a PEFA index: documents with their ERM vectors, and the training memory (training-query
 * vectors with the documents they are relevant to). Wraps a Lucene {@link IndexWriter}.
 *
 * <p>Semantics:
 *
 * <ul>
 *   <li>Documents are identified by an external key; adding a key again replaces the document
 *       (the new vector is used from the next commit on).
 *   <li>Memory rows are identified by a row id. Adding the same row id again merges: labels are
 *       unioned and the weights of a (row, document) pair add up. A row id added with a different
 *       vector is rejected.
 *   <li>Labels point at document keys, not Lucene doc ids, so they survive merges, deletes and
 *       updates: a deleted document is never reached through a label, an updated one is scored
 *       with its new vector.
 *   <li>The PEFA-XS pair {@code [p_d, u_d]} of a document is computed when the document is
 *       written (at {@link #flush()} or {@link #commit()}), from all memory rows present then.
 *       Training pairs added later reach PEFA-XL at once; PEFA-XS sees them for documents written
 *       after them (re-add a document to refresh its XS vector). Add the memory first when
 *       building an index.
 * </ul>
 *
 * <p>Input is validated when it is added (dimension, finite, unit length, keys, weights), so a bad
 * call throws {@link IllegalArgumentException} before anything is buffered or written. This class
 * is thread-safe.
 */
public final class PefaIndexWriter implements Closeable {

  /** Default number of buffered documents that triggers a {@link #flush()}. */
  public static final int DEFAULT_MAX_BUFFERED_DOCS = 10_000;

  private final IndexWriter writer;
  private final PefaSchema schema;
  private final boolean ownsWriter;
  private final int maxBufferedDocs;
  private final int writeThreads;
  private volatile WriteListener listener = WriteListener.NONE;

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
  private final Map<String, RowOp> pendingRows = new LinkedHashMap<>();
  private final Map<String, PendingDoc> pendingDocs = new LinkedHashMap<>();

  private static final class RowOp {
    boolean replace; // ignore the committed row
    float[] vector;
    final LinkedHashMap<String, Float> add = new LinkedHashMap<>();
    final Set<String> remove = new LinkedHashSet<>();
  }

  private record PendingDoc(float[] vector, List<IndexableField> extra) {}

  private record CommittedRow(float[] vector, TrainingLabels labels) {}

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
   * <p>Every flush of buffered documents opens a near-real-time reader and reads the whole
   * training memory once (to compute the documents' PEFA-XS vectors), and Lucene flushes a segment
   * for it: a bigger buffer means fewer of both (it holds {@code maxBufferedDocs} copies of the
   * document vectors on the heap). With {@code writeThreads > 1} a flush hands its memory rows and
   * documents to Lucene from that many threads, so that Lucene builds that many segments' HNSW
   * graphs at once (Lucene indexes each thread's documents into a segment of its own).
   *
   * @param writer the Lucene writer (not closed by {@link #close()})
   * @param schema the index layout
   * @param maxBufferedDocs buffered documents that trigger a {@link #flush()} (at least 1)
   * @param writeThreads threads that hand a flush's rows and documents to Lucene (at least 1)
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
    if (maxBuffered < 1) {
      throw new IllegalArgumentException("maxBufferedDocs must be at least 1, got " + maxBuffered);
    }
    if (writeThreads < 1) {
      throw new IllegalArgumentException("writeThreads must be at least 1, got " + writeThreads);
    }
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
    IndexWriterConfig config = new IndexWriterConfig().setCodec(new Pefa01Codec());
    IndexWriter w = new IndexWriter(dir, config);
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
   * @return the wrapped Lucene writer (for NRT readers, merges, application documents)
   */
  public IndexWriter indexWriter() {
    return writer;
  }

  /**
   * Adds a training query (a memory row) with its labels, merging with an existing row of the same
   * id: labels are unioned and weights of repeated pairs add up.
   *
   * @param rowId the row id (for example the query id, or the normalised query text)
   * @param vector the training-query vector {@code x_i} (unit length)
   * @param labels document key to weight {@code Y[i,d]} (weights finite and > 0)
   */
  public synchronized void addTrainingQuery(String rowId, float[] vector, Map<String, Float> labels) {
    new TrainingLabels(rowId, labels); // validates
    PefaVectors.checkUnit("training query '" + rowId + "' vector", vector, schema.dimension());
    RowOp op = pendingRows.computeIfAbsent(rowId, id -> new RowOp());
    if (op.vector != null && Arrays.equals(op.vector, vector) == false) {
      throw new IllegalArgumentException(
          "training query '" + rowId + "' was already added with a different vector");
    }
    op.vector = vector.clone();
    for (Map.Entry<String, Float> e : labels.entrySet()) {
      // a key removed earlier in this buffer stays in op.remove: its committed weight is dropped
      op.add.merge(e.getKey(), e.getValue(), Float::sum);
    }
  }

  /**
   * Adds one training pair: {@code addTrainingQuery(rowId, vector, Map.of(docKey, weight))}.
   *
   * @param rowId the row id
   * @param vector the training-query vector
   * @param docKey the relevant document's key
   * @param weight the pair's weight (usually 1)
   */
  public void addTrainingPair(String rowId, float[] vector, String docKey, float weight) {
    Map<String, Float> one = new HashMap<>();
    TrainingLabels.checkLabel(rowId, docKey, weight);
    one.put(docKey, weight);
    addTrainingQuery(rowId, vector, one);
  }

  /**
   * Adds one training pair with weight 1; adding the same pair again adds up (weight 2).
   *
   * @param rowId the row id
   * @param vector the training-query vector
   * @param docKey the relevant document's key
   */
  public void addTrainingPair(String rowId, float[] vector, String docKey) {
    addTrainingPair(rowId, vector, docKey, 1f);
  }

  /**
   * Removes one label from a row (the row is deleted when it has no label left).
   *
   * @param rowId the row id
   * @param docKey the document key to unlabel
   */
  public synchronized void removeTrainingLabel(String rowId, String docKey) {
    RowOp op = pendingRows.computeIfAbsent(rowId, id -> new RowOp());
    op.add.remove(docKey);
    op.remove.add(docKey);
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
    TrainingLabels.checkLabel(rowId, docKey, weight);
    RowOp op = pendingRows.computeIfAbsent(rowId, id -> new RowOp());
    op.add.merge(docKey, -weight, Float::sum);
  }

  /**
   * Deletes a memory row.
   *
   * @param rowId the row id
   */
  public synchronized void deleteTrainingQuery(String rowId) {
    RowOp op = new RowOp();
    op.replace = true;
    pendingRows.put(rowId, op);
  }

  /**
   * Adds or replaces a document.
   *
   * @param key the external key
   * @param ermVector {@code p_d} (unit length), or {@code null} for a document without a vector
   * @param extraFields application fields to index with it (must not use PEFA field names)
   * @throws IOException when a buffer flush fails
   */
  public void addDocument(String key, float[] ermVector, Iterable<? extends IndexableField> extraFields)
      throws IOException {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("document key must not be null or empty");
    }
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
    boolean flush;
    synchronized (this) {
      pendingDocs.put(key, new PendingDoc(ermVector == null ? null : ermVector.clone(), extra));
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
   * @throws IOException when a buffer flush fails
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
    pendingDocs.remove(key);
    writer.deleteDocuments(schema.keyTerm(key));
  }

  /**
   * Writes buffered memory rows, then buffered documents (with their PEFA-XS pairs) to the Lucene
   * writer. Nothing is visible to readers opened on commits until {@link #commit()}.
   *
   * @throws IOException on I/O errors
   * @throws IllegalArgumentException when a buffered row conflicts with a committed one (same id,
   *     different vector); nothing of the buffer is written then, and the conflicting update is
   *     discarded so that the next flush writes the rest
   */
  public synchronized void flush() throws IOException {
    if (pendingRows.isEmpty() == false) {
      writeRows();
    }
    if (pendingDocs.isEmpty() == false) {
      writeDocs();
    }
  }

  /**
   * Flushes and commits, recording the schema in the commit user data.
   *
   * @return the commit's sequence number
   * @throws IOException on I/O errors
   */
  public synchronized long commit() throws IOException {
    flush();
    writer.setLiveCommitData(Map.of(PefaSchema.COMMIT_KEY, schema.toCommitValue()).entrySet());
    return writer.commit();
  }

  private void writeRows() throws IOException {
    Map<String, CommittedRow> committed = new HashMap<>();
    Set<String> absent = new HashSet<>(); // no live document: added, not updated (see liveDoc)
    try (DirectoryReader reader = DirectoryReader.open(writer)) {
      for (Map.Entry<String, RowOp> e : pendingRows.entrySet()) {
        if (e.getValue().replace == false) {
          LeafDoc live = liveDoc(reader, schema.rowTerm(e.getKey()));
          if (live == null) {
            absent.add(e.getKey());
            continue;
          }
          CommittedRow row = readRow(live);
          if (row != null) {
            committed.put(e.getKey(), row);
          }
        }
      }
    }
    // validate everything before writing anything
    List<Runnable> writes = new ArrayList<>();
    for (Map.Entry<String, RowOp> e : pendingRows.entrySet()) {
      String rowId = e.getKey();
      RowOp op = e.getValue();
      CommittedRow base = committed.get(rowId);
      float[] vector = op.vector != null ? op.vector : base == null ? null : base.vector();
      if (base != null && op.vector != null && Arrays.equals(base.vector(), op.vector) == false) {
        pendingRows.remove(rowId); // discard the conflicting update so the rest can be written
        throw new IllegalArgumentException(
            "training query '" + rowId + "' exists in the index with a different vector");
      }
      LinkedHashMap<String, Float> labels = new LinkedHashMap<>();
      if (base != null) {
        labels.putAll(base.labels().weights());
      }
      labels.keySet().removeAll(op.remove);
      op.add.forEach((k, w) -> labels.merge(k, w, Float::sum));
      labels.values().removeIf(w -> w <= 0f); // pairs removed down to nothing
      if (vector == null || labels.isEmpty()) {
        writes.add(
            () -> {
              io(() -> writer.deleteDocuments(schema.rowTerm(rowId)));
              listener.rowWritten();
            });
      } else {
        Document doc = schema.memoryRowDocument(vector, new TrainingLabels(rowId, labels));
        Term replaced = absent.contains(rowId) ? null : schema.rowTerm(rowId);
        writes.add(
            () -> {
              write(replaced, doc);
              listener.rowWritten();
            });
      }
    }
    runAll(writes);
    pendingRows.clear();
  }

  /** Adds the document, or replaces the documents carrying {@code replaced} when it is not null. */
  private void write(Term replaced, Document doc) {
    if (replaced == null) {
      io(() -> writer.addDocument(doc));
    } else {
      io(() -> writer.updateDocument(replaced, doc));
    }
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static void io(IoAction a) {
    try {
      a.run();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A document of one segment. */
  private record LeafDoc(LeafReader leaf, int doc) {}

  /**
   * The live document of the index that carries the term (a row id or a document key), or null.
   * Rows and documents that have none are added rather than updated: an update buffers a delete
   * term that Lucene resolves at flush (docs/performance.md, "Latency work, round 5").
   */
  private static LeafDoc liveDoc(DirectoryReader reader, Term term) throws IOException {
    for (LeafReaderContext ctx : reader.leaves()) {
      LeafReader leaf = ctx.reader();
      Terms terms = leaf.terms(term.field());
      if (terms == null) {
        continue;
      }
      TermsEnum te = terms.iterator();
      if (te.seekExact(term.bytes()) == false) {
        continue;
      }
      Bits live = leaf.getLiveDocs();
      PostingsEnum pe = te.postings(null, PostingsEnum.NONE);
      for (int doc = pe.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = pe.nextDoc()) {
        if (live == null || live.get(doc)) {
          return new LeafDoc(leaf, doc);
        }
      }
    }
    return null;
  }

  /** The vector and labels of a live row document, or null if it lacks either. */
  private CommittedRow readRow(LeafDoc row) throws IOException {
    BinaryDocValues bdv = row.leaf().getBinaryDocValues(schema.labelsField());
    FloatVectorValues fvv = row.leaf().getFloatVectorValues(schema.memoryField());
    if (bdv == null || fvv == null || bdv.advanceExact(row.doc()) == false) {
      return null;
    }
    KnnVectorValues.DocIndexIterator it = fvv.iterator();
    if (it.advance(row.doc()) != row.doc()) {
      return null;
    }
    return new CommittedRow(fvv.vectorValue(it.index()).clone(), TrainingLabels.decode(bdv.binaryValue()));
  }

  private void writeDocs() throws IOException {
    Map<String, List<WeightedRow>> rowsByKey = new HashMap<>();
    Set<String> absent = new HashSet<>(); // no live document: added, not updated (see liveDoc)
    try (DirectoryReader reader = DirectoryReader.open(writer)) {
      for (String key : pendingDocs.keySet()) {
        if (liveDoc(reader, schema.keyTerm(key)) == null) {
          absent.add(key);
        }
      }
      for (LeafReaderContext ctx : reader.leaves()) {
        LeafReader leaf = ctx.reader();
        BinaryDocValues bdv = leaf.getBinaryDocValues(schema.labelsField());
        FloatVectorValues fvv = leaf.getFloatVectorValues(schema.memoryField());
        if (bdv == null || fvv == null) {
          continue;
        }
        Bits live = leaf.getLiveDocs();
        KnnVectorValues.DocIndexIterator it = fvv.iterator();
        for (int doc = bdv.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = bdv.nextDoc()) {
          if (live != null && live.get(doc) == false) {
            continue;
          }
          TrainingLabels labels = TrainingLabels.decode(bdv.binaryValue());
          float[] vector = null;
          for (Map.Entry<String, Float> e : labels.weights().entrySet()) {
            if (pendingDocs.containsKey(e.getKey())) {
              if (vector == null) {
                if (it.docID() < doc) {
                  it.advance(doc);
                }
                if (it.docID() != doc) {
                  break;
                }
                vector = fvv.vectorValue(it.index()).clone();
              }
              rowsByKey
                  .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                  .add(new WeightedRow(labels.rowId(), vector, e.getValue()));
            }
          }
        }
      }
    }
    int dim = schema.dimension();
    List<Runnable> writes = new ArrayList<>(pendingDocs.size());
    for (Map.Entry<String, PendingDoc> e : pendingDocs.entrySet()) {
      String key = e.getKey();
      PendingDoc pending = e.getValue();
      List<WeightedRow> rows = rowsByKey.getOrDefault(key, List.of());
      Term replaced = absent.contains(key) ? null : schema.keyTerm(key);
      writes.add(
          () -> {
            Document doc = new Document();
            for (IndexableField f : pending.extra()) {
              doc.add(f);
            }
            float[] u = PefaScoring.labelCentroid(rows, dim);
            schema.addDocumentFields(doc, key, pending.vector(), u);
            write(replaced, doc);
            listener.documentWritten();
          });
    }
    runAll(writes);
    pendingDocs.clear();
  }

  /**
   * Runs the writes in order on this thread, or split into contiguous runs over {@link
   * #writeThreads} threads; rethrows the first failure of any thread, Errors included (an {@link
   * IOException} as itself), so that a failed flush keeps its buffer.
   */
  private void runAll(List<Runnable> writes) throws IOException {
    int threads = Math.min(writeThreads, writes.size());
    try {
      if (threads <= 1) {
        for (Runnable w : writes) {
          w.run();
        }
        return;
      }
      Thread[] workers = new Thread[threads];
      Throwable[] failures = new Throwable[threads];
      for (int t = 0; t < threads; t++) {
        int from = (int) ((long) writes.size() * t / threads);
        int to = (int) ((long) writes.size() * (t + 1) / threads);
        int slot = t;
        workers[t] =
            new Thread(
                () -> {
                  try {
                    for (int i = from; i < to; i++) {
                      writes.get(i).run();
                    }
                  } catch (Throwable e) { // rethrown by the flushing thread, Errors included
                    failures[slot] = e;
                  }
                },
                "pefa-write-" + t);
        workers[t].start();
      }
      for (Thread w : workers) {
        w.join();
      }
      for (Throwable f : failures) {
        if (f instanceof RuntimeException re) {
          throw re;
        } else if (f instanceof Error err) {
          throw err;
        } else if (f != null) {
          throw new IllegalStateException(f);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while writing to the index");
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Flushes, and closes the wrapped writer if this object opened it (committing first).
   *
   * @throws IOException on I/O errors
   */
  @Override
  public void close() throws IOException {
    if (ownsWriter) {
      try {
        commit();
      } finally {
        writer.close();
      }
    } else {
      flush();
    }
  }
}
