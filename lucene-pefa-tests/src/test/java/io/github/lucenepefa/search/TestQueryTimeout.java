package io.github.lucenepefa.search;

import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.index.PefaDirectoryReader;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterDirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.junit.AfterClass;
import org.junit.BeforeClass;

/**
 * {@link IndexSearcher#setTimeout} stops PEFA's graph walks: the memory walk and the ERM walk of
 * PEFA-XL, the PEFA-XS walk (of the stored {@code e_d}, at its lambda and at another).
 * On an index big enough for graph search at the default effort (one segment of 3000 documents and
 * 1500 memory rows), a {@link QueryTimeout} that runs out once one walk has asked it a few times
 * must stop that walk after those few steps, where the walk without a timeout visits many more
 * nodes. Which walk asks, and how many nodes it visits, is
 * seen by a reader wrapper underneath {@link PefaDirectoryReader} that counts each graph search
 * made through the reader; PEFA-XS at another lambda walks {@code e_d}'s graph with Lucene's graph
 * searcher directly, so its timeout calls are the ones made outside such a search ({@link
 * #DIRECT}).
 */
public class TestQueryTimeout extends LuceneTestCase {

  private static final int DIM = 32;
  private static final int DOCS = 3000;
  private static final int ROWS = 1500;
  private static final int BUDGET = 5;

  private static Directory dir;
  private static PefaSchema schema;
  private static Random random;

  /** What the timeout's calls made outside a reader's graph search are counted as. */
  private static final String DIRECT = "(direct)";

  /** The field whose graph the current thread is walking, or null. */
  private static final ThreadLocal<String> WALKING = new ThreadLocal<>();

