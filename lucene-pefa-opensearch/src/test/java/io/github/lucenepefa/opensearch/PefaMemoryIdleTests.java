package io.github.lucenepefa.opensearch;

import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertAcked;

import io.github.lucenepefa.opensearch.SingleIndexOracle.Doc;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Hit;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Row;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.support.WriteRequest;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.index.shard.IndexShard;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.OpenSearchIntegTestCase;

/**
 * A memory index that only PEFA queries read receives no searches and goes search-idle, and an
 * idle shard skips its scheduled refreshes: the first PEFA-XL query after rows were written to it
 * must still see them, as a search would.
 */
@OpenSearchIntegTestCase.ClusterScope(
    scope = OpenSearchIntegTestCase.Scope.TEST,
    numDataNodes = 2,
    numClientNodes = 0,
    supportsDedicatedMasters = false)
public class PefaMemoryIdleTests extends OpenSearchIntegTestCase {

  static final String MAIN = "docs";
  static final String MEMORY = "memory";
  static final String FIELD = PefaShardedTests.FIELD;
  static final int DIM = PefaShardedTests.DIM;

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(PefaPlugin.class);
  }

  public void testRowsWrittenWhileTheMemoryWasIdleAreSeen() throws Exception {
    Random random = new Random(random().nextLong());
    List<Doc> docs = PefaShardedTests.docs(random);
    List<Row> first = PefaShardedTests.rows(random, "q", 60);
    List<Row> later = PefaShardedTests.rows(random, "new", 60);
    assertAcked(
        prepareCreate(MEMORY)
            .setSettings(
                Settings.builder()
                    .put("index.number_of_shards", 2)
                    .put("index.auto_expand_replicas", "0-all")
                    .put("index.codec", "pefa")
                    .put("index.search.idle.after", "1s"))
            .setMapping(
                PefaFixtures.mapping(FIELD, "pefa_memory", DIM)));
    assertAcked(
        prepareCreate(MAIN)
            .setSettings(PefaFixtures.pefaIndex(2, 0))
            .setMapping(PefaFixtures.mapping(FIELD, "pefa_vector", DIM)));
    ensureGreen(MEMORY, MAIN);

    BulkRequestBuilder bulk = client().prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
    for (Doc d : docs) {
      bulk.add(
          client()
              .prepareIndex(MAIN)
              .setId(d.id())
              .setSource(JsonXContent.contentBuilder().startObject().array(FIELD, d.vector()).endObject()));
    }
    assertFalse(bulk.get().hasFailures());
    indexRows(first, WriteRequest.RefreshPolicy.IMMEDIATE);

    // every copy of the memory goes idle, then rows are written without a refresh
    assertBusy(() -> memoryShards().forEach(s -> assertTrue(s.shardId() + " idle", s.isSearchIdle())));
    indexRows(later, WriteRequest.RefreshPolicy.NONE);
    // a scheduled refresh was skipped on every copy: its readers hold the first rows only (looking
    // at them through a searcher would wake the shard up)
    assertBusy(() -> memoryShards().forEach(s -> assertTrue(s.shardId() + " pending", s.hasRefreshPending())));

    List<Row> all = new ArrayList<>(first);
    all.addAll(later);
    float[] q = PefaShardedTests.unitVector(random);
    try (SingleIndexOracle before = new SingleIndexOracle(DIM, 1f, first, docs);
        SingleIndexOracle after = new SingleIndexOracle(DIM, 1f, all, docs)) {
      List<Hit> expected = after.xl(q, 0.3f, 16, 30, true, false, null, false, null, 10);
      assertNotEquals("the later rows change the answer", before.xl(q, 0.3f, 16, 30, true, false, null, false, null, 10), expected);
      PefaQueryBuilder query =
          new PefaQueryBuilder(FIELD, true, q).memoryIndex(MEMORY).lambda(0.3f).k(16).topK(30).knnMean(true).numCandidates(10).exact(true);
      List<Hit> actual = new ArrayList<>();
      for (SearchHit h : client().prepareSearch(MAIN).setQuery(query).setSize(10).get().getHits().getHits()) {
        actual.add(new Hit(h.getId(), h.getScore()));
      }
      PefaShardedTests.assertSameHits("the first query after the idle writes", expected, actual);
    }
  }

  private void indexRows(List<Row> rows, WriteRequest.RefreshPolicy refresh) throws Exception {
    BulkRequestBuilder bulk = client().prepareBulk().setRefreshPolicy(refresh);
    PefaFixtures.addRows(client(), bulk, MEMORY, FIELD, rows);
    assertFalse(bulk.get().hasFailures());
  }

  private List<IndexShard> memoryShards() {
    return PefaFixtures.shards(internalCluster(), MEMORY);
  }
}
