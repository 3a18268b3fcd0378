package io.github.lucenepefa.index;

import io.github.lucenepefa.index.FlushBatch.PendingDoc;
import io.github.lucenepefa.index.FlushBatch.RowOp;
import io.github.lucenepefa.index.IndexSnapshot.Row;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.util.BytesRef;

/**
 * Hands a {@link FlushBatch} to Lucene's {@link IndexWriter}, and takes what was written out of the
 * {@link PefaIndexWriter}'s buffer: a batch that changes the index as one atomic update, a bulk
 * batch (brand-new rows and documents only) from {@code writeThreads} threads. Used under the
 * writer's lock.
 */
final class BatchWriter {

  private final IndexWriter writer;
  private final PefaSchema schema;
  private final int writeThreads;

  BatchWriter(IndexWriter writer, PefaSchema schema, int writeThreads) {
    this.writer = writer;
    this.schema = schema;
    this.writeThreads = writeThreads;
  }

  /** Writes the batch; what was written leaves the buffer, the rest stays on a failure. */
  void write(
      FlushBatch batch,
      Map<String, RowOp> pendingRows,
      Map<String, PendingDoc> pendingDocs,
      PefaIndexWriter.WriteListener listener)
      throws IOException {
    if (batch.bulk()) {
      writeBulk(batch, pendingRows, pendingDocs, listener);
    } else {
      writeAtomically(batch, pendingRows, pendingDocs, listener);
    }
  }

  /** One atomic update: delete the replaced rows and documents, add the new ones as a block. */
  private void writeAtomically(
      FlushBatch batch,
      Map<String, RowOp> pendingRows,
      Map<String, PendingDoc> pendingDocs,
      PefaIndexWriter.WriteListener listener)
      throws IOException {
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

  private Query replacedQuery(FlushBatch batch) {
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
   * {@code writeThreads} threads. Readers may see part of it, but never a document whose PEFA-XS
   * vector disagrees with the rows they see: every row is added before any document. What was
   * added before a failure leaves the buffer; the rest stays.
   */
  private void writeBulk(
      FlushBatch batch,
      Map<String, RowOp> pendingRows,
      Map<String, PendingDoc> pendingDocs,
      PefaIndexWriter.WriteListener listener)
      throws IOException {
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
   * Adds documents in order on this thread, or split into contiguous runs over {@code
   * writeThreads} threads; marks each added one in {@code done}; rethrows the first failure of any
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
}
