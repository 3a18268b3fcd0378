package io.github.lucenepefa.search;

import io.github.lucenepefa.index.LiveTermDocs;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.BytesRef;

/**
 * PEFA-XL's resolution of its neighbours' label keys to documents, with the postings of each key
 * remembered per segment core: a key's documents in a segment (deleted or not) never change while
 * the segment lives, so a key is looked up in the terms dictionary once per segment, and later
 * queries take its doc ids from a hash table instead of a terms-dictionary seek. Deletions are
 * applied at every query from the reader's live docs, so the answer is the terms dictionary's
 * ({@link LiveTermDocs}) for every reader of the segment.
 *
 * <p>An entry lives as long as the segment core: it is dropped by the core's closed listener. A
 * segment remembers at most {@link #capacity} keys (twice its documents, plus 1024; keys it does not
 * hold count too), so that a memory labelling ever more keys cannot grow it without bound; keys
 * beyond are read from the terms dictionary at every query. Segments without a core cache key are
 * always read from the terms dictionary.
 */
final class KeyDocs {

  private static final int[] NONE = new int[0];

  /** Per (segment core, key field): the doc ids of each key looked up so far. */
  private static final SegmentCache<Segment> SEGMENTS = new SegmentCache<>();

  /** One segment core's remembered keys of one field. */
  private static final class Segment {
    private final ConcurrentHashMap<String, int[]> docs = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    Segment(int maxDoc) {
      this.capacity = capacity(maxDoc);
    }

    /** Remembers a key's documents unless the segment holds it or {@code capacity} keys already. */
    void put(String key, int[] keyDocs) {
      if (size.get() >= capacity || docs.containsKey(key)) {
        return;
      }
      // reserve a place first, so that concurrent queries never take the size past capacity
      if (size.incrementAndGet() > capacity || docs.putIfAbsent(key, keyDocs) != null) {
        size.decrementAndGet();
      }
    }
  }

  private KeyDocs() {}

  /**
   * The most keys a segment of {@code maxDoc} documents remembers.
   *
   * @param maxDoc the segment's max doc
   * @return {@code 2 * maxDoc + 1024}
   */
  static int capacity(int maxDoc) {
    return (int) Math.min(Integer.MAX_VALUE, 2L * maxDoc + 1024);
  }

  /**
   * Visits, segment by segment in order and key by key, every live and accepted document whose
   * {@code field} holds one of {@code keys}: the walk of {@link LiveTermDocs#visit(List, String,
   * int, LiveTermDocs.Acceptance, LiveTermDocs.PostingsSource, LiveTermDocs.Visitor)}, with each
   * key's documents in a segment taken from the segment's remembered keys, or read from its terms
   * dictionary (and remembered) when it does not hold them yet.
   *
   * @param leaves the segments
   * @param field the key field
   * @param keys the keys, in any order
   * @param acceptance which documents of a segment may be visited
   * @param visitor receives the documents; the term index it gets is the key's index in {@code
   *     keys}
   * @throws IOException on I/O errors
   */
  static void visit(
      List<LeafReaderContext> leaves,
      String field,
      String[] keys,
      LiveTermDocs.Acceptance acceptance,
      LiveTermDocs.Visitor visitor)
      throws IOException {
    LiveTermDocs.visit(
        leaves,
        field,
        keys.length,
        acceptance,
        (ctx, terms) -> {
          int[][] docsOf = docsOf(ctx.reader(), field, terms, keys);
          return t -> docsOf[t].length == 0 ? null : new ArrayIterator(docsOf[t]);
        },
        visitor);
  }

  /** Every document (deleted or not) of each key in a segment: remembered, or read and remembered. */
  private static int[][] docsOf(LeafReader reader, String field, Terms terms, String[] keys)
      throws IOException {
    Segment segment = segment(reader, field);
    int[][] docsOf = new int[keys.length][];
    int[] missing = null;
    int missingCount = 0;
    for (int t = 0; t < keys.length; t++) {
      docsOf[t] = segment == null ? null : segment.docs.get(keys[t]);
      if (docsOf[t] == null) {
        if (missing == null) {
          missing = new int[keys.length - t];
        }
        missing[missingCount++] = t;
      }
    }
    if (missingCount > 0) {
      lookUp(terms, keys, missing, missingCount, docsOf, segment);
    }
    return docsOf;
  }

  /** The doc ids of an array, ascending. */
  private static final class ArrayIterator extends DocIdSetIterator {
    private final int[] docs;
    private int i = -1;
    private int doc = -1;

    ArrayIterator(int[] docs) {
      this.docs = docs;
    }

    @Override
    public int docID() {
      return doc;
    }

    @Override
    public int nextDoc() {
      return doc = ++i < docs.length ? docs[i] : NO_MORE_DOCS;
    }

    @Override
    public int advance(int target) {
      int d;
      while ((d = nextDoc()) < target) {}
      return d;
    }

    @Override
    public long cost() {
      return docs.length;
    }
  }

  /**
   * Reads the postings of the keys {@code missing} (indexes into {@code keys}) from the terms
   * dictionary, in increasing term order (the terms enum then reuses loaded blocks), into {@code
   * docsOf}, and remembers them in {@code segment} (if not null).
   */
  private static void lookUp(
      Terms terms, String[] keys, int[] missing, int count, int[][] docsOf, Segment segment)
      throws IOException {
    BytesRef[] missingTerms = new BytesRef[count];
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      missingTerms[i] = new BytesRef(keys[missing[i]]);
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> missingTerms[a].compareTo(missingTerms[b]));
    TermsEnum te = terms.iterator();
    PostingsEnum pe = null;
    for (int i : order) {
      int t = missing[i];
      int[] docs;
      if (te.seekExact(missingTerms[i])) {
        pe = te.postings(pe, PostingsEnum.NONE);
        docs = read(pe);
      } else {
        docs = NONE;
      }
      docsOf[t] = docs;
      if (segment != null) {
        segment.put(keys[t], docs);
      }
    }
  }

  /** Every document of a postings list, deleted or not, ascending. */
  private static int[] read(PostingsEnum pe) throws IOException {
    int[] docs = new int[1];
    int count = 0;
    for (int doc = pe.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = pe.nextDoc()) {
      if (count == docs.length) {
        docs = ArrayUtil.grow(docs, count + 1);
      }
      docs[count++] = doc;
    }
    return count == 0 ? NONE : ArrayUtil.copyOfSubArray(docs, 0, count);
  }

  /** The remembered keys of a segment core, or {@code null} when it has no core cache key. */
  private static Segment segment(LeafReader reader, String field) {
    return SEGMENTS.get(reader.getCoreCacheHelper(), field, reader.maxDoc(), Segment::new);
  }

  /**
   * @param reader a segment
   * @param field the key field
   * @return the number of keys the segment's core remembers of {@code field} (for tests)
   */
  static int rememberedKeys(LeafReader reader, String field) {
    Segment segment = SEGMENTS.peek(reader.getCoreCacheHelper(), field);
    return segment == null ? 0 : segment.docs.size();
  }

  /**
   * @return the number of segment cores with remembered keys (for tests)
   */
  static int segmentCount() {
    return SEGMENTS.size();
  }
}
