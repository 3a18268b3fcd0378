package io.github.lucenepefa.index;

import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.oracle.Content;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.tests.store.MockDirectoryWrapper;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * The write path under failures inside a flush, and its input checks: a flush that fails (an
 * analyzer throwing inside the atomic update, an {@link IOException} while the flush opens its
 * snapshot of the index, a failure in the middle of a multi-threaded bulk flush) leaves its changes
 * buffered, and the retry writes them once: no weight doubled, no label lost, every PEFA-XS vector
 * the oracle's. Keys and row ids are checked when they are added, with an error naming the
 * problem, so that no bad id ever reaches (and blocks) a flush.
 */
public class TestFlushRetry extends LuceneTestCase {

  private static final int DIM = 8;

  /** Analyses with {@link StandardTokenizer}; throws on the token "boom" while armed. */
  static final class FailingAnalyzer extends Analyzer {
    final AtomicInteger failures = new AtomicInteger();

    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
      Tokenizer source = new StandardTokenizer();
      TokenStream sink =
          new TokenFilter(source) {
            private final CharTermAttribute term = addAttribute(CharTermAttribute.class);

            @Override
            public boolean incrementToken() throws IOException {
              if (input.incrementToken() == false) {
                return false;
              }
              if (term.toString().equals("boom")
                  && failures.getAndUpdate(f -> Math.max(0, f - 1)) > 0) {
                throw new IllegalStateException("injected analyzer failure on 'boom'");
              }
              return true;
            }
          };
      return new TokenStreamComponents(source, sink);
    }
  }

  /** The index, its writers and the model of what was written. */
  private static final class Fixture implements AutoCloseable {
    final PefaSchema schema;
    final Directory dir;
    final FailingAnalyzer analyzer = new FailingAnalyzer();
    final IndexWriter lucene;
    final PefaIndexWriter writer;
    final WriteModel model = new WriteModel();
    final Random random;

    Fixture(Random random, int maxBuffered, int threads) throws IOException {
      this(random, newMockDirectory(random), maxBuffered, threads);
    }

    Fixture(Random random, Directory dir) throws IOException {
      this(random, dir, PefaIndexWriter.DEFAULT_MAX_BUFFERED_DOCS, 1);
    }

    Fixture(Random random, Directory dir, int maxBuffered, int threads) throws IOException {
      this(random, dir, maxBuffered, threads, copyWithAnalyzer(Workload.config(random), new FailingAnalyzer()));
    }

    Fixture(Random random, Directory dir, int maxBuffered, int threads, IndexWriterConfig config)
        throws IOException {
      this.random = random;
      this.dir = dir;
      schema =
          PefaSchema.builder(DIM)
              .xsLambda(random.nextInt(11) / 10f)
              .xsAnyLambda(random.nextBoolean())
              .hnsw(8, 20)
              .build();
      lucene = new IndexWriter(dir, copyWithAnalyzer(config, analyzer));
      writer = new PefaIndexWriter(lucene, schema, maxBuffered, threads);
    }

    float[] vector() {
      return Workload.gaussianUnit(random, DIM);
    }

    void addDoc(String key, String body) throws IOException {
      float[] p = vector();
      String color = Workload.COLORS[random.nextInt(Workload.COLORS.length)];
      writer.addDocument(
          key,
          p,
          List.of(
              new StringField(Workload.COLOR, color, Field.Store.YES),
              new TextField(Workload.BODY, body, Field.Store.NO)));
      model.addDocument(key, p, color);
    }

    final Map<String, float[]> rowVectors = new HashMap<>();

    void addPair(String rowId, String key, float weight) throws IOException {
      float[] x = rowVectors.computeIfAbsent(rowId, id -> vector());
      writer.addTrainingPair(rowId, x, key, weight);
      model.addLabels(rowId, x, Map.of(key, weight));
    }

    void removePair(String rowId, String key, float weight) {
      writer.removeTrainingPair(rowId, key, weight);
      model.removePair(rowId, key, weight);
    }

    /** 30 documents and 20 rows labelling them, committed. */
    void populate() throws IOException {
      for (int i = 0; i < 30; i++) {
        addDoc("d" + i, "alpha beta " + i);
      }
      for (int r = 0; r < 20; r++) {
        for (int l = 0; l < 1 + random.nextInt(3); l++) {
          addPair("q" + r, "d" + random.nextInt(30), 1 + random.nextInt(2));
        }
      }
      writer.commit();
    }

    /** The committed index is the model: contents, XS vectors, searches, documents-only views. */
    void assertCommitted(String ctx) throws IOException {
      TestUtil.checkIndex(dir);
      try (PefaDirectoryReader reader = PefaDirectoryReader.open(dir)) {
        assertModel(reader, ctx);
      }
    }

    void assertModel(DirectoryReader reader, String ctx) throws IOException {
      model.assertSameAs(Content.read(reader, schema, Workload.COLOR), ctx);
      Content content = model.content(reader, schema);
      OracleChecks.assertXsVectors(reader, schema, content, ctx);
      IndexSearcher searcher = new IndexSearcher(reader);
      if (reader instanceof PefaDirectoryReader) {
        OracleChecks.assertDocumentsOnly(searcher, content, ctx);
      }
      OracleChecks.assertSearches(searcher, schema, content, random, 20, ctx);
    }

    /** Closes everything, dropping what is buffered and not committed (a writer that fails). */
    void abandon() throws IOException {
      try {
        writer.close();
      } catch (RuntimeException | IOException e) {
        // its flush fails: what it buffered goes with the rollback
      }
      lucene.rollback();
      dir.close();
    }

    @Override
    public void close() throws IOException {
      if (lucene.isOpen() == false) {
        return;
      }
      writer.close();
      lucene.close();
      dir.close();
    }
  }

  private static IndexWriterConfig copyWithAnalyzer(IndexWriterConfig c, Analyzer analyzer) {
    return new IndexWriterConfig(analyzer)
        .setCodec(new Pefa01Codec())
        .setMaxBufferedDocs(c.getMaxBufferedDocs())
        .setRAMBufferSizeMB(c.getRAMBufferSizeMB())
        .setMergePolicy(c.getMergePolicy());
  }

  /**
   * An analyzer failure inside the one atomic update of a flush (rows of existing ids, removed
   * weight, updated and new documents, re-indexed documents) is a non-aborting Lucene failure:
   * nothing of the flush is applied, everything stays buffered, and the retry writes it once.
   */
  public void testAnalyzerFailureInAtomicFlushThenRetry() throws IOException {
    try (Fixture f = new Fixture(random(), PefaIndexWriter.DEFAULT_MAX_BUFFERED_DOCS, 1)) {
      f.populate();
      WriteModel before = f.model.copy();
      f.addPair("q0", "d1", 2); // an existing row: weights add up
      f.addPair("q0", "d2", 1);
      f.addPair("qNew", "d3", 3); // a new row labelling an existing document
      f.removePair("q1", f.model.rows.get("q1").labels().keySet().iterator().next(), 1);
      f.addDoc("d4", "gamma"); // an update
      f.addDoc("dBoom", "delta boom"); // fails once
      f.addDoc("d5", "epsilon");
      f.analyzer.failures.set(1);
      Exception e = expectThrows(Exception.class, f.writer::flush);
      assertTrue(String.valueOf(e), causedBy(e, "injected analyzer failure"));
      assertTrue(f.writer.hasBufferedChanges());
      assertNull(f.lucene.getTragicException());
      try (DirectoryReader nrt = DirectoryReader.open(f.lucene)) {
        before.assertSameAs(Content.read(nrt, f.schema, Workload.COLOR), "after the failed flush");
        OracleChecks.assertXsVectors(nrt, f.schema, before.content(nrt, f.schema), "failed flush");
      }
      f.writer.flush(); // the retry
      assertFalse(f.writer.hasBufferedChanges());
      f.writer.commit();
      f.assertCommitted("after the retry");
      try (PefaDirectoryReader reader = PefaDirectoryReader.open(f.dir)) {
        assertEquals(1, new IndexSearcher(reader).count(new TermQuery(new Term("body", "boom"))));
      }
    }
  }

  /**
   * A failure in the middle of a bulk flush (brand-new rows and documents written by several
   * threads): what was written leaves the buffer, what was not stays, readers never see a
   * document whose PEFA-XS vector disagrees with the rows they see, and the retry completes it.
   */
  public void testAnalyzerFailureInBulkFlushThenRetry() throws IOException {
    try (Fixture f = new Fixture(random(), 1000, 1 + random().nextInt(3))) {
      for (int i = 0; i < 40; i++) {
        f.addDoc("d" + i, i == 17 ? "boom" : "alpha " + i);
      }
      for (int r = 0; r < 25; r++) {
        f.addPair("q" + r, "d" + random().nextInt(45), 1 + random().nextInt(3));
      }
      f.analyzer.failures.set(1);
      Exception e = expectThrows(Exception.class, f.writer::flush);
      assertTrue(String.valueOf(e), causedBy(e, "injected analyzer failure"));
      assertTrue(f.writer.hasBufferedChanges());
      try (DirectoryReader nrt = DirectoryReader.open(f.lucene)) {
        Content partial = Content.read(nrt, f.schema, Workload.COLOR);
        assertEquals(f.model.rows.size(), partial.rows().size()); // rows are written first
        OracleChecks.assertXsVectors(nrt, f.schema, partial, "part of a bulk flush");
      }
      f.writer.flush();
      f.writer.commit();
      f.assertCommitted("after the bulk retry");
    }
  }

  /**
   * A directory whose inputs fail the {@code n}-th read made by {@link PefaIndexWriter}'s flush
   * while it reads its snapshot of the index (armed by {@link #failReadInFlush}). A failed read is
   * the application's own: Lucene's writer is not involved and stays open.
   */
  static final class ReadFailingDirectory extends FilterDirectory {
    private volatile int armed; // reads to let pass + 1, or 0
    private volatile boolean failed;
    private volatile boolean counting;
    private final java.util.concurrent.atomic.AtomicInteger reads =
        new java.util.concurrent.atomic.AtomicInteger();

    ReadFailingDirectory(Directory in) {
      super(in);
    }

    void failReadInFlush(int n) {
      failed = false;
      armed = n;
    }

    boolean failed() {
      return failed;
    }

    /** Starts counting the reads of flushes. */
    void countReads() {
      reads.set(0);
      counting = true;
    }

    /** Stops counting; returns the reads counted. */
    int readsCounted() {
      counting = false;
      return reads.get();
    }

    void check() throws IOException {
      if (counting && inFlushRead()) {
        reads.incrementAndGet();
      }
      if (armed > 0 && inFlushRead()) {
        synchronized (this) {
          if (armed > 0 && --armed == 0) {
            failed = true;
            throw new IOException("injected failure while the flush reads its snapshot");
          }
        }
      }
    }

    private static boolean inFlushRead() {
      return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
          .walk(
              frames ->
                  frames.anyMatch(
                      f ->
                          f.getDeclaringClass() == FlushBatch.class
                              && f.getMethodName().equals("prepare")));
    }

    @Override
    public IndexInput openInput(String name, IOContext context) throws IOException {
      return new Input(in.openInput(name, context));
    }

    private final class Input extends IndexInput {
      private final IndexInput in;

      Input(IndexInput in) {
        super("ReadFailing(" + in + ")");
        this.in = in;
      }

      @Override
      public byte readByte() throws IOException {
        check();
        return in.readByte();
      }

      @Override
      public void readBytes(byte[] b, int offset, int len) throws IOException {
        check();
        in.readBytes(b, offset, len);
      }

      @Override
      public void readBytes(byte[] b, int offset, int len, boolean useBuffer) throws IOException {
        check();
        in.readBytes(b, offset, len, useBuffer);
      }

      @Override
      public short readShort() throws IOException {
        check();
        return in.readShort();
      }

      @Override
      public int readInt() throws IOException {
        check();
        return in.readInt();
      }

      @Override
      public long readLong() throws IOException {
        check();
        return in.readLong();
      }

      @Override
      public int readVInt() throws IOException {
        check();
        return in.readVInt();
      }

      @Override
      public long readVLong() throws IOException {
        check();
        return in.readVLong();
      }

      @Override
      public void readLongs(long[] dst, int offset, int length) throws IOException {
        check();
        in.readLongs(dst, offset, length);
      }

      @Override
      public void readInts(int[] dst, int offset, int length) throws IOException {
        check();
        in.readInts(dst, offset, length);
      }

      @Override
      public void readFloats(float[] floats, int offset, int len) throws IOException {
        check();
        in.readFloats(floats, offset, len);
      }

      @Override
      public void skipBytes(long numBytes) throws IOException {
        in.skipBytes(numBytes);
      }

      @Override
      public void close() throws IOException {
        in.close();
      }

      @Override
      public long getFilePointer() {
        return in.getFilePointer();
      }

      @Override
      public void seek(long pos) throws IOException {
        in.seek(pos);
      }

      @Override
      public long length() {
        return in.length();
      }

      @Override
      public IndexInput slice(String description, long offset, long length) throws IOException {
        return new Input(in.slice(description, offset, length));
      }

      @Override
      public Input clone() {
        return new Input(in.clone());
      }
    }
  }

  /**
   * An {@link IOException} while a flush reads its snapshot of the index (the rows and documents
   * its changes touch), at any of its reads, leaves the changes buffered; the retry applies them
   * once.
   */
  public void testSnapshotIOExceptionThenRetry() throws IOException {
    ReadFailingDirectory failing = new ReadFailingDirectory(newMockDirectory(random()));
    try (Fixture f = new Fixture(random(), failing)) {
      f.populate();
      int reads = 0; // of the last flush of a batch like this round's
      int failures = 0;
      for (int round = 0; round < 8; round++) {
        WriteModel before = f.model.copy();
        f.addPair("q" + round, "d" + (round + 3), 2); // an existing row
        f.addPair("q" + (round + 5), "d" + (round + 10), 1);
        String row = "q" + (round + 8);
        if (f.model.rows.containsKey(row)) {
          f.removePair(row, f.model.rows.get(row).labels().keySet().iterator().next(), 1);
        }
        f.addDoc("d" + (round + 3), "updated"); // an update
        f.addDoc("dx" + round, "brand new");
        if (round > 0) {
          // fail at any read of the flush's snapshot, from the first to about the last
          failing.failReadInFlush(1 + random().nextInt(Math.max(1, reads)));
          try {
            f.writer.flush();
          } catch (IOException | RuntimeException e) { // some Lucene readers wrap an IOException
            assertTrue(String.valueOf(e), failing.failed());
            assertTrue(String.valueOf(e), causedBy(e, "injected failure while the flush reads"));
            failures++;
            assertTrue(f.writer.hasBufferedChanges());
            assertNull(f.lucene.getTragicException());
            try (DirectoryReader nrt = DirectoryReader.open(f.lucene)) {
              before.assertSameAs(
                  Content.read(nrt, f.schema, Workload.COLOR), "failed snapshot read");
            }
          }
          failing.failReadInFlush(0);
        }
        failing.countReads();
        f.writer.flush();
        reads = Math.max(reads, failing.readsCounted());
        f.writer.commit();
        f.assertCommitted("retry after a failed snapshot read, round " + round);
      }
      assertTrue(failures + " failed flushes", failures >= 4);
    }
  }

  /**
   * An {@link IOException} while {@code addTrainingQuery} reads the index's row of the same id (its
   * near-real-time reopen opens the segments Lucene flushed since) leaves the row buffered, as when
   * the flush of a full buffer fails: the next flush writes it once.
   */
  public void testRowLookupIOExceptionLeavesTheRowBuffered() throws IOException {
    MockDirectoryWrapper dir = newMockDirectory(random());
    AtomicBoolean armed = new AtomicBoolean();
    dir.failOn(
        new MockDirectoryWrapper.Failure() {
          @Override
          public void eval(MockDirectoryWrapper d) throws IOException {
            if (armed.get()
                && callStackContains(IndexSnapshot.class, "indexedRowVector")
                && callStackContains(MockDirectoryWrapper.class, "openInput")
                && armed.compareAndSet(true, false)) {
              throw new IOException("injected failure while the row of the same id is read");
            }
          }
        });
    // Lucene flushes only when asked, so the flush below makes a segment the snapshot has not seen
    IndexWriterConfig manual =
        copyWithAnalyzer(Workload.config(random()), new FailingAnalyzer())
            .setRAMBufferSizeMB(64)
            .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH);
    try (Fixture f = new Fixture(random(), dir, PefaIndexWriter.DEFAULT_MAX_BUFFERED_DOCS, 1, manual)) {
      f.populate();
      f.addDoc("dnew", "gamma");
      f.writer.flush();
      f.lucene.flush(); // a new segment the next row lookup's reopen must open
      armed.set(true);
      float[] x = f.vector();
      IOException e =
          expectThrows(IOException.class, () -> f.writer.addTrainingPair("qnew", x, "d3", 2f));
      assertTrue(String.valueOf(e), e.getMessage().contains("injected failure"));
      assertFalse("the failure was not injected", armed.get());
      assertNull(f.lucene.getTragicException());
      assertTrue(f.writer.hasBufferedChanges());
      f.model.addLabels("qnew", x, Map.of("d3", 2f));
      f.writer.commit();
      f.assertCommitted("after a failed row lookup");
    }
  }

  /** {@link PefaIndexWriter#commit()} keeps the application's commit user data. */
  public void testCommitKeepsApplicationUserData() throws IOException {
    try (Fixture f = new Fixture(random(), PefaIndexWriter.DEFAULT_MAX_BUFFERED_DOCS, 1)) {
      f.lucene.setLiveCommitData(Map.of("app.generation", "7", "app.source", "s3").entrySet());
      f.populate();
      f.addDoc("d40", "later");
      f.writer.commit();
      List<org.apache.lucene.index.IndexCommit> commits = DirectoryReader.listCommits(f.dir);
      Map<String, String> data = commits.get(commits.size() - 1).getUserData();
      assertEquals("7", data.get("app.generation"));
      assertEquals("s3", data.get("app.source"));
      assertEquals(f.schema.toCommitValue(), data.get(PefaSchema.COMMIT_KEY));
      f.assertCommitted("with application user data");
    }
  }

  /** Bad ids and what the error must say about them. */
  private static final Map<String, String> BAD_IDS = new LinkedHashMap<>();

  static {
    BAD_IDS.put("", "must not be null or empty");
    BAD_IDS.put(null, "must not be null or empty");
    BAD_IDS.put("ab\uD800", "unpaired surrogate");
    BAD_IDS.put("a\uD800b", "unpaired surrogate");
    BAD_IDS.put("\uDC00ab", "unpaired surrogate");
    BAD_IDS.put("x".repeat(IndexWriter.MAX_TERM_LENGTH + 1), "term limit");
    BAD_IDS.put("\u00e9".repeat(IndexWriter.MAX_TERM_LENGTH / 2 + 1), "term limit");
    BAD_IDS.put("\uD83D\uDE00".repeat(IndexWriter.MAX_TERM_LENGTH / 4 + 1), "term limit");
  }

  /** A call of the writer with one id (a key or a row id) in it. */
  private interface Call {
    void call(PefaIndexWriter w, String id, float[] v) throws IOException;
  }

  /**
   * @param name the call, for messages
   * @param what what the error must call the id
   * @param call the call
   */
  private record IdCall(String name, String what, Call call) {}

  private static List<IdCall> idCalls() {
    String key = "document key", row = "training query id";
    Map<String, Float> one = Map.of("d1", 1f);
    return List.of(
        new IdCall("addDocument(id, p)", key, (w, id, v) -> w.addDocument(id, v)),
        new IdCall("addDocument(id, null, [])", key, (w, id, v) -> w.addDocument(id, null, List.of())),
        new IdCall("deleteDocument(id)", key, (w, id, v) -> w.deleteDocument(id)),
        new IdCall("addTrainingPair(id, x, d1)", row, (w, id, v) -> w.addTrainingPair(id, v, "d1")),
        new IdCall("addTrainingPair(q9, x, id, 2)", key, (w, id, v) -> w.addTrainingPair("q9", v, id, 2f)),
        new IdCall("addTrainingQuery(id, x, {d1})", row, (w, id, v) -> w.addTrainingQuery(id, v, one)),
        new IdCall(
            "addTrainingQuery(q9, x, {d2, id})",
            key,
            (w, id, v) -> {
              Map<String, Float> labels = new LinkedHashMap<>();
              labels.put("d2", 1f);
              labels.put(id, 1f);
              w.addTrainingQuery("q9", v, labels);
            }),
        new IdCall("removeTrainingPair(id, d1, 1)", row, (w, id, v) -> w.removeTrainingPair(id, "d1", 1f)),
        new IdCall("removeTrainingPair(q1, id, 1)", key, (w, id, v) -> w.removeTrainingPair("q1", id, 1f)),
        new IdCall("removeTrainingLabel(id, d1)", row, (w, id, v) -> w.removeTrainingLabel(id, "d1")),
        new IdCall("removeTrainingLabel(q1, id)", key, (w, id, v) -> w.removeTrainingLabel("q1", id)),
        new IdCall("deleteTrainingQuery(id)", row, (w, id, v) -> w.deleteTrainingQuery(id)));
  }

  /**
   * Every call that takes a key or a row id rejects an empty one, one with an unpaired surrogate
   * and one longer than a Lucene term, with an {@link IllegalArgumentException} naming what is
   * wrong and with nothing buffered; later flushes and commits are not blocked.
   */
  public void testIdsValidatedWhenAdded() throws IOException {
    // first every call on its own: a bad id that is accepted is reported with what the next flush
    // then does (a flush that fails blocks every later one)
    List<String> accepted = new ArrayList<>();
    Fixture scratch = new Fixture(random(), PefaIndexWriter.DEFAULT_MAX_BUFFERED_DOCS, 1);
    try {
      for (IdCall call : idCalls()) {
        for (String bad : BAD_IDS.keySet()) {
          try {
            call.call().call(scratch.writer, bad, scratch.vector());
          } catch (IllegalArgumentException expected) {
            continue;
          }
          String outcome;
          try {
            scratch.writer.flush();
            outcome = "the next flush succeeded";
          } catch (RuntimeException | IOException e) {
            outcome = "the next flush failed with " + e;
          }
          accepted.add(call.name() + " <- " + describe(bad) + " was accepted; " + outcome);
          scratch.abandon();
          scratch = new Fixture(random(), PefaIndexWriter.DEFAULT_MAX_BUFFERED_DOCS, 1);
        }
      }
    } finally {
      scratch.close();
    }
    assertTrue("bad ids accepted:\n  " + String.join("\n  ", accepted), accepted.isEmpty());

    // then bad calls between good ones on one writer: nothing buffered, nothing blocked
    try (Fixture f = new Fixture(random(), PefaIndexWriter.DEFAULT_MAX_BUFFERED_DOCS, 1)) {
      f.populate();
      float[] v = f.vector();
      for (IdCall call : idCalls()) {
        for (Map.Entry<String, String> bad : BAD_IDS.entrySet()) {
          boolean buffered = f.writer.hasBufferedChanges();
          String ctx = call.name() + " <- " + describe(bad.getKey());
          IllegalArgumentException e =
              expectThrows(
                  IllegalArgumentException.class,
                  () -> call.call().call(f.writer, bad.getKey(), v));
          ctx += ": " + ascii(e.getMessage());
          assertTrue(ctx, e.getMessage().contains(bad.getValue()));
          assertTrue(ctx, e.getMessage().contains(call.what()));
          assertEquals(ctx, buffered, f.writer.hasBufferedChanges());
          if (random().nextInt(4) == 0) {
            f.addPair("q" + random().nextInt(25), "d" + random().nextInt(30), 1);
            f.writer.flush();
          } else if (random().nextInt(3) == 0) {
            f.addDoc("d" + random().nextInt(35), "good");
          }
        }
      }
      f.writer.commit();
      f.assertCommitted("after rejected ids");
    }
  }

  /**
   * Keys and row ids of exactly Lucene's term limit (in UTF-8, with 1, 2 and 4 byte characters)
   * are accepted, flushed, committed and searched; a row labelling several of them holds more
   * label bytes than one term.
   */
  public void testLongestIdsWork() throws IOException {
    int max = IndexWriter.MAX_TERM_LENGTH;
    List<String> ids = new ArrayList<>();
    ids.add("a".repeat(max));
    ids.add("\u00e9".repeat(max / 2));
    ids.add("\uD83D\uDE00".repeat(max / 4 - 1) + "b".repeat(max % 4 + 4));
    ids.add("z" + "\u4e2d".repeat((max - 1) / 3) + "y".repeat((max - 1) % 3));
    try (Fixture f = new Fixture(random(), PefaIndexWriter.DEFAULT_MAX_BUFFERED_DOCS, 1)) {
      f.populate();
      for (String id : ids) {
        assertEquals(max, new org.apache.lucene.util.BytesRef(id).length);
        f.addDoc(id, "long key");
        f.addPair(id, "d1", 1);
        f.addPair("qLong", id, 1);
      }
      f.writer.commit();
      f.assertCommitted("longest ids");
      try (PefaDirectoryReader reader = PefaDirectoryReader.open(f.dir)) {
        for (String id : ids) {
          assertEquals(1, new IndexSearcher(reader).count(new TermQuery(f.schema.keyTerm(id))));
        }
      }
    }
  }

  /**
   * A finite weight as large as a float holds (alone, and twice on one document) is accepted,
   * flushed and committed, and the document's PEFA-XS vector is the oracle's: the label centroid is
   * a direction, whatever the scale of the weights.
   */
  public void testHugeFiniteWeightsKeepXsExact() throws IOException {
    try (Fixture f = new Fixture(random(), PefaIndexWriter.DEFAULT_MAX_BUFFERED_DOCS, 1)) {
      f.populate();
      f.addPair("qHuge1", "d1", Float.MAX_VALUE);
      f.addPair("qHuge2", "d2", Float.MAX_VALUE / 2);
      f.addPair("qHuge3", "d2", Float.MAX_VALUE / 2);
      f.addPair("qHuge4", "d3", 1e30f);
      f.writer.flush();
      f.writer.commit();
      f.assertCommitted("huge finite weights");
    }
  }

  /**
   * Weights that are each finite may add up to infinity, in the buffer or against the weight in
   * the index. That change is rejected (when added, or by the flush, which then discards it) with
   * an error naming the row; it never blocks the flushes and commits after it.
   */
  public void testWeightOverflowDoesNotBlockLaterFlushes() throws IOException {
    try (Fixture f = new Fixture(random(), PefaIndexWriter.DEFAULT_MAX_BUFFERED_DOCS, 1)) {
      f.populate();
      float[] x = f.vector();
      float big = Float.MAX_VALUE * 0.75f;
      boolean flushBetween = random().nextBoolean();
      f.writer.addTrainingPair("qBig", x, "d1", big);
      f.model.addLabels("qBig", x, Map.of("d1", big));
      if (flushBetween) {
        f.writer.flush();
      }
      try {
        f.writer.addTrainingPair("qBig", x, "d1", big);
        f.writer.flush();
        fail("an infinite weight was accepted");
      } catch (IllegalArgumentException expected) {
        assertTrue(expected.getMessage(), expected.getMessage().contains("qBig"));
      }
      // whatever rejected the overflow, later changes flush and commit; the row keeps its finite
      // weight, or lost its buffered change with the error that named it
      f.addDoc("d50", "after the overflow");
      f.addPair("q3", "d50", 1);
      f.writer.flush();
      f.writer.commit();
      try (PefaDirectoryReader reader = PefaDirectoryReader.open(f.dir)) {
        boolean present =
            Content.read(reader, f.schema, null).rows().stream()
                .anyMatch(r -> r.rowId().equals("qBig"));
        if (present == false && flushBetween == false) {
          f.model.deleteRow("qBig");
        }
      }
      f.assertCommitted("after an overflowing weight");
    }
  }

  static boolean causedBy(Throwable t, String message) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && c.getMessage().contains(message)) {
        return true;
      }
      for (Throwable s : c.getSuppressed()) {
        if (causedBy(s, message)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The id for a message: its start, escaped to ASCII (an unpaired surrogate cuts some logs). */
  private static String describe(String id) {
    if (id == null) {
      return "null";
    }
    String start = ascii(id.substring(0, Math.min(id.length(), 6)));
    return id.length() > 6 ? "'" + start + "...' (" + id.length() + " chars)" : "'" + start + "'";
  }

  /** The text with every character outside printable ASCII as a Java escape. */
  static String ascii(String text) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        sb.append(c);
      } else {
        String hex = Integer.toHexString(c);
        sb.append("\\u").append("0".repeat(4 - hex.length())).append(hex);
      }
    }
    return sb.toString();
  }


}
