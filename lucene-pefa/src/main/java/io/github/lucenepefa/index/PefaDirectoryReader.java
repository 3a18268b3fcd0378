package io.github.lucenepefa.index;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.ParallelLeafReader;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;

/**
 * A reader of a PEFA index that shows the application its documents only: the training-memory
 * rows are hidden the way Lucene's soft-deletes wrapper hides soft-deleted documents, as deleted
 * documents of each segment, so that {@code MatchAllDocsQuery}, {@code numDocs()}, counts, facets
 * and every other ordinary use of the reader see documents alone. {@link
 * io.github.lucenepefa.search.PefaQuery} reaches the rows underneath, through {@link
 * #withMemory(LeafReader)}.
 *
 * <p>Open it on a directory or commit, wrap an existing reader, or open it on a {@link
 * PefaIndexWriter} for near-real-time search: a reader opened on a writer flushes the writer's
 * buffered training pairs and documents whenever it is opened or reopened ({@link
 * DirectoryReader#openIfChanged}), as Lucene's own near-real-time readers make every added document
 * visible, so a {@link org.apache.lucene.search.SearcherManager} over it always searches the
 * writer's latest changes. Doc ids are the underlying reader's.
 */
public final class PefaDirectoryReader extends DirectoryReader {

  private final DirectoryReader in;
  private final PefaSchema schema;
  private final PefaIndexWriter writer; // flushed before every reopen, or null
  private PefaDirectoryReader(
      DirectoryReader in, PefaSchema schema, PefaIndexWriter writer, Map<Object, FixedBitSet> rows)
      throws IOException {
    super(in.directory(), hide(in.leaves(), schema, rows), null);
    this.in = in;
    this.schema = schema;
    this.writer = writer;
  }

  /**
   * Opens the last commit of a PEFA index.
   *
   * @param directory the index directory
   * @return the reader
   * @throws IOException on I/O errors
   * @throws IllegalArgumentException when the commit holds no PEFA schema
   */
  public static PefaDirectoryReader open(Directory directory) throws IOException {
    return wrap(DirectoryReader.open(directory));
  }

  /**
   * Opens a commit of a PEFA index.
   *
   * @param commit the commit
   * @return the reader
   * @throws IOException on I/O errors
   * @throws IllegalArgumentException when the commit holds no PEFA schema
   */
  public static PefaDirectoryReader open(IndexCommit commit) throws IOException {
    return wrap(DirectoryReader.open(commit));
  }

  /**
   * Opens a near-real-time reader on a writer, after flushing the writer's buffered changes; every
   * reopen of the reader flushes them again.
   *
   * @param writer the writer
   * @return the reader
   * @throws IOException on I/O errors
   */
  public static PefaDirectoryReader open(PefaIndexWriter writer) throws IOException {
    writer.flush();
    return new PefaDirectoryReader(
        DirectoryReader.open(writer.indexWriter()), writer.schema(), writer, Map.of());
  }

  /**
   * Wraps a reader of a PEFA index whose last commit records its schema; closing the wrapper closes
   * {@code in}.
   *
   * @param in the reader
   * @return the wrapper
   * @throws IOException on I/O errors
   * @throws IllegalArgumentException when the reader's commit holds no PEFA schema
   */
  public static PefaDirectoryReader wrap(DirectoryReader in) throws IOException {
    return wrap(in, PefaSchema.read(in));
  }

  /**
   * Wraps a reader of a PEFA index with the given layout; closing the wrapper closes {@code in}.
   *
   * @param in the reader
   * @param schema the index layout
   * @return the wrapper
   * @throws IOException on I/O errors
   */
  public static PefaDirectoryReader wrap(DirectoryReader in, PefaSchema schema)
      throws IOException {
    return new PefaDirectoryReader(in, Objects.requireNonNull(schema, "schema"), null, Map.of());
  }

  /**
   * The segment as it is underneath {@link PefaDirectoryReader}'s hiding, with its training-memory
   * rows live: for code that reads the memory, such as {@link
   * io.github.lucenepefa.search.PefaQuery}. The hiding wrapper is found under {@link
   * FilterLeafReader}s and {@link ParallelLeafReader}s (which keep doc ids); a leaf of any other
   * reader is returned as it is.
   *
   * @param leaf a leaf of a searcher's reader
   * @return the leaf with the memory rows visible
   */
  public static LeafReader withMemory(LeafReader leaf) {
    LeafReader found = underneath(leaf);
    return found == null ? leaf : found;
  }

