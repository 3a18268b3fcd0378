package io.github.lucenepefa.opensearch;

import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertAcked;

import io.github.lucenepefa.opensearch.SingleIndexOracle.Doc;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.search.SearchRequest;
import org.opensearch.action.support.WriteRequest;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.OpenSearchIntegTestCase;

/**
 * Not a test (surefire runs {@code *Tests} only): a timing harness of what the global statistics
 * phase costs a PEFA-XL search of a 3-shard index on two nodes. Every query runs twice, alternately
 * first: as sent (the coordinating node runs the phase, one round to every shard and an ERM top-K
 * search on each) and with the statistics already given (the phase skipped; the same hits). It
 * prints, and writes to {@code target/global-stats-cost.txt}, the median latencies and their ratio.
 *
 * <pre>
 * mvn -B -o -pl lucene-pefa-opensearch -am test -Dtest=GlobalStatsPhaseCost \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@OpenSearchIntegTestCase.ClusterScope(
    scope = OpenSearchIntegTestCase.Scope.SUITE,
    numDataNodes = 2,
    numClientNodes = 0,
    supportsDedicatedMasters = false)
public class GlobalStatsPhaseCost extends OpenSearchIntegTestCase {

  static final String MAIN = "docs";
  static final String MEMORY = "memory";
  static final String FIELD = PefaShardedTests.FIELD;
  static final int DIM = PefaShardedTests.DIM;
  static final int DOCS = 6000;
  static final int ROWS = 2000;
  static final int WARMUP = 50;
  static final int QUERIES = 300;

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(PefaPlugin.class);
  }

  public void testMeasure() throws Exception {
    Random random = new Random(42);
    create(MEMORY, 1, "pefa_memory");
    create(MAIN, 3, "pefa_vector");
    ensureGreen(MEMORY, MAIN);
    BulkRequestBuilder bulk = client().prepareBulk();
    PefaFixtures.addRows(client(), bulk, MEMORY, FIELD, PefaShardedTests.rows(random, "q", ROWS));
    for (int i = 0; i < DOCS; i++) {
      Doc d = new Doc("d" + i, PefaShardedTests.unitVector(random), "c" + (i % 3));
      bulk.add(
          client()
              .prepareIndex(MAIN)
              .setId(d.id())
              .setSource(JsonXContent.contentBuilder().startObject().array(FIELD, d.vector()).endObject()));
    }
    bulk.setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
    BulkResponse response = bulk.get();
    assertFalse(response.buildFailureMessage(), response.hasFailures());
    client()
        .execute(XsRefreshAction.INSTANCE, new XsRefreshRequest(MAIN, FIELD, MEMORY, null, null, true))
        .actionGet();
    client().admin().indices().prepareForceMerge(MAIN, MEMORY).setMaxNumSegments(1).get();
    refresh(MAIN, MEMORY);

    long[] with = new long[QUERIES];
    long[] without = new long[QUERIES];
    for (int i = -WARMUP; i < QUERIES; i++) {
      PefaQueryBuilder query =
          new PefaQueryBuilder(FIELD, true, PefaShardedTests.unitVector(random))
              .memoryIndex(MEMORY)
              .numCandidates(10);
      PefaQueryBuilder given = query.copy();
      given.stats = globalStats(query);
      long a;
      long b;
      List<String> hitsA;
      List<String> hitsB;
      if ((i & 1) == 0) {
        long t0 = System.nanoTime();
        hitsA = search(query);
        long t1 = System.nanoTime();
        hitsB = search(given);
        long t2 = System.nanoTime();
        a = t1 - t0;
        b = t2 - t1;
      } else {
        long t0 = System.nanoTime();
        hitsB = search(given);
        long t1 = System.nanoTime();
        hitsA = search(query);
        long t2 = System.nanoTime();
        b = t1 - t0;
        a = t2 - t1;
      }
      assertEquals("the statistics given are the phase's", hitsA, hitsB);
      if (i >= 0) {
        with[i] = a;
        without[i] = b;
      }
    }
    double medianWith = median(with) / 1e6;
    double medianWithout = median(without) / 1e6;
    String line =
        String.format(
            Locale.ROOT,
            "global statistics phase, PEFA-XL, %d docs in 3 shards on 2 nodes, %d memory rows, size 10,"
                + " %d queries: median latency %.2f ms with the phase, %.2f ms without, ratio %.2f",
            DOCS,
            ROWS,
            QUERIES,
            medianWith,
            medianWithout,
            medianWith / medianWithout);
    System.out.println(line);
    Files.writeString(Path.of("target", "global-stats-cost.txt"), line + "\n");
  }

  private void create(String index, int shards, String type) {
    assertAcked(
        prepareCreate(index)
            .setSettings(PefaFixtures.pefaIndex(shards, 0))
            .setMapping(PefaFixtures.mapping(FIELD, type, DIM)));
  }

  private GlobalStats globalStats(PefaQueryBuilder query) {
    GlobalStatsRequest request =
        new GlobalStatsRequest(
            new String[] {MAIN},
            SearchRequest.DEFAULT_INDICES_OPTIONS,
            null,
            null,
            System.currentTimeMillis(),
            query,
            null);
    return client().execute(GlobalStatsAction.INSTANCE, request).actionGet().statsOrThrow();
  }

  private List<String> search(PefaQueryBuilder query) {
    List<String> ids = new ArrayList<>();
    for (SearchHit h : client().prepareSearch(MAIN).setQuery(query).setSize(10).get().getHits().getHits()) {
      ids.add(h.getId());
    }
    return ids;
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  }
}
