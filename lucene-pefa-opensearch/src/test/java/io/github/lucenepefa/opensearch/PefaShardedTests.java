package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.index.PefaVectors;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Doc;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Hit;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Row;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.FilterLeafReader;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.ResponseException;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.XContentHelper;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.index.IndexService;
import org.opensearch.index.engine.Engine;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.index.shard.IndexShard;
import org.opensearch.indices.IndicesService;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.InternalSettingsPlugin;
import org.opensearch.test.OpenSearchIntegTestCase;
import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertAcked;
import org.opensearch.transport.Netty4ModulePlugin;

/**
 * PEFA in an OpenSearch cluster of three data nodes (main index: 3 shards, 1 replica; memory
 * index: 2 shards on every node) against one Lucene index built by the core library from the same
 * data: top-10 ids and scores of PEFA-XL and PEFA-XS equal, through the Java client and as JSON
 * over HTTP (netty4), after a data node stops, after the index is closed and reopened, and after
 * training pairs are added to and removed from the memory index.
 */
@OpenSearchIntegTestCase.ClusterScope(
    scope = OpenSearchIntegTestCase.Scope.SUITE,
    numDataNodes = 3,
    numClientNodes = 0,
    supportsDedicatedMasters = false)
public class PefaShardedTests extends OpenSearchIntegTestCase {

