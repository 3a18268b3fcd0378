package io.github.lucenepefa.opensearch;

import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertAcked;

import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Row;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.Neighbour;
import io.github.lucenepefa.search.XlCandidates;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.support.PlainActionFuture;
import org.opensearch.action.support.WriteRequest;
import org.opensearch.index.engine.Engine;
import org.opensearch.index.shard.IndexShard;
import org.opensearch.plugins.Plugin;
import org.opensearch.test.OpenSearchIntegTestCase;

/**
 * The plugin's {@code N_k(q)} at approximate effort is the core's: on a memory index of one shard,
 * the neighbours a {@code pefa} query fetches ({@link PefaQueryPhases#fetchNeighbours}, at {@code
 * ef_search}) equal, row by row and similarity by similarity, those the core's PEFA-XL search
 * finds in the same shard's reader at the same effort ({@link XlCandidates#search}, which walks the
 * memory with {@code AnnEffort#forMemory}). The beams are chosen so that the memory beam differs
 * from {@code ef_search} and the segment is searched through its graph.
 */
@OpenSearchIntegTestCase.ClusterScope(
    scope = OpenSearchIntegTestCase.Scope.SUITE,
    numDataNodes = 1,
    numClientNodes = 0,
    supportsDedicatedMasters = false)
public class PefaMemoryEffortTests extends OpenSearchIntegTestCase {

  static final String MEMORY = "memory";
  static final String FIELD = PefaShardedTests.FIELD;
  static final int DIM = PefaShardedTests.DIM;
  static final int ROWS = 2000;

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(PefaPlugin.class);
  }

  public void testNeighboursAtApproximateEffortEqualTheCores() throws Exception {
    Random random = new Random(random().nextLong());
    assertAcked(
        prepareCreate(MEMORY)
            .setSettings(PefaFixtures.pefaIndex(1, 0))
            .setMapping(PefaFixtures.mapping(FIELD, "pefa_memory", DIM)));
    ensureGreen(MEMORY);
    BulkRequestBuilder bulk =
        client().prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
    PefaFixtures.addRows(client(), bulk, MEMORY, FIELD, PefaShardedTests.rows(random, "q", ROWS));
    org.opensearch.action.bulk.BulkResponse response = bulk.get();
    assertFalse(response.buildFailureMessage(), response.hasFailures());

    IndexShard shard = memoryShard();
    PefaSchema schema =
        ((PefaMemoryFieldMapper.PefaMemoryFieldType) shard.mapperService().fieldType(FIELD)).schema();
    int[][] kAndEf = {{4, 8}, {8, 16}, {16, 40}};
    try (Engine.Searcher searcher = shard.acquireSearcher("test")) {
      for (int i = 0; i < 30; i++) {
        float[] q = PefaShardedTests.unitVector(random);
        for (int[] c : kAndEf) {
          int k = c[0];
          int ef = c[1];
          assertTrue(
              "the memory beam differs from ef_search", AnnEffort.ef(ef).forMemory(k).efSearch() != ef);
          PlainActionFuture<List<Neighbour>> plugin = PlainActionFuture.newFuture();
          PefaQueryPhases.fetchNeighbours(client(), MEMORY, FIELD, q, k, false, ef, 0f, plugin);
          List<Neighbour> fetched = plugin.actionGet();
          List<Neighbour> core =
              XlCandidates.search(searcher, schema, q, k, 1, AnnEffort.ef(ef), 0f, null)
                  .neighbours();
          assertEquals("k " + k + ", ef_search " + ef, ids(core), ids(fetched));
          assertEquals(similarities(core), similarities(fetched));
        }
      }
    }
  }

  private static List<String> ids(List<Neighbour> neighbours) {
    return neighbours.stream().map(Neighbour::rowId).toList();
  }

  private static List<Float> similarities(List<Neighbour> neighbours) {
    return neighbours.stream().map(Neighbour::similarity).toList();
  }

  private IndexShard memoryShard() {
    List<IndexShard> shards = PefaFixtures.shards(internalCluster(), MEMORY);
    assertEquals("one memory shard", 1, shards.size());
    return shards.get(0);
  }
}
