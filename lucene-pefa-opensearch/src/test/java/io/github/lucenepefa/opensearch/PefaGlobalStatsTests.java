package io.github.lucenepefa.opensearch;

import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertAcked;

import io.github.lucenepefa.opensearch.SingleIndexOracle.Doc;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Hit;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Row;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.OpenSearchIntegTestCase;

/**
 * The distributed-statistics phase ({@link GlobalStatsAction}): the same random documents in an
 * index of one shard and in an index of three shards give the same top hits, ids and scores, in
 * every mode and normalisation (PEFA-XS; PEFA-XL with {@code erm_score} {@code exact} and {@code
 * top_k} at K below the number of documents, {@code knn_norm} sum and mean, {@code knn_weight}
 * similarity and softmax, with and without a filter), and both equal the core library's answer on
 * one Lucene index of the same data ({@link SingleIndexOracle}). The defaults of {@code
 * num_candidates} and {@code top_k} follow the request's {@code from + size}.
 */
@OpenSearchIntegTestCase.ClusterScope(
    scope = OpenSearchIntegTestCase.Scope.SUITE,
    numDataNodes = 2,
    numClientNodes = 0,
    supportsDedicatedMasters = false)
public class PefaGlobalStatsTests extends OpenSearchIntegTestCase {

  static final int DIM = PefaShardedTests.DIM;
  static final float XS_LAMBDA = PefaShardedTests.XS_LAMBDA;
  static final String ONE = "one-shard";
  static final String THREE = "three-shards";
  static final String MEMORY = "memory";
  static final String FIELD = PefaShardedTests.FIELD;

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(PefaPlugin.class);
  }

  private void createIndex(String name, int shards, String mapping) {
    assertAcked(
        prepareCreate(name)
            .setSettings(
                Settings.builder()
                    .put("index.number_of_shards", shards)
                    .put("index.number_of_replicas", 0)
                    .put("index.codec", "pefa"))
            .setMapping(mapping));
  }

  private void load(List<Row> rows, List<Doc> docs) throws IOException {
    createIndex(
        MEMORY,
        2,
        "{\"properties\": {\"" + FIELD + "\": {\"type\": \"pefa_memory\", \"dimension\": " + DIM + "}}}");
    String mapping =
        "{\"properties\": {\""
            + FIELD
            + "\": {\"type\": \"pefa_vector\", \"dimension\": "
            + DIM
            + ", \"xs_lambda\": "
            + XS_LAMBDA
            + "}, \"category\": {\"type\": \"keyword\"}}}";
    createIndex(ONE, 1, mapping);
    createIndex(THREE, 3, mapping);
    ensureGreen(MEMORY, ONE, THREE);
    BulkRequestBuilder bulk = client().prepareBulk();
    for (Row r : rows) {
      bulk.add(
          client()
              .prepareIndex(MEMORY)
              .setId(r.id())
              .setSource(
                  JsonXContent.contentBuilder()
                      .startObject()
                      .startObject(FIELD)
                      .array("vector", r.vector())
                      .field("labels", r.labels())
                      .endObject()
                      .endObject()));
    }
    for (Doc d : docs) {
      for (String index : List.of(ONE, THREE)) {
        bulk.add(
            client()
                .prepareIndex(index)
                .setId(d.id())
                .setSource(
                    JsonXContent.contentBuilder()
                        .startObject()
                        .array(FIELD, d.vector())
                        .field("category", d.category())
                        .endObject()));
      }
    }
    org.opensearch.action.bulk.BulkResponse response = bulk.get();
    assertFalse(response.buildFailureMessage(), response.hasFailures());
    refresh(MEMORY, ONE, THREE);
    client()
        .execute(XsRefreshAction.INSTANCE, new XsRefreshRequest(ONE, FIELD, MEMORY, null, null, true))
        .actionGet();
    client()
        .execute(XsRefreshAction.INSTANCE, new XsRefreshRequest(THREE, FIELD, MEMORY, null, null, true))
        .actionGet();
  }

  private List<Hit> search(String index, PefaQueryBuilder query, int from, int size) {
    SearchResponse response =
        client().prepareSearch(index).setQuery(query).setFrom(from).setSize(size).get();
    assertEquals(0, response.getFailedShards());
    List<Hit> hits = new ArrayList<>();
    for (SearchHit h : response.getHits().getHits()) {
      hits.add(new Hit(h.getId(), h.getScore()));
    }
    return hits;
  }

  public void testOneAndThreeShardsEqualOneIndexInEveryMode() throws Exception {
    Random random = new Random(random().nextLong());
    List<Doc> docs = PefaShardedTests.docs(random);
    List<Row> rows = PefaShardedTests.rows(random, "q", PefaShardedTests.ROWS);
    load(rows, docs);
    int checked = 0;
    int topKOnlyDiffersFromLocal = 0;
    try (SingleIndexOracle oracle = new SingleIndexOracle(DIM, XS_LAMBDA, rows, docs)) {
      for (int t = 0; t < 3; t++) {
        float[] q = PefaShardedTests.unitVector(random);
        float lambda = new float[] {0.3f, 0.5f, 0.8f}[t];
        // PEFA-XS at the index-time lambda and another
        for (float xsLambda : new float[] {XS_LAMBDA, 0.2f}) {
          PefaQueryBuilder b = new PefaQueryBuilder(FIELD, false, q).exact(true);
          if (xsLambda != XS_LAMBDA) {
            b.lambda(xsLambda);
          }
          List<Hit> expected = oracle.xs(q, xsLambda, 10);
          assertSameEverywhere("xs lambda " + xsLambda, b, expected);
          checked++;
        }
        for (boolean topKOnly : new boolean[] {false, true}) {
          for (boolean mean : new boolean[] {false, true}) {
            for (boolean softmax : new boolean[] {false, true}) {
              for (int topK : new int[] {5, 20}) {
                String category = random.nextInt(4) == 0 ? "c" + random.nextInt(3) : null;
                PefaQueryBuilder b =
                    new PefaQueryBuilder(FIELD, true, q)
                        .memoryIndex(MEMORY)
                        .exact(true)
                        .lambda(lambda)
                        .k(8)
                        .topK(topK)
                        .knnMean(mean)
                        .softmax(softmax)
                        .ermTopKOnly(topKOnly);
                if (category != null) {
                  b.filter(QueryBuilders.termQuery("category", category));
                }
                List<Hit> expected =
                    oracle.xl(q, lambda, 8, topK, mean, softmax, null, topKOnly, category, 10);
                String what =
                    "xl erm "
                        + (topKOnly ? "top_k" : "exact")
                        + (mean ? " mean" : " sum")
                        + (softmax ? " softmax" : " similarity")
                        + " K "
                        + topK
                        + " filter "
                        + category;
                assertSameEverywhere(what, b, expected);
                checked++;
                if (topKOnly && localTopKDiffers(q, lambda, topK, mean, softmax, category, oracle)) {
                  topKOnlyDiffersFromLocal++;
                }
              }
            }
          }
        }
      }
    }
    assertEquals(3 * (2 + 16), checked);
    // the phase matters: the three shards' own top-K would have answered differently
    assertTrue("top_k cases where a shard's local K differs: " + topKOnlyDiffersFromLocal, topKOnlyDiffersFromLocal > 0);
  }

  /** Whether three shards each using its own ERM top-K (no global statistics) would differ. */
  private static boolean localTopKDiffers(
      float[] q, float lambda, int topK, boolean mean, boolean softmax, String category, SingleIndexOracle oracle)
      throws IOException {
    // a shard holding a third of the documents keeps its own best topK: about 3 * topK documents
    // in all get their ERM part, against topK in one index
    List<Hit> wide = oracle.xl(q, lambda, 8, 3 * topK, mean, softmax, null, true, category, 10);
    return wide.equals(oracle.xl(q, lambda, 8, topK, mean, softmax, null, true, category, 10)) == false;
  }

  private void assertSameEverywhere(String what, PefaQueryBuilder b, List<Hit> expected) {
    List<Hit> one = search(ONE, b, 0, 10);
    List<Hit> three = search(THREE, b, 0, 10);
    PefaShardedTests.assertSameHits(what + ": one shard = one Lucene index", expected, one);
    PefaShardedTests.assertSameHits(what + ": three shards = one Lucene index", expected, three);
    PefaShardedTests.assertSameHits(what + ": three shards = one shard", one, three);
  }

  public void testDefaultsFollowFromPlusSize() throws Exception {
    Random random = new Random(random().nextLong());
    List<Doc> docs = PefaShardedTests.docs(random);
    List<Row> rows = PefaShardedTests.rows(random, "q", PefaShardedTests.ROWS);
    load(rows, docs);
    try (SingleIndexOracle oracle = new SingleIndexOracle(DIM, XS_LAMBDA, rows, docs)) {
      for (int t = 0; t < 4; t++) {
        float[] q = PefaShardedTests.unitVector(random);
        // no num_candidates, no top_k: K = from + size, so erm_score top_k ranks as K = n
        PefaQueryBuilder b =
            new PefaQueryBuilder(FIELD, true, q).memoryIndex(MEMORY).exact(true).ermTopKOnly(true);
        for (int[] fromSize : new int[][] {{0, 3}, {0, 10}, {5, 20}}) {
          int n = fromSize[0] + fromSize[1];
          List<Hit> all = oracle.xl(q, 0.5f, 16, n, false, false, null, true, null, n);
          List<Hit> expected = all.subList(Math.min(fromSize[0], all.size()), all.size());
          for (String index : List.of(ONE, THREE)) {
            PefaShardedTests.assertSameHits(
                index + " from " + fromSize[0] + " size " + fromSize[1],
                expected,
                search(index, b, fromSize[0], fromSize[1]));
          }
        }
        // an explicit top_k still wins over the default
        PefaQueryBuilder explicit =
            new PefaQueryBuilder(FIELD, true, q).memoryIndex(MEMORY).exact(true).ermTopKOnly(true).topK(40);
        PefaShardedTests.assertSameHits(
            "explicit top_k 40",
            oracle.xl(q, 0.5f, 16, 40, false, false, null, true, null, 5),
            search(THREE, explicit, 0, 5));
      }
    }
  }
}
