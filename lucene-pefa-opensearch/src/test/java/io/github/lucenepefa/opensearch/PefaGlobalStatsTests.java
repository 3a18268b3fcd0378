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
import org.opensearch.action.search.SearchType;
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
        prepareCreate(name).setSettings(PefaFixtures.pefaIndex(shards, 0)).setMapping(mapping));
  }

  private void load(List<Row> rows, List<Doc> docs) throws IOException {
    createIndex(MEMORY, 2, PefaFixtures.mapping(FIELD, "pefa_memory", DIM));
    String mapping =
        "{\"properties\": {\""
            + FIELD
            + "\": {\"type\": \"pefa_vector\", \"dimension\": "
            + DIM
            + ", \"xs_lambda\": "
            + XS_LAMBDA
            + "}, \"category\": {\"type\": \"keyword\"}, \"text\": {\"type\": \"text\"}}}";
    createIndex(ONE, 1, mapping);
    createIndex(THREE, 3, mapping);
    ensureGreen(MEMORY, ONE, THREE);
    BulkRequestBuilder bulk = client().prepareBulk();
    PefaFixtures.addRows(client(), bulk, MEMORY, FIELD, rows);
    // documents come with their u_d (as xs_refresh computes it): indexed once, no update leaves a
    // deleted copy that term statistics would count
    List<PefaCore.StoredRow> stored = new ArrayList<>();
    for (Row r : rows) {
      stored.add(new PefaCore.StoredRow(r.id(), r.vector(), r.labels()));
    }
    for (Doc d : docs) {
      float[] u = PefaCore.labelCentroid(stored, d.id(), DIM);
      java.util.Map<String, Object> field = new java.util.LinkedHashMap<>();
      field.put("vector", d.vector());
      if (Vectors.isZero(u) == false) {
        field.put("label_centroid", Vectors.encode(u));
      }
      for (String index : List.of(ONE, THREE)) {
        bulk.add(
            client()
                .prepareIndex(index)
                .setId(d.id())
                .setSource(
                    JsonXContent.contentBuilder()
                        .startObject()
                        .field(FIELD, field)
                        .field("category", d.category())
                        .field("text", d.text())
                        .endObject()));
      }
    }
    org.opensearch.action.bulk.BulkResponse response = bulk.get();
    assertFalse(response.buildFailureMessage(), response.hasFailures());
    refresh(MEMORY, ONE, THREE);
    for (String index : List.of(ONE, THREE)) {
      XsRefreshResponse xs =
          client()
              .execute(XsRefreshAction.INSTANCE, new XsRefreshRequest(index, FIELD, MEMORY, null, null, true))
              .actionGet();
      assertEquals("every u_d was indexed as xs_refresh computes it", 0, xs.updated);
    }
    assertEquals(
        0,
        client().admin().indices().prepareStats(ONE, THREE).setDocs(true).get().getTotal().getDocs().getDeleted());
  }

  private List<Hit> search(String index, PefaQueryBuilder query, int from, int size) {
    return search(index, query, from, size, SearchType.QUERY_THEN_FETCH);
  }

  private List<Hit> search(
      String index, PefaQueryBuilder query, int from, int size, SearchType type) {
    SearchResponse response =
        client()
            .prepareSearch(index)
            .setSearchType(type)
            .setQuery(query)
            .setFrom(from)
            .setSize(size)
            .get();
    assertEquals(0, response.getFailedShards());
    List<Hit> hits = new ArrayList<>();
    for (SearchHit h : response.getHits().getHits()) {
      hits.add(new Hit(h.getId(), h.getScore()));
    }
    return hits;
  }

  public void testOneAndThreeShardsEqualOneIndexInEveryMode() throws Exception {
    Random random = new Random(random().nextLong());
    List<Doc> docs = docsWithText(random);
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

  /** Random documents with a text of a few words from a small vocabulary (BM25 sees repeats). */
  static List<Doc> docsWithText(Random random) {
    List<Doc> docs = new ArrayList<>();
    for (Doc d : PefaShardedTests.docs(random)) {
      StringBuilder text = new StringBuilder();
      int words = 1 + random.nextInt(8);
      for (int w = 0; w < words; w++) {
        text.append(w == 0 ? "" : " ").append("w").append(Math.min(random.nextInt(30), random.nextInt(30)));
      }
      docs.add(new Doc(d.id(), d.vector(), d.category(), text.toString()));
    }
    return docs;
  }

  /**
   * The {@code lexical} clause: one shard, three shards (query_then_fetch and
   * dfs_query_then_fetch) and the core's {@code PefaHybridQuery} on one Lucene index give the same
   * top-10 ids and scores, for PEFA-XL and PEFA-XS, a term and a two-term match query, weights
   * 0.1, 0.5 and 1, with and without a filter.
   */
  public void testLexicalEqualsOneIndex() throws Exception {
    Random random = new Random(random().nextLong());
    List<Doc> docs = docsWithText(random);
    List<Row> rows = PefaShardedTests.rows(random, "q", PefaShardedTests.ROWS);
    load(rows, docs);
    int checked = 0;
    try (SingleIndexOracle oracle = new SingleIndexOracle(DIM, XS_LAMBDA, rows, docs)) {
      for (int t = 0; t < 4; t++) {
        float[] q = PefaShardedTests.unitVector(random);
        String w1 = "w" + random.nextInt(10);
        String w2 = "w" + (10 + random.nextInt(20));
        boolean match = t % 2 == 1;
        org.opensearch.index.query.QueryBuilder lexical =
            match ? QueryBuilders.matchQuery("text", w1 + " " + w2) : QueryBuilders.termQuery("text", w1);
        org.apache.lucene.search.Query luceneLexical = luceneLexical(match, w1, w2);
        for (float a : new float[] {0.1f, 0.5f, 1f}) {
          for (boolean xl : new boolean[] {true, false}) {
            String category = t == 2 ? "c1" : null;
            PefaQueryBuilder b = new PefaQueryBuilder(FIELD, xl, q).exact(true).lexical(lexical, a);
            io.github.lucenepefa.search.PefaQuery pefa;
            if (xl) {
              b.memoryIndex(MEMORY).lambda(0.5f).k(8).topK(10).ermTopKOnly(t == 3);
              pefa = oracle.xlQuery(q, 0.5f, 8, 10, false, false, null, t == 3, category, 10);
            } else {
              pefa = oracle.xsQuery(q, null, 10);
            }
            if (category != null) {
              b.filter(QueryBuilders.termQuery("category", category));
            }
            if (category != null && xl == false) {
              continue; // the XS oracle takes no filter
            }
            List<Hit> expected = oracle.hybrid(pefa, luceneLexical, a, 10);
            String what = (xl ? "xl" : "xs") + " + " + lexical + " a " + a + " filter " + category;
            assertSameEverywhere(what, b, expected);
            PefaShardedTests.assertSameHits(
                what + ": dfs_query_then_fetch",
                expected,
                search(THREE, b, 0, 10, SearchType.DFS_QUERY_THEN_FETCH));
            checked++;
          }
        }
      }
    }
    assertEquals(21, checked);
  }

  /** The Lucene query OpenSearch builds for the term or match query of the test. */
  private static org.apache.lucene.search.Query luceneLexical(boolean match, String w1, String w2) {
    org.apache.lucene.search.Query t1 =
        new org.apache.lucene.search.TermQuery(new org.apache.lucene.index.Term("text", w1));
    if (match == false) {
      return t1;
    }
    return new org.apache.lucene.search.BooleanQuery.Builder()
        .add(t1, org.apache.lucene.search.BooleanClause.Occur.SHOULD)
        .add(
            new org.apache.lucene.search.TermQuery(new org.apache.lucene.index.Term("text", w2)),
            org.apache.lucene.search.BooleanClause.Occur.SHOULD)
        .build();
  }

  /**
   * A search that reads one shard (an index of one shard, or one shard of three by routing) gets
   * {@link GlobalStats#ONE_SHARD} without any shard being asked; one that reads three gets the
   * statistics of all three. That the answers stay the one index's is {@link
   * #testOneAndThreeShardsEqualOneIndexInEveryMode}'s and {@link #testLexicalEqualsOneIndex}'s.
   */
  public void testOneShardAsksNoShard() throws Exception {
    Random random = new Random(random().nextLong());
    load(PefaShardedTests.rows(random, "q", PefaShardedTests.ROWS), docsWithText(random));
    PefaQueryBuilder b =
        new PefaQueryBuilder(FIELD, true, PefaShardedTests.unitVector(random))
            .memoryIndex(MEMORY)
            .numCandidates(10);
    assertEquals(GlobalStats.ONE_SHARD, globalStats(ONE, null, b));
    assertEquals(GlobalStats.ONE_SHARD, globalStats(THREE, "some-routing", b));
    GlobalStats three = globalStats(THREE, null, b);
    assertFalse(three.oneShard());
    assertTrue(three.complete());
  }

  private GlobalStats globalStats(String index, String routing, PefaQueryBuilder query) {
    GlobalStatsRequest request =
        new GlobalStatsRequest(
            new String[] {index},
            org.opensearch.action.search.SearchRequest.DEFAULT_INDICES_OPTIONS,
            routing,
            null,
            System.currentTimeMillis(),
            query,
            null);
    return client().execute(GlobalStatsAction.INSTANCE, request).actionGet().statsOrThrow();
  }

  public void testDefaultsFollowFromPlusSize() throws Exception {
    Random random = new Random(random().nextLong());
    List<Doc> docs = docsWithText(random);
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
