package io.github.lucenepefa.search;

import io.github.lucenepefa.index.LiveTermDocs;
import io.github.lucenepefa.index.PefaDirectoryReader;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.analysis.MockAnalyzer;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;

/**
 * {@link KeyDocs}, the per-segment memory of label-key postings: through documents added, updated
 * and deleted between reopens that keep earlier segments (and their remembered keys), with and
 * without a filter, it visits exactly what a terms-dictionary walk ({@link LiveTermDocs}) visits; a
 * segment remembers at most its capacity of keys; and a segment's entry goes when the segment
 * closes.
 */
public class TestKeyDocs extends LuceneTestCase {

  private static final int DIM = 4;

  private static float[] vector(Random r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return PefaVectors.normalize(v);
  }

  /**
   * A writer of {@code schema} that never merges, so that segments (and what {@link KeyDocs}
   * remembers of them) outlive the changes between reopens.
   */
  private static PefaIndexWriter openWriter(Directory dir, PefaSchema schema, Random r)
      throws IOException {
    return PefaIndexWriter.open(
        dir,
        schema,
        new IndexWriterConfig(new MockAnalyzer(r)).setMergePolicy(NoMergePolicy.INSTANCE));
  }

  /** Adds documents {@code d0} to {@code d(count - 1)} with random vectors, and commits. */
  private static void addDocuments(PefaIndexWriter w, Random r, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      w.addDocument("d" + i, vector(r));
    }
    w.commit();
  }

  public void testSameDocsAsTheTermsDictionaryThroughUpdatesAndDeletes() throws IOException {
    Random r = random();
    PefaSchema schema = PefaSchema.builder(DIM).build();
    int segmentsBefore = KeyDocs.segmentCount();
    try (Directory dir = newDirectory();
        PefaIndexWriter w = openWriter(dir, schema, r)) {
      addDocuments(w, r, 20);
      DirectoryReader current = PefaDirectoryReader.open(w);
      for (int step = 0; step < 15; step++) {
        String[] keys = keys(r);
        for (boolean filtered : new boolean[] {false, true}) {
          LiveTermDocs.Acceptance acceptance =
              filtered ? ctx -> randomBits(r, ctx.reader().maxDoc()) : LiveTermDocs.Acceptance.ALL;
          // the same acceptance for both: each call draws its bits once per segment
          List<Bits> drawn = new ArrayList<>();
          LiveTermDocs.Acceptance recorded =
              filtered
                  ? ctx -> {
                    Bits b = acceptance.accepted(ctx);
                    drawn.add(b);
                    return b;
                  }
                  : acceptance;
          // KeyDocs takes the keys in any order
          String[] shuffled = keys.clone();
          java.util.Collections.shuffle(Arrays.asList(shuffled), r);
          List<String> cached = new ArrayList<>();
          KeyDocs.visit(
              current.leaves(),
              schema.keyField(),
              shuffled,
              recorded,
              (t, ctx, doc) -> cached.add(shuffled[t] + "@" + (ctx.docBase + doc)));
          int[] next = new int[1];
          List<String> uncached = new ArrayList<>();
          BytesRef[] terms = new BytesRef[keys.length];
          for (int i = 0; i < keys.length; i++) {
            terms[i] = new BytesRef(keys[i]);
          }
          LiveTermDocs.visit(
              current.leaves(),
              schema.keyField(),
              terms,
              filtered ? ctx -> drawn.get(next[0]++) : acceptance,
              (t, ctx, doc) -> uncached.add(keys[t] + "@" + (ctx.docBase + doc)));
          java.util.Collections.sort(cached);
          java.util.Collections.sort(uncached);
          assertEquals("keys " + Arrays.toString(keys), uncached, cached);
        }
        // change some documents: update (a new doc id in a new segment), delete, add
        for (int c = 0; c < 3; c++) {
          String key = "d" + r.nextInt(25);
          switch (r.nextInt(3)) {
            case 0 -> w.addDocument(key, vector(r));
            case 1 -> w.deleteDocument(key);
            default -> w.deleteDocuments(new TermQuery(new org.apache.lucene.index.Term(schema.keyField(), key)));
          }
        }
        DirectoryReader next2 = DirectoryReader.openIfChanged(current);
        if (next2 != null) {
          current.close();
          current = next2;
        }
        assertTrue(KeyDocs.segmentCount() > segmentsBefore);
        new IndexSearcher(current); // the reader stays usable
      }
      current.close();
    }
    assertEquals("entries of closed segments are dropped", segmentsBefore, KeyDocs.segmentCount());
  }

  /**
   * A segment remembers at most {@link KeyDocs#capacity} keys: more distinct keys than that (most
   * of them absent from the index) leave it at exactly the capacity, every answer, before and
   * after a delete, stays the terms dictionary's, and the entry goes when the segment closes.
   */
  public void testCapacityHoldsAndAnswersStayCorrect() throws IOException {
    Random r = random();
    PefaSchema schema = PefaSchema.builder(DIM).build();
    int segmentsBefore = KeyDocs.segmentCount();
    try (Directory dir = newDirectory();
        PefaIndexWriter w = openWriter(dir, schema, r)) {
      int docs = 5 + r.nextInt(20);
      addDocuments(w, r, docs);
      DirectoryReader reader = PefaDirectoryReader.open(w);
      try {
        assertEquals(1, reader.leaves().size());
        org.apache.lucene.index.LeafReader segment = reader.leaves().get(0).reader();
        int capacity = KeyDocs.capacity(segment.maxDoc());
        assertEquals(2 * segment.maxDoc() + 1024, capacity);
        // every existing key among 3 * capacity distinct ones, in queries of up to 200 keys
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 3 * capacity; i++) {
          all.add(i < docs ? "d" + i : "absent" + i);
        }
        java.util.Collections.shuffle(all, r);
        for (int from = 0; from < all.size(); ) {
          int to = Math.min(all.size(), from + 1 + r.nextInt(200));
          assertSameDocs(reader, schema, all.subList(from, to).toArray(new String[0]));
          assertTrue(KeyDocs.rememberedKeys(segment, schema.keyField()) <= capacity);
          from = to;
        }
        assertEquals(
            "a segment remembers its capacity of keys, no more",
            capacity,
            KeyDocs.rememberedKeys(segment, schema.keyField()));
        // keys it remembers and keys it does not: both answered right, also after a delete
        String[] existing = new String[docs];
        for (int i = 0; i < docs; i++) {
          existing[i] = "d" + i;
        }
        assertSameDocs(reader, schema, existing);
        w.deleteDocument("d" + r.nextInt(docs));
        DirectoryReader changed = DirectoryReader.openIfChanged(reader);
        assertNotNull(changed);
        reader.close();
        reader = changed;
        assertSameDocs(reader, schema, existing);
        assertEquals(capacity, KeyDocs.rememberedKeys(reader.leaves().get(0).reader(), schema.keyField()));
      } finally {
        reader.close();
      }
    }
    assertEquals("entries of closed segments are dropped", segmentsBefore, KeyDocs.segmentCount());
  }

  /** KeyDocs visits exactly what the terms dictionary does for {@code keys}. */
  private static void assertSameDocs(DirectoryReader reader, PefaSchema schema, String[] keys)
      throws IOException {
    List<String> cached = new ArrayList<>();
    KeyDocs.visit(
        reader.leaves(),
        schema.keyField(),
        keys,
        LiveTermDocs.Acceptance.ALL,
        (t, ctx, doc) -> cached.add(keys[t] + "@" + (ctx.docBase + doc)));
    String[] sorted = keys.clone();
    Arrays.sort(sorted);
    BytesRef[] terms = new BytesRef[sorted.length];
    for (int i = 0; i < sorted.length; i++) {
      terms[i] = new BytesRef(sorted[i]);
    }
    List<String> uncached = new ArrayList<>();
    LiveTermDocs.visit(
        reader.leaves(),
        schema.keyField(),
        terms,
        LiveTermDocs.Acceptance.ALL,
        (t, ctx, doc) -> uncached.add(sorted[t] + "@" + (ctx.docBase + doc)));
    java.util.Collections.sort(cached);
    java.util.Collections.sort(uncached);
    assertEquals(uncached, cached);
  }

  private static String[] keys(Random r) {
    TreeSet<String> keys = new TreeSet<>();
    int count = 1 + r.nextInt(10);
    for (int i = 0; i < count; i++) {
      keys.add("d" + r.nextInt(30)); // d25..d29 never exist
    }
    return keys.toArray(new String[0]);
  }

  private static Bits randomBits(Random r, int maxDoc) {
    if (r.nextInt(4) == 0) {
      return null;
    }
    FixedBitSet bits = new FixedBitSet(maxDoc);
    for (int i = 0; i < maxDoc; i++) {
      if (r.nextBoolean()) {
        bits.set(i);
      }
    }
    return bits;
  }
}