  @BeforeClass
  public static void buildIndex() throws IOException {
    random = new Random(random().nextLong());
    schema = PefaSchema.builder(DIM).hnsw(12, 40).build();
    dir = new ByteBuffersDirectory();
    IndexWriterConfig config =
        new IndexWriterConfig()
            .setCodec(new Pefa01Codec())
            .setRAMBufferSizeMB(512)
            .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH);
    try (IndexWriter lucene = new IndexWriter(dir, config)) {
      // one buffer, one writing thread: one segment
      PefaIndexWriter writer = new PefaIndexWriter(lucene, schema, 100_000, 1);
      for (int r = 0; r < ROWS; r++) {
        Map<String, Float> labels = new HashMap<>();
        for (int l = 0; l < 1 + random.nextInt(3); l++) {
          labels.put("d" + random.nextInt(DOCS), 1f);
        }
        writer.addTrainingQuery("q" + r, unit(), labels);
      }
      for (int d = 0; d < DOCS; d++) {
        writer.addDocument("d" + d, unit());
      }
      writer.commit();
      writer.close();
    }
  }

  @AfterClass
  public static void closeIndex() throws IOException {
    dir.close();
    dir = null;
    schema = null;
    random = null;
  }

  private static float[] unit() {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return PefaVectors.normalize(v);
  }

  /** Counts, per field, the graph searches and the nodes they visited. */
  private static final class Walks {
    final Map<String, AtomicInteger> searches = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> visited = new ConcurrentHashMap<>();

    int visited(String field) {
      AtomicInteger v = visited.get(field);
      return v == null ? 0 : v.get();
    }
  }

  /** A reader whose segments count their graph searches into {@link Walks}. */
  private static final class CountingReader extends FilterDirectoryReader {
    private final Walks walks;

    CountingReader(DirectoryReader in, Walks walks) throws IOException {
      super(
          in,
          new SubReaderWrapper() {
            @Override
            public LeafReader wrap(LeafReader reader) {
              return new CountingLeaf(reader, walks);
            }
          });
      this.walks = walks;
    }

    @Override
    protected DirectoryReader doWrapDirectoryReader(DirectoryReader in) throws IOException {
      return new CountingReader(in, walks);
    }

    @Override
    public CacheHelper getReaderCacheHelper() {
      return null;
    }
  }

  private static final class CountingLeaf extends FilterLeafReader {
    private final Walks walks;

    CountingLeaf(LeafReader in, Walks walks) {
      super(in);
      this.walks = walks;
    }

    @Override
    public void searchNearestVectors(
        String field, float[] target, KnnCollector collector, AcceptDocs acceptDocs)
        throws IOException {
      WALKING.set(field);
      try {
        super.searchNearestVectors(field, target, collector, acceptDocs);
      } finally {
        WALKING.remove();
        walks.searches.computeIfAbsent(field, f -> new AtomicInteger()).incrementAndGet();
        walks.visited
            .computeIfAbsent(field, f -> new AtomicInteger())
            .addAndGet((int) collector.visitedCount());
      }
    }

    @Override
    public CacheHelper getCoreCacheHelper() {
      return in.getCoreCacheHelper();
    }

    @Override
    public CacheHelper getReaderCacheHelper() {
      return null;
    }
  }

  /**
   * Counts the {@link #shouldExit} calls each walk makes; runs out once the walk of {@code
   * stopField} has asked {@link #BUDGET} times (never when it is null), and stays out.
   */
  private static final class CountingTimeout implements QueryTimeout {
    final String stopField;
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    volatile boolean expired;

    CountingTimeout(String stopField) {
      this.stopField = stopField;
    }

    int calls(String field) {
      AtomicInteger c = calls.get(field);
      return c == null ? 0 : c.get();
    }

    @Override
    public boolean shouldExit() {
      String field = WALKING.get();
      if (field == null) {
        field = DIRECT;
      }
      int n = calls.computeIfAbsent(field, f -> new AtomicInteger()).incrementAndGet();
      if (field.equals(stopField) && n > BUDGET) {
        expired = true;
      }
      return expired;
    }
  }

  /** A search of a fresh counting reader; the walks and the timeout say what happened. */
  private record Outcome(ScoreDoc[] hits, Walks walks, CountingTimeout timeout, boolean timedOut) {}

  private Outcome search(PefaQuery query, String stopField, boolean withTimeout)
      throws IOException {
    Walks walks = new Walks();
    CountingTimeout timeout = new CountingTimeout(stopField);
    try (PefaDirectoryReader reader =
        PefaDirectoryReader.wrap(new CountingReader(DirectoryReader.open(dir), walks), schema)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      if (withTimeout) {
        searcher.setTimeout(timeout);
      }
      ScoreDoc[] hits = searcher.search(query, query.n()).scoreDocs;
      return new Outcome(hits, walks, timeout, searcher.timedOut());
    }
  }

  /**
   * A walk that runs out of time stops after the few steps it was allowed, where it visits many
   * more nodes without a timeout. (What the search then returns follows Lucene's rule for a query
   * whose rewrite ran out of time: no hits, and {@link IndexSearcher#timedOut()} only when the
   * rewrite found some.)
   */
  private void assertStops(PefaQuery query, String field) throws IOException {
    Outcome free = search(query, null, false);
    Outcome counted = search(query, null, true);
    assertEquals("a timeout that never runs out changes nothing",
        Arrays.toString(describe(free.hits())), Arrays.toString(describe(counted.hits())));
    assertFalse(counted.timedOut());
    int fullCalls = counted.timeout().calls(field);
    int fullVisits = counted.walks().visited(field);
    assertTrue(field + " was not walked as a graph: " + counted.walks().searches,
        counted.walks().searches.containsKey(field));
    assertTrue(field + " walk asked the timeout only " + fullCalls + " times",
        fullCalls > 4 * BUDGET);

    Outcome stopped = search(query, field, true);
    int calls = stopped.timeout().calls(field);
    int visits = stopped.walks().visited(field);
    String ctx = query + ": the " + field + " walk asked " + calls + " times and visited " + visits
        + " nodes, against " + fullCalls + " and " + fullVisits + " without a timeout";
    assertTrue(ctx, calls <= BUDGET + 1);
    assertTrue(ctx, visits * 3 < fullVisits);
  }

  private static String[] describe(ScoreDoc[] hits) {
    String[] out = new String[hits.length];
    for (int i = 0; i < hits.length; i++) {
      out[i] = hits[i].doc + "=" + hits[i].score;
    }
    return out;
  }

  public void testTimeoutStopsTheMemoryWalkOfXl() throws IOException {
    assertStops(PefaQuery.xl(schema, unit(), 10).build(), schema.memoryField());
  }

  public void testTimeoutStopsTheErmWalkOfXl() throws IOException {
    PefaQuery query = PefaQuery.xl(schema, unit(), 10).build();
    assertStops(query, schema.ermField());
    // the memory walk before it ran to its end
    Outcome stopped = search(query, schema.ermField(), true);
    Outcome free = search(query, null, true);
    assertEquals(
        free.walks().visited(schema.memoryField()), stopped.walks().visited(schema.memoryField()));
  }

  public void testTimeoutStopsTheXsWalk() throws IOException {
    assertStops(PefaQuery.xs(schema, unit(), 10).build(), schema.xsVectorField());
  }

  public void testTimeoutStopsTheXsWalkAtAnotherLambda() throws IOException {
    PefaQuery query = PefaQuery.xs(schema, unit(), 10).lambda(0.2f).build();
    Outcome free = search(query, null, false);
    Outcome counted = search(query, null, true);
    assertEquals("a timeout that never runs out changes nothing",
        Arrays.toString(describe(free.hits())), Arrays.toString(describe(counted.hits())));
    assertEquals("no walk through the reader: " + counted.walks().searches,
        0, counted.walks().searches.size());
    int fullCalls = counted.timeout().calls(DIRECT);
    assertTrue("the walk asked the timeout only " + fullCalls + " times", fullCalls > 4 * BUDGET);
    Outcome stopped = search(query, DIRECT, true);
    int calls = stopped.timeout().calls(DIRECT);
    // after the walk's last call, the query's and the searcher's own checks ask a few times more
    assertTrue("the stopped walk asked " + calls + " times, against " + fullCalls,
        calls <= BUDGET + 5);
    assertEquals("a rewrite out of time returns no hits", 0, stopped.hits().length);
  }
}