  static final int DIM = 16;
  static final int DOCS = 300;
  static final int ROWS = 240;
  static final int QUERIES = 200;
  static final float XS_LAMBDA = 0.5f;
  static final String MAIN = "docs";
  static final String MEMORY = "memory";
  static final String FIELD = "emb";

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(PefaPlugin.class, Netty4ModulePlugin.class, InternalSettingsPlugin.class);
  }

  @Override
  protected boolean addMockHttpTransport() {
    return false; // real HTTP: netty4
  }

  /** Random unit vectors in the positive orthant (every similarity, so every score, >= 0). */
  static float[] unitVector(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = random.nextFloat() + 1e-3f;
    }
    return PefaVectors.normalize(v);
  }

  static List<Doc> docs(Random random) {
    List<Doc> docs = new ArrayList<>();
    for (int i = 0; i < DOCS; i++) {
      docs.add(new Doc("d" + i, unitVector(random), "c" + (i % 3)));
    }
    return docs;
  }

  static List<Row> rows(Random random, String prefix, int count) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Map<String, Float> labels = new LinkedHashMap<>();
      int n = 1 + random.nextInt(3);
      for (int j = 0; j < n; j++) {
        // two thirds of the documents are labelled at all
        labels.put("d" + random.nextInt(DOCS * 2 / 3), random.nextBoolean() ? 1f : 2f);
      }
      rows.add(new Row(prefix + i, unitVector(random), labels));
    }
    return rows;
  }

  private void createIndices() throws IOException {
    // the replicas learn the global checkpoint by a periodic sync (30 s by default), and
    // assertSeqNos waits 30 s for it after a node stops: sync every second instead
    Settings sync = Settings.builder().put("index.global_checkpoint_sync.interval", "1s").build();
    assertAcked(
        prepareCreate(MEMORY)
            .setSettings(
                Settings.builder()
                    .put("index.number_of_shards", 2)
                    .put("index.auto_expand_replicas", "0-all")
                    .put("index.codec", "pefa")
                    .put(sync))
            .setMapping(PefaFixtures.mapping(FIELD, "pefa_memory", DIM)));
    assertAcked(
        prepareCreate(MAIN)
            .setSettings(PefaFixtures.pefaIndex(3, 1).put(sync))
            .setMapping(
                "{\"properties\": {\""
                    + FIELD
                    + "\": {\"type\": \"pefa_vector\", \"dimension\": "
                    + DIM
                    + ", \"xs_lambda\": "
                    + XS_LAMBDA
                    + "}, \"category\": {\"type\": \"keyword\"}}}"));
    ensureGreen(MEMORY, MAIN);
  }

  private void indexDocs(List<Doc> docs) throws IOException {
    BulkRequestBuilder bulk = client().prepareBulk();
    for (Doc d : docs) {
      XContentBuilder src =
          JsonXContent.contentBuilder()
              .startObject()
              .array(FIELD, d.vector())
              .field("category", d.category())
              .endObject();
      bulk.add(client().prepareIndex(MAIN).setId(d.id()).setSource(src));
    }
    assertNoBulkFailures(bulk.get());
  }

  private void indexRows(List<Row> rows) throws IOException {
    BulkRequestBuilder bulk = client().prepareBulk();
    PefaFixtures.addRows(client(), bulk, MEMORY, FIELD, rows);
    assertNoBulkFailures(bulk.get());
    refresh(MEMORY);
  }

  private static void assertNoBulkFailures(BulkResponse response) {
    assertFalse(response.buildFailureMessage(), response.hasFailures());
  }

  private XsRefreshResponse xsRefresh(List<String> ids) {
    return client()
        .execute(XsRefreshAction.INSTANCE, new XsRefreshRequest(MAIN, FIELD, MEMORY, null, ids, true))
        .actionGet();
  }

  /** One random PEFA query, run by the oracle and by the cluster. */
  private record Case(
      boolean xl,
      float[] q,
      float lambda,
      int k,
      int topK,
      boolean mean,
      boolean softmax,
      Float temperature,
      boolean topKOnly,
      String category) {
    PefaQueryBuilder builder() {
      return builder(10);
    }

    PefaQueryBuilder builder(int numCandidates) {
      PefaQueryBuilder b = new PefaQueryBuilder(FIELD, xl, q).numCandidates(numCandidates).exact(true);
      if (xl) {
        b.memoryIndex(MEMORY).lambda(lambda).k(k).topK(topK).knnMean(mean).ermTopKOnly(topKOnly);
        b.softmax(softmax);
        if (temperature != null) {
          b.temperature(temperature);
        }
      } else if (lambda != XS_LAMBDA) {
        b.lambda(lambda);
      }
      if (category != null) {
        b.filter(QueryBuilders.termQuery("category", category));
      }
      return b;
    }

    List<Hit> oracle(SingleIndexOracle o) throws IOException {
      return oracle(o, 10);
    }

    List<Hit> oracle(SingleIndexOracle o, int n) throws IOException {
      return xl
          ? o.xl(q, lambda, k, topK, mean, softmax, temperature, topKOnly, category, n)
          : o.xs(q, lambda, n);
    }
  }

  private static List<Case> cases(Random random, int count) {
    float[] lambdas = {0.1f, 0.3f, 0.5f, 0.7f, 0.9f};
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean xl = i % 2 == 0;
      float lambda = xl ? lambdas[random.nextInt(lambdas.length)] : (i % 4 == 1 ? XS_LAMBDA : lambdas[random.nextInt(lambdas.length)]);
      int k = new int[] {4, 8, 16}[random.nextInt(3)];
      int topK = new int[] {10, 30, 100}[random.nextInt(3)];
      String category = xl && random.nextInt(5) == 0 ? "c" + random.nextInt(3) : null;
      // erm_score top_k at any K: the shards get the global K-th ERM score (GlobalStatsAction)
      boolean topKOnly = xl && random.nextInt(8) == 0;
      boolean softmax = xl && random.nextInt(4) == 0;
      Float temperature = softmax && random.nextBoolean() ? new float[] {0.02f, 0.2f, 1f}[random.nextInt(3)] : null;
      cases.add(
          new Case(
              xl,
              unitVector(random),
              lambda,
              k,
              topK,
              random.nextBoolean(),
              softmax,
              temperature,
              topKOnly,
              category));
    }
    return cases;
  }

  private static List<Hit> hits(SearchResponse response) {
    assertEquals(0, response.getFailedShards());
    assertEquals(response.getTotalShards(), response.getSuccessfulShards());
    List<Hit> hits = new ArrayList<>();
    for (SearchHit h : response.getHits().getHits()) {
      hits.add(new Hit(h.getId(), h.getScore()));
    }
    return hits;
  }

  /**
   * The sharded hits equal one index's, ids and float scores, but for near-ties (architecture.md):
   * where one index put a hit one float step below a higher raw score that rounded to the same
   * value, and the two sit on different shards, the cluster shows both with the rounded score, in
   * either order, and which of them fills the last place may differ.
   */
  static void assertSameHits(String message, List<Hit> expected, List<Hit> actual) {
    if (expected.equals(actual)) {
      return;
    }
    String detail = message + " expected:<" + expected + "> but was:<" + actual + ">";
    assertEquals(detail, expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      float e = expected.get(i).score();
      assertTrue(detail, Math.abs(e - actual.get(i).score()) <= Math.ulp(e));
      if (expected.get(i).id().equals(actual.get(i).id())) {
        continue;
      }
      // another hit may take this place only from this hit's near-tie group, or, when the group
      // reaches an end of the page (a page of a later "from" starts in a group too), a hit of the
      // same score that the page cut off
      boolean inGroup = false;
      boolean groupReachesAnEnd = false;
      for (int j = 0; j < expected.size(); j++) {
        if (Math.abs(expected.get(j).score() - e) <= Math.ulp(e)) {
          inGroup |= expected.get(j).id().equals(actual.get(i).id());
          groupReachesAnEnd |= j == 0 || j == expected.size() - 1;
        }
      }
      assertTrue(detail, inGroup || groupReachesAnEnd);
    }
    assertEquals(detail, actual.size(), actual.stream().map(Hit::id).distinct().count());
  }

  private void assertSameAsOracle(String when, List<Case> cases, SingleIndexOracle oracle)
      throws IOException {
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      List<Hit> expected = c.oracle(oracle);
      List<Hit> actual = hits(client().prepareSearch(MAIN).setQuery(c.builder()).setSize(10).get());
      assertSameHits(when + ", query " + i + " " + c, expected, actual);
    }
  }

  public void testShardedEqualsSingleIndex() throws Exception {
    Random random = new Random(random().nextLong());
    List<Doc> docs = docs(random);
    List<Row> rows = rows(random, "q", ROWS);
    createIndices();
    indexRows(rows);
    indexDocs(docs);
    refresh(MAIN);

    // the memory's label terms: the rows labelling one document
    for (String key : List.of("d1", "d7", "d42")) {
      long labelling = rows.stream().filter(r -> r.labels().containsKey(key)).count();
      assertEquals(
          key,
          labelling,
          client().prepareSearch(MEMORY).setQuery(QueryBuilders.termQuery(FIELD, key)).setTrackTotalHits(true).get().getHits().getTotalHits().value());
    }

    // XS before its refresh: every u_d is zero, as the documents were indexed
    XsRefreshResponse first = xsRefresh(null);
    assertEquals(DOCS, first.documents);
    long labelled = docs.stream().filter(d -> rows.stream().anyMatch(r -> r.labels().containsKey(d.id()))).count();
    assertEquals(labelled, first.updated);
    assertEquals(0, xsRefresh(null).updated); // nothing changed since: nothing rewritten

    List<Case> cases = cases(random, QUERIES);
    try (SingleIndexOracle oracle = new SingleIndexOracle(DIM, XS_LAMBDA, rows, docs)) {
      assertSameAsOracle("three data nodes", cases, oracle);
      assertHttpSameAsOracle(cases.subList(0, 6), oracle);
      assertExplainShowsParts(cases.get(0));
      assertInsideBool(cases.subList(0, 12), oracle);

      internalCluster().stopRandomDataNode();
      ensureStableCluster(2);
      ensureGreen(MAIN, MEMORY);
      // a promoted primary re-sends the operations above the global checkpoint to its replicas,
      // which see them after their next refresh, like any write (architecture.md): wait until
      // every copy holds every operation, then refresh
      internalCluster().assertSeqNos();
      refresh(MAIN, MEMORY);
      assertSameAsOracle("after a data node stopped", cases.subList(0, 30), oracle);

      assertAcked(client().admin().indices().prepareClose(MAIN).get());
      assertAcked(client().admin().indices().prepareOpen(MAIN).get());
      ensureGreen(MAIN);
      assertSegmentsUseThePefaCodec();
      assertSameAsOracle("after close and reopen", cases.subList(0, 30), oracle);

      assertBadRequestsChangeNothing(cases.get(0));
    }

    // live memory: new pairs (labelling unlabelled documents too) and one row deleted
    List<Row> more = rows(random, "new", 40);
    for (int i = 0; i < more.size(); i += 4) {
      Row r = more.get(i);
      Map<String, Float> labels = new LinkedHashMap<>(r.labels());
      labels.put("d" + (DOCS - 1 - i), 1f); // a document no earlier row labels
      more.set(i, new Row(r.id(), r.vector(), labels));
    }
    indexRows(more);
    client().prepareDelete(MEMORY, rows.get(0).id()).get();
    refresh(MEMORY);
    List<Row> all = new ArrayList<>(rows.subList(1, rows.size()));
    all.addAll(more);
    List<Case> xl = cases.stream().filter(Case::xl).toList();
    List<Case> xs = cases.stream().filter(c -> c.xl() == false).toList();
    try (SingleIndexOracle before = new SingleIndexOracle(DIM, XS_LAMBDA, rows, docs);
        SingleIndexOracle after = new SingleIndexOracle(DIM, XS_LAMBDA, all, docs)) {
      assertSameAsOracle("XL at once after the memory changed", xl, after);
      assertSameAsOracle("XS before xs_refresh", xs.subList(0, 20), before);
      // refresh only the documents whose labels changed: those the new rows and the deleted row name
      java.util.Set<String> touched = new java.util.TreeSet<>(rows.get(0).labels().keySet());
      more.forEach(r -> touched.addAll(r.labels().keySet()));
      XsRefreshResponse refreshed = xsRefresh(List.copyOf(touched));
      assertEquals(touched.size(), refreshed.documents);
      assertTrue("some u_d changed: " + refreshed.updated, refreshed.updated > 0);
      assertSameAsOracle("XS after xs_refresh of the touched documents", xs, after);
      assertEquals("nothing left to refresh", 0, xsRefresh(null).updated);
    }
  }

  /** As a bool clause: must pefa, must_not the best hit: the next ten of one index. */
  private void assertInsideBool(List<Case> cases, SingleIndexOracle oracle) throws IOException {
    for (Case c : cases) {
      List<Hit> expected = new ArrayList<>(c.oracle(oracle, 11));
      String best = expected.remove(0).id();
      List<Hit> actual =
          hits(
              client()
                  .prepareSearch(MAIN)
                  .setQuery(
                      QueryBuilders.boolQuery()
                          .must(c.builder(11))
                          .mustNot(QueryBuilders.idsQuery().addIds(best)))
                  .setSize(10)
                  .get());
      assertSameHits("inside bool: " + c, expected, actual);
    }
  }

  private void assertExplainShowsParts(Case c) {
    SearchResponse response =
        client().prepareSearch(MAIN).setQuery(c.builder()).setSize(3).setExplain(true).get();
    String explanation = response.getHits().getAt(0).getExplanation().toString();
    assertTrue(explanation, explanation.contains("ERM part"));
    assertTrue(explanation, explanation.contains("kNN part"));
    assertTrue(explanation, explanation.contains("neighbour"));
  }

  private void assertSegmentsUseThePefaCodec() throws IOException {
    int segments = 0;
    for (IndicesService indices : internalCluster().getDataNodeInstances(IndicesService.class)) {
      for (IndexService index : indices) {
        if (index.index().getName().equals(MAIN) == false) {
          continue;
        }
        for (IndexShard shard : index) {
          try (Engine.Searcher searcher = shard.acquireSearcher("test")) {
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
              SegmentReader segment = (SegmentReader) FilterLeafReader.unwrap(leaf.reader());
              assertEquals(PefaCodec.NAME, segment.getSegmentInfo().info.getCodec().getName());
              assertNotNull(segment.getFloatVectorValues(FIELD + ".erm"));
              assertEquals(
                  "Pefa01VectorsFormat",
                  segment.getFieldInfos().fieldInfo(FIELD + ".erm").getAttribute("PerFieldKnnVectorsFormat.format"));
              segments++;
            }
          }
        }
      }
    }
    assertTrue("segments checked: " + segments, segments > 0);
  }

  private static String queryJson(Case c) {
    return "{\"size\": 10, \"query\": " + c.builder().toString() + "}";
  }

  private void assertHttpSameAsOracle(List<Case> cases, SingleIndexOracle oracle) throws IOException {
    for (Case c : cases) {
      Request request = new Request("POST", "/" + MAIN + "/_search");
      request.setJsonEntity(queryJson(c));
      Response response = getRestClient().performRequest(request);
      assertEquals(200, response.getStatusLine().getStatusCode());
      Map<String, Object> body = body(response.getEntity().getContent());
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> hits =
          (List<Map<String, Object>>) ((Map<String, Object>) body.get("hits")).get("hits");
      List<Hit> actual = new ArrayList<>();
      for (Map<String, Object> h : hits) {
        actual.add(new Hit((String) h.get("_id"), ((Number) h.get("_score")).floatValue()));
      }
      assertSameHits("over HTTP: " + c, c.oracle(oracle), actual);
    }
  }

  private static Map<String, Object> body(InputStream in) throws IOException {
    return XContentHelper.convertToMap(JsonXContent.jsonXContent, in, false);
  }

  private long count(String index) {
    return client().prepareSearch(index).setSize(0).setTrackTotalHits(true).get().getHits().getTotalHits().value();
  }

  private void assertBadRequest(String method, String path, String json, String expected) throws IOException {
    Request request = new Request(method, path);
    request.setJsonEntity(json);
    ResponseException e = expectThrows(ResponseException.class, () -> getRestClient().performRequest(request));
    assertEquals(json, 400, e.getResponse().getStatusLine().getStatusCode());
    String body = new String(e.getResponse().getEntity().getContent().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue("expected [" + expected + "] in " + body, body.contains(expected));
  }

  private void assertBadRequestsChangeNothing(Case c) throws IOException {
    long docs = count(MAIN), rows = count(MEMORY);
    String q = java.util.Arrays.toString(c.q());
    String unit8 = java.util.Arrays.toString(PefaVectors.normalize(new float[] {1, 1, 1, 1, 1, 1, 1, 1}));
    String search = "/" + MAIN + "/_search";
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"nope\", \"mode\": \"xs\", \"vector\": " + q + "}}}", "[nope] is not mapped");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xs\", \"vector\": " + unit8 + "}}}", "has dimension 8");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xl\", \"memory_index\": \"" + MEMORY + "\", \"vector\": " + unit8 + "}}}", "has dimension 8");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xl\", \"memory_index\": \"" + MEMORY + "\", \"lambda\": 1.5, \"vector\": " + q + "}}}", "[lambda] must be in [0,1]");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xl\", \"memory_index\": \"no-such-memory\", \"vector\": " + q + "}}}", "memory_index [no-such-memory] does not exist");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xl\", \"vector\": " + q + "}}}", "requires [memory_index]");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xl\", \"memory_index\": \"" + MEMORY + "\", \"k\": 0, \"vector\": " + q + "}}}", "[k] must be in [1, 10000]");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xs\", \"text\": \"gene therapy\"}}}", "needs a text encoder");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xl\", \"memory_index\": \"" + MEMORY + "\", \"knn_weight\": \"softmax\", \"temperature\": 0, \"vector\": " + q + "}}}", "[temperature]");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xl\", \"memory_index\": \"" + MEMORY + "\", \"knn_weight\": \"loud\", \"vector\": " + q + "}}}", "[knn_weight] must be [similarity] or [softmax]");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xx\", \"vector\": " + q + "}}}", "[mode] must be [xs] or [xl]");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xs\", \"vector\": " + q + ", \"lexical\": {\"query\": {\"match_all\": {}}, \"weight\": 1.5}}}}", "[pefa] [lexical] [weight] must be in [0,1]");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xs\", \"vector\": " + q + ", \"lexical\": {\"weight\": 0.1}}}}", "[pefa] [lexical] requires [query]");
    assertBadRequest("POST", search, "{\"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xs\", \"vector\": [0.5, ", "");
    assertBadRequest("PUT", "/" + MAIN + "/_doc/bad", "{\"" + FIELD + "\": " + unit8 + "}", "has dimension 8, expected 16");
    assertBadRequest("PUT", "/" + MAIN + "/_doc/bad", "{\"" + FIELD + "\": [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}", "must be L2-normalised");
    assertBadRequest("PUT", "/" + MEMORY + "/_doc/bad", "{\"" + FIELD + "\": {\"vector\": " + q + ", \"labels\": {\"d1\": -1}}}", "finite weight > 0");
    assertBadRequest("PUT", "/" + MEMORY + "/_doc/bad", "{\"" + FIELD + "\": {\"vector\": " + q + "}}", "[labels] is missing");
    assertBadRequest("POST", "/" + MAIN + "/_pefa/xs_refresh", "{\"field\": \"" + FIELD + "\"}", "[memory_index] is required");
    assertBadRequest("POST", "/" + MAIN + "/_pefa/xs_refresh", "{\"field\": \"" + FIELD + "\", \"memory\": \"x\"}", "does not support [memory]");
    assertBadRequest("POST", "/" + MAIN + "/_pefa/xs_refresh", "{\"field\": \"" + FIELD + "\", \"memory_index\": \"" + MAIN + "\"}", "expected a [pefa_memory] field");
    assertBadRequest("PUT", "/" + MEMORY + "/_doc/bad", "{\"" + FIELD + "\": {\"vector\": " + q + ", \"labels\": {}}}", "memory row [bad]: [labels] is empty");
    // an index with a PEFA field and another codec is refused at creation, naming the setting
    assertBadRequest("PUT", "/nocodec", "{\"mappings\": {\"properties\": {\"" + FIELD + "\": {\"type\": \"pefa_vector\", \"dimension\": " + DIM + "}}}}", "\\\"index.codec\\\": \\\"pefa\\\"");
    assertBadRequest("PUT", "/_index_template/nocodec", "{\"index_patterns\": [\"nocodec-*\"], \"template\": {\"mappings\": {\"properties\": {\"" + FIELD + "\": {\"type\": \"pefa_memory\", \"dimension\": " + DIM + "}}}}}", "\\\"index.codec\\\": \\\"pefa\\\"");
    refresh(MAIN, MEMORY);
    assertEquals(docs, count(MAIN));
    assertEquals(rows, count(MEMORY));
    assertFalse(indexExists("nocodec"));
  }
}
