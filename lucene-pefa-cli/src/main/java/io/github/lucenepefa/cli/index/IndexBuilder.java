package io.github.lucenepefa.cli.index;

import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.cli.progress.ProgressBar;
import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogByteSizeMergePolicy;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Writes a PEFA index for a BEIR dataset: the memory rows first, then the documents in corpus order (doc key = corpus
 * {@code _id}, stored field {@code title}, BM25 text field {@value Bm25Settings#TEXT_FIELD}), merged to one segment with an order-preserving merge policy so that
 * Lucene doc ids follow corpus order (the tie-break order). Built in a temporary sibling folder; the marker {@link
 * IndexInfo#FILE} is written last and the folder is then renamed into place, so a failed build leaves nothing that
 * looks like a valid index.
 */
public final class IndexBuilder {

  /** Stored field holding the document title. */
  public static final String TITLE_FIELD = "title";

  private IndexBuilder() {}

  /**
   * Writes the index into a Lucene directory (no marker, no rename).
   *
   * @param dir the directory
   * @param schema the schema
   * @param dataset the dataset (documents)
   * @param rows memory rows
   * @param rowVectors their vectors
   * @param docVectors document vectors, in corpus order
   * @param progress show a progress bar
   * @throws IOException on I/O errors
   */
  public static void write(
      Directory dir,
      PefaSchema schema,
      BeirDataset dataset,
      List<MemoryRow> rows,
      float[][] rowVectors,
      float[][] docVectors,
      boolean progress)
      throws IOException {
    write(dir, schema, dataset, rows, rowVectors, docVectors, progress, 1, Bm25Settings.DEFAULT);
  }

  /**
   * Writes the index into a Lucene directory (no marker, no rename) with {@code threads} threads,
   * and the BM25 text field {@value Bm25Settings#TEXT_FIELD} of every document ({@link
   * Bm25Settings}): that many threads hand rows and documents to Lucene in one flush, whose
   * segments store vectors only, and the final merge builds each graph once on that many threads
   * ({@link Pefa01Codec#forBulkLoad}).
   *
   * @param dir the directory
   * @param schema the schema
   * @param dataset the dataset (documents)
   * @param rows memory rows
   * @param rowVectors their vectors
   * @param docVectors document vectors, in corpus order
   * @param progress show a progress bar
   * @param threads indexing and graph-merge threads, at least 1
   * @param bm25 the BM25 settings of the text field
   * @throws IOException on I/O errors
   */
  public static void write(
      Directory dir,
      PefaSchema schema,
      BeirDataset dataset,
      List<MemoryRow> rows,
      float[][] rowVectors,
      float[][] docVectors,
      boolean progress,
      int threads,
      Bm25Settings bm25)
      throws IOException {
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
    }
    java.util.concurrent.ExecutorService mergeExec =
        threads > 1 ? java.util.concurrent.Executors.newFixedThreadPool(threads) : null;
    try {
      write(dir, schema, dataset, rows, rowVectors, docVectors, progress, threads, mergeExec, bm25);
    } finally {
      if (mergeExec != null) {
        mergeExec.shutdownNow();
      }
    }
  }

  private static void write(
      Directory dir,
      PefaSchema schema,
      BeirDataset dataset,
      List<MemoryRow> rows,
      float[][] rowVectors,
      float[][] docVectors,
      boolean progress,
      int threads,
      java.util.concurrent.ExecutorService mergeExec,
      Bm25Settings bm25)
      throws IOException {
    LogByteSizeMergePolicy mp = new LogByteSizeMergePolicy();
    IndexWriterConfig cfg =
        bm25.writerConfig()
            // flushes store vectors only, the final merge builds each graph once on all threads
            // (one graph per field, not one per flushed segment that the merge joins again)
            .setCodec(Pefa01Codec.forBulkLoad(threads, mergeExec))
            .setMergePolicy(mp)
            .setRAMBufferSizeMB(512)
            .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH);
    List<BeirDataset.Doc> docs = dataset.docs();
    try (IndexWriter iw = new IndexWriter(dir, cfg)) {
      PefaIndexWriter w =
          new PefaIndexWriter(iw, schema, Math.max(rows.size(), docs.size()) + 1, threads);
      // the bar counts rows and documents as they reach Lucene, which builds the HNSW graphs then
      ProgressBar bar =
          progress ? new ProgressBar("index", rows.size() + docs.size(), "items") : null;
      if (bar != null) {
        w.setWriteListener(
            new PefaIndexWriter.WriteListener() {
              @Override
              public void rowWritten() {
                bar.step();
              }

              @Override
              public void documentWritten() {
                bar.step();
              }
            });
      }
      try {
        for (int i = 0; i < rows.size(); i++) {
          MemoryRow r = rows.get(i);
          w.addTrainingQuery(r.rowId(), rowVectors[i], r.labels());
        }
        // the memory in segments of its own (a commit writes them): a bulk load's flushed segments
        // have no graphs, and forceMerge(1) builds them only when it has two or more to merge
        w.commit();
        for (int i = 0; i < docs.size(); i++) {
          BeirDataset.Doc d = docs.get(i);
          w.addDocument(
              d.id(),
              docVectors[i],
              List.of(
                  new StoredField(TITLE_FIELD, d.title()),
                  Bm25Settings.textField(Bm25Settings.documentText(d))));
        }
        w.commit();
        w.setWriteListener(null);
        if (bar != null) {
          bar.finish();
          System.err.println("index: merging to one segment (the HNSW graphs are merged) ...");
        }
        long t0 = System.nanoTime();
        iw.forceMerge(1);
        w.commit();
        if (bar != null) {
          System.err.printf("index: merged in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
      } finally {
        if (bar != null) {
          bar.finish();
        }
      }
    }
  }

  /**
   * Builds into a temporary sibling of {@code target}, writes the marker, and renames into place (replacing an old
   * index).
   *
   * @param target the index folder
   * @param info the marker contents (asked for after the body ran)
   * @param body writes the Lucene index into the given directory
   * @throws IOException on errors (the temporary folder is removed)
   */
  public static void buildAtomically(
      Path target, java.util.function.Supplier<IndexInfo> info, IoConsumer<Directory> body) throws IOException {
    Path abs = target.toAbsolutePath().normalize();
    Files.createDirectories(abs.getParent());
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw new IOException(abs + ": exists and is not a folder");
    }
    if (Files.isDirectory(abs)) {
      try (var s = Files.list(abs)) {
        if (s.findAny().isPresent() && !Files.exists(abs.resolve(IndexInfo.FILE))
            && !Files.exists(abs.resolve("segments_1")) && !looksLikeLucene(abs)) {
          throw new IOException(abs + ": folder exists, is not empty and is not a pefa index; refusing to replace it");
        }
      }
    }
    Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    deleteTree(tmp);
    boolean ok = false;
    try {
      try (Directory dir = FSDirectory.open(tmp)) {
        body.accept(dir);
      }
      info.get().write(tmp);
      Path old = abs.resolveSibling("." + abs.getFileName() + ".old-" + ProcessHandle.current().pid());
      if (Files.exists(abs)) {
        move(abs, old);
      }
      move(tmp, abs);
      deleteTree(old);
      ok = true;
    } finally {
      if (!ok) {
        deleteTree(tmp);
      }
    }
  }

  private static boolean looksLikeLucene(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.anyMatch(p -> p.getFileName().toString().startsWith("segments"));
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  /**
   * Deletes a folder tree if it exists.
   *
   * @param p the folder
   * @throws IOException on errors
   */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    Files.walkFileTree(
        p,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** An I/O action on a value. */
  @FunctionalInterface
  public interface IoConsumer<T> {
    /**
     * @param t the value
     * @throws IOException on errors
     */
    void accept(T t) throws IOException;
  }
}