  /** The reader under the hiding wrapper in {@code leaf}'s chain of wrappers, or null. */
  private static LeafReader underneath(LeafReader leaf) {
    if (leaf instanceof MemoryHidingLeafReader hiding) {
      return hiding.getDelegate();
    }
    if (leaf instanceof FilterLeafReader filter) {
      return underneath(filter.getDelegate());
    }
    if (leaf instanceof ParallelLeafReader parallel) { // same doc ids, fields from several readers
      for (LeafReader r : parallel.getParallelReaders()) {
        LeafReader found = underneath(r);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /**
   * @return the schema of the index
   */
  public PefaSchema schema() {
    return schema;
  }

  /**
   * @return the wrapped reader, which shows the memory rows
   */
  public DirectoryReader getDelegate() {
    return in;
  }

  private static LeafReader[] hide(
      List<org.apache.lucene.index.LeafReaderContext> leaves,
      PefaSchema schema,
      Map<Object, FixedBitSet> known)
      throws IOException {
    LeafReader[] out = new LeafReader[leaves.size()];
    for (int i = 0; i < out.length; i++) {
      LeafReader leaf = leaves.get(i).reader();
      CacheHelper core = leaf.getCoreCacheHelper();
      FixedBitSet rows = core == null ? null : known.get(core.getKey());
      if (rows == null) {
        rows = rowsOf(leaf, schema);
      }
      out[i] = rows == null ? leaf : new MemoryHidingLeafReader(leaf, rows);
    }
    return out;
  }

  /** The memory rows of a segment (the documents with labels), or null when it has none. */
  private static FixedBitSet rowsOf(LeafReader leaf, PefaSchema schema) throws IOException {
    BinaryDocValues labels = leaf.getBinaryDocValues(schema.labelsField());
    if (labels == null) {
      return null;
    }
    FixedBitSet rows = new FixedBitSet(leaf.maxDoc());
    for (int doc = labels.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = labels.nextDoc()) {
      rows.set(doc);
    }
    return rows;
  }

  private DirectoryReader rewrap(DirectoryReader newIn) throws IOException {
    if (newIn == null) {
      return null;
    }
    Map<Object, FixedBitSet> known = new HashMap<>();
    for (var ctx : leaves()) {
      if (ctx.reader() instanceof MemoryHidingLeafReader hiding
          && hiding.getCoreCacheHelper() != null) {
        known.put(hiding.getCoreCacheHelper().getKey(), hiding.rows);
      }
    }
    return new PefaDirectoryReader(newIn, schema, writer, known);
  }

  private void flushWriter(IndexWriter target) throws IOException {
    if (writer != null && (target == null || target == writer.indexWriter())) {
      writer.flush();
    }
  }

  @Override
  protected DirectoryReader doOpenIfChanged() throws IOException {
    flushWriter(null);
    return rewrap(DirectoryReader.openIfChanged(in));
  }

  @Override
  protected DirectoryReader doOpenIfChanged(ExecutorService executorService) throws IOException {
    flushWriter(null);
    return rewrap(DirectoryReader.openIfChanged(in, executorService));
  }

  @Override
  protected DirectoryReader doOpenIfChanged(IndexCommit commit) throws IOException {
    if (commit == null) { // the latest, as SearcherManager asks: the writer's too
      flushWriter(null);
    }
    return rewrap(DirectoryReader.openIfChanged(in, commit));
  }

  @Override
  protected DirectoryReader doOpenIfChanged(IndexCommit commit, ExecutorService executorService)
      throws IOException {
    if (commit == null) {
      flushWriter(null);
    }
    return rewrap(DirectoryReader.openIfChanged(in, commit, executorService));
  }

  @Override
  protected DirectoryReader doOpenIfChanged(IndexWriter indexWriter, boolean applyAllDeletes)
      throws IOException {
    flushWriter(indexWriter);
    return rewrap(DirectoryReader.openIfChanged(in, indexWriter, applyAllDeletes));
  }

  @Override
  protected DirectoryReader doOpenIfChanged(
      IndexWriter indexWriter, boolean applyAllDeletes, ExecutorService executorService)
      throws IOException {
    flushWriter(indexWriter);
    return rewrap(
        DirectoryReader.openIfChanged(in, indexWriter, applyAllDeletes, executorService));
  }

  @Override
  public long getVersion() {
    return in.getVersion();
  }

  /** Also false while the writer it was opened on has buffered changes. */
  @Override
  public boolean isCurrent() throws IOException {
    return in.isCurrent() && (writer == null || writer.hasBufferedChanges() == false);
  }

  @Override
  public IndexCommit getIndexCommit() throws IOException {
    return in.getIndexCommit();
  }

  @Override
  protected void doClose() throws IOException {
    in.decRef();
  }

  /**
   * None: Lucene's cache keys cannot be created outside its package, and the inner reader's would
   * wrongly share entries with a reader whose live documents differ. Per-segment caches (such as
   * the query cache) use the segments' core keys, which are the inner ones.
   */
  @Override
  public CacheHelper getReaderCacheHelper() {
    return null;
  }

  @Override
  public String toString() {
    return "PefaDirectoryReader(" + in + ")";
  }

  /** Hides a segment's memory rows as deleted documents. */
  private static final class MemoryHidingLeafReader extends FilterLeafReader {
    private final FixedBitSet rows;
    private final Bits liveDocs;
    private final int numDocs;

    MemoryHidingLeafReader(LeafReader in, FixedBitSet rows) {
      super(in);
      this.rows = rows;
      Bits inLive = in.getLiveDocs();
      int liveRows = 0;
      for (int doc = rows.nextSetBit(0);
          doc != DocIdSetIterator.NO_MORE_DOCS;
          doc = doc + 1 < rows.length() ? rows.nextSetBit(doc + 1) : DocIdSetIterator.NO_MORE_DOCS) {
        if (inLive == null || inLive.get(doc)) {
          liveRows++;
        }
      }
      this.numDocs = in.numDocs() - liveRows;
      int maxDoc = in.maxDoc();
      this.liveDocs =
          new Bits() {
            @Override
            public boolean get(int index) {
              return rows.get(index) == false && (inLive == null || inLive.get(index));
            }

            @Override
            public int length() {
              return maxDoc;
            }
          };
    }

    @Override
    public Bits getLiveDocs() {
      ensureOpen();
      return liveDocs;
    }

    @Override
    public int numDocs() {
      return numDocs;
    }

    @Override
    public CacheHelper getCoreCacheHelper() {
      return in.getCoreCacheHelper();
    }

    /** None: its live documents differ from the inner reader's (see the composite's). */
    @Override
    public CacheHelper getReaderCacheHelper() {
      return null;
    }

    @Override
    public String toString() {
      return "MemoryHidingLeafReader(" + in + ")";
    }
  }
}
