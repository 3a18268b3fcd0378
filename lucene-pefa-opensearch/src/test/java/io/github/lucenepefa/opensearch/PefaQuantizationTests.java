package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.codec.Pefa01VectorsFormat;
import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Doc;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Hit;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Row;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReader;
import org.opensearch.ExceptionsHelper;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.action.support.WriteRequest;
import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.IndexService;
import org.opensearch.index.engine.Engine;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.shard.IndexShard;
import org.opensearch.indices.IndicesService;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.OpenSearchSingleNodeTestCase;

/**
 * Quantized PEFA fields ({@code compression_level}, {@code mode}) and the query's {@code
 * rescore.oversample_factor}: a quantized index on 1 and 3 shards answers exhaustive searches as
 * the core library does on the same data with the same quantization, its segments record the
 * quantization and hold the quantized vectors, the live memory works on a quantized memory index,
 * and unknown values are refused with 400 naming the parameter. Also the PEFA-XS graph's own
 * {@code xs_m}.
 */
public class PefaQuantizationTests extends OpenSearchSingleNodeTestCase {

  static final int DIM = 16;
  static final int DOCS = 200;
  static final int ROWS = 150;
  static final float XS_LAMBDA = 0.5f;
  static final String FIELD = "emb";

  @Override
  protected Collection<Class<? extends Plugin>> getPlugins() {
    return List.of(PefaPlugin.class);
  }

  private static List<Doc> docs(Random random) {
    List<Doc> docs = new ArrayList<>();
    for (int i = 0; i < DOCS; i++) {
      docs.add(new Doc("d" + i, PefaShardedTests.unitVector(random), "c" + (i % 3)));
    }
    return docs;
  }

  private static List<Row> rows(Random random, String prefix, int count) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Map<String, Float> labels = new LinkedHashMap<>();
      int n = 1 + random.nextInt(3);
      for (int j = 0; j < n; j++) {
        labels.put("d" + random.nextInt(DOCS), random.nextBoolean() ? 1f : 2f);
      }
      rows.add(new Row(prefix + i, PefaShardedTests.unitVector(random), labels));
    }
    return rows;
  }

  /** The mapping parameters of one field: {@code "compression_level": ...} and/or {@code "mode"}. */
  private static String mapping(String type, String parameters) {
    return "{\"properties\": {\""
        + FIELD
        + "\": {\"type\": \""
        + type
        + "\", \"dimension\": "
        + DIM
        + (type.equals("pefa_vector") ? ", \"xs_lambda\": " + XS_LAMBDA : "")
        + parameters
        + "}}}";
  }

  private void create(String index, int shards, String mapping) {
    client()
        .admin()
        .indices()
        .prepareCreate(index)
        .setSettings(
            Settings.builder()
                .put("index.codec", "pefa")
                .put("index.number_of_shards", shards)
                .put("index.number_of_replicas", 0))
        .setMapping(mapping)
        .get();
  }

  private void indexDocs(String index, List<Doc> docs) throws IOException {
    BulkRequestBuilder bulk = client().prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
    for (Doc d : docs) {
      XContentBuilder src =
          JsonXContent.contentBuilder().startObject().array(FIELD, d.vector()).field("category", d.category()).endObject();
      bulk.add(client().prepareIndex(index).setId(d.id()).setSource(src));
    }
    assertFalse(bulk.get().hasFailures());
  }

  private void indexRows(String index, List<Row> rows) throws IOException {
    BulkRequestBuilder bulk = client().prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
    PefaFixtures.addRows(client(), bulk, index, FIELD, rows);
    assertFalse(bulk.get().hasFailures());
  }

  private XsRefreshResponse xsRefresh(String main, String memory) {
    return client()
        .execute(XsRefreshAction.INSTANCE, new XsRefreshRequest(main, FIELD, memory, null, null, true))
        .actionGet();
  }

  private List<Hit> search(String index, PefaQueryBuilder query) {
    SearchResponse response = client().prepareSearch(index).setQuery(query).setSize(10).get();
    assertEquals(0, response.getFailedShards());
    List<Hit> hits = new ArrayList<>();
    for (SearchHit h : response.getHits().getHits()) {
      hits.add(new Hit(h.getId(), h.getScore()));
    }
    return hits;
  }

  /** Exhaustive XL and XS queries: the same hits and scores as the core library's index. */
  private void assertSameAsCore(
      String when, String main, String memory, SingleIndexOracle oracle, Random random, int queries)
      throws IOException {
    for (int i = 0; i < queries; i++) {
      float[] q = PefaShardedTests.unitVector(random);
      float lambda = new float[] {0.1f, 0.3f, 0.5f, 0.9f}[random.nextInt(4)];
      int k = new int[] {4, 8, 16}[random.nextInt(3)];
      PefaQueryBuilder xl =
          new PefaQueryBuilder(FIELD, true, q).memoryIndex(memory).lambda(lambda).k(k).topK(100).numCandidates(10).exact(true);
      if (random.nextBoolean()) {
        xl.oversample(1 + random.nextInt(4)); // no effect on an exhaustive search
      }
      PefaShardedTests.assertSameHits(
          when + " XL query " + i,
          oracle.xl(q, lambda, k, 100, false, false, null, false, null, 10),
          search(main, xl));
      PefaQueryBuilder xs = new PefaQueryBuilder(FIELD, false, q).lambda(lambda).numCandidates(10).exact(true);
      PefaShardedTests.assertSameHits(when + " XS query " + i, oracle.xs(q, lambda, 10), search(main, xs));
    }
  }

  /** Every segment of the index records the quantization of each PEFA vector field and holds its quantized vectors. */
  private void assertSegmentsRecord(String index, List<String> luceneFields, PefaQuantization expected) throws IOException {
    IndicesService indices = getInstanceFromNode(IndicesService.class);
    IndexService service = indices.indexServiceSafe(resolveIndex(index));
    int checked = 0;
    for (IndexShard shard : service) {
      try (Engine.Searcher searcher = shard.acquireSearcher("test")) {
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
          SegmentReader segment = (SegmentReader) FilterLeafReader.unwrap(leaf.reader());
          for (String field : luceneFields) {
            FieldInfo info = segment.getFieldInfos().fieldInfo(field);
            if (info == null) { // a segment of delete tombstones only
              assertEquals(index + " " + field, 0, segment.numDocs());
              continue;
            }
            assertEquals(index + " " + field, expected, Pefa01VectorsFormat.quantizationOf(info));
            // the codec wrote Lucene's quantized vector file for it, and only then
            Map<String, Long> offHeap = segment.getVectorReader().getOffHeapByteSize(info);
            Long quantizedBytes = offHeap.get("veq");
            if (expected == PefaQuantization.NONE) {
              assertNull(index + " " + field + " " + offHeap, quantizedBytes);
            } else {
              assertNotNull(index + " " + field + " " + offHeap, quantizedBytes);
              assertTrue(index + " " + field + " " + offHeap, quantizedBytes > 0);
            }
            checked++;
          }
        }
      }
    }
    assertTrue("segments checked: " + checked, checked > 0);
  }

  private static PefaSchema coreSchema(PefaQuantization quantization) {
    return PefaSchema.builder(DIM).xsLambda(XS_LAMBDA).quantization(quantization).build();
  }

  private static PefaSchema pluginSchema() {
    return PefaSchema.builder(DIM).fieldPrefix(FIELD + ".").build();
  }

  public void testQuantizedIndexesAnswerAsTheCoreLibrary() throws Exception {
    Random random = new Random(random().nextLong());
    List<Doc> docs = docs(random);
    List<Row> rows = rows(random, "q", ROWS);
    String[][] configs = {
      // mapping parameters, quantization, shards of the main index
      {", \"compression_level\": \"4x\"", "int8", "1"},
      {", \"compression_level\": \"4x\"", "int8", "3"},
      {", \"compression_level\": \"32x\"", "binary", "1"},
      {", \"compression_level\": \"32x\"", "binary", "3"},
      {", \"compression_level\": \"8x\"", "int4", "3"},
      {", \"mode\": \"on_disk\"", "binary", "2"}, // k-NN's default compression of on_disk
      {", \"mode\": \"on_disk\", \"compression_level\": \"1x\"", "none", "2"},
    };
    for (String[] config : configs) {
      PefaQuantization quantization = PefaQuantization.parse(config[1]);
      int shards = Integer.parseInt(config[2]);
      String main = "docs-" + config[1] + "-" + shards + "-" + config[0].length();
      String memory = "memory-" + config[1] + "-" + shards + "-" + config[0].length();
      create(memory, Math.max(1, shards - 1), mapping("pefa_memory", config[0]));
      create(main, shards, mapping("pefa_vector", config[0]));
      indexRows(memory, rows);
      indexDocs(main, docs);
      xsRefresh(main, memory);
      client().admin().indices().prepareRefresh(main, memory).get();
      PefaSchema names = pluginSchema();
      assertSegmentsRecord(main, List.of(names.ermField(), names.xsVectorField()), quantization);
      assertSegmentsRecord(memory, List.of(names.memoryField()), quantization);
      try (SingleIndexOracle oracle = new SingleIndexOracle(coreSchema(quantization), rows, docs)) {
        assertSameAsCore(config[0] + " on " + shards + " shards", main, memory, oracle, random, 12);
        assertApproximateWithRescoring(main, memory, oracle, random);
      }
      client().admin().indices().prepareDelete(main, memory).get();
    }
  }

  /**
   * Approximate searches of the quantized graphs with an oversample factor: the hits carry the
   * exact float scores of the core (every candidate is rescored), and the top 10 keeps at least 90%
   * of the exhaustive top 10 on these small indexes.
   */
  private void assertApproximateWithRescoring(String main, String memory, SingleIndexOracle oracle, Random random)
      throws IOException {
    int found = 0, wanted = 0;
    for (int i = 0; i < 10; i++) {
      float[] q = PefaShardedTests.unitVector(random);
      List<Hit> exact = oracle.xs(q, XS_LAMBDA, DOCS);
      Map<String, Float> exactScore = new LinkedHashMap<>();
      exact.forEach(h -> exactScore.put(h.id(), h.score()));
      PefaQueryBuilder xs = new PefaQueryBuilder(FIELD, false, q).numCandidates(10).oversample(3f);
      List<Hit> hits = search(main, xs);
      assertEquals(10, hits.size());
      Set<String> top = new HashSet<>();
      exact.subList(0, 10).forEach(h -> top.add(h.id()));
      for (Hit h : hits) {
        assertEquals(h.id(), exactScore.get(h.id()), h.score(), Math.ulp(h.score()));
        found += top.contains(h.id()) ? 1 : 0;
      }
      wanted += 10;
      PefaQueryBuilder xl = new PefaQueryBuilder(FIELD, true, q).memoryIndex(memory).numCandidates(10).oversample(2f);
      assertEquals(10, search(main, xl).size());
    }
    assertTrue("recall " + found + " / " + wanted, found >= 0.9 * wanted);
  }

  public void testLiveMemoryOnAQuantizedMemoryIndex() throws Exception {
    Random random = new Random(random().nextLong());
    List<Doc> docs = docs(random);
    List<Row> rows = rows(random, "q", ROWS);
    create("memory", 2, mapping("pefa_memory", ", \"compression_level\": \"32x\""));
    create("docs", 3, mapping("pefa_vector", ", \"compression_level\": \"4x\""));
    indexRows("memory", rows);
    indexDocs("docs", docs);
    xsRefresh("docs", "memory");
    // add 30 rows, replace one, delete one: XL sees the change after the memory's refresh, XS after xs_refresh
    List<Row> more = rows(random, "new", 30);
    indexRows("memory", more);
    Row replaced = new Row(rows.get(1).id(), PefaShardedTests.unitVector(random), Map.of("d3", 1f));
    indexRows("memory", List.of(replaced));
    client().prepareDelete("memory", rows.get(0).id()).setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE).get();
    List<Row> all = new ArrayList<>(rows.subList(2, rows.size()));
    all.add(replaced);
    all.addAll(more);
    XsRefreshResponse refreshed = xsRefresh("docs", "memory");
    assertTrue("u_d changed: " + refreshed.updated, refreshed.updated > 0);
    client().admin().indices().prepareRefresh("docs", "memory").get();
    PefaSchema names = pluginSchema();
    assertSegmentsRecord("memory", List.of(names.memoryField()), PefaQuantization.BINARY);
    assertSegmentsRecord("docs", List.of(names.ermField(), names.xsVectorField()), PefaQuantization.INT8);
    PefaSchema schema =
        PefaSchema.builder(DIM)
            .xsLambda(XS_LAMBDA)
            .ermQuantization(PefaQuantization.INT8)
            .xsQuantization(PefaQuantization.INT8)
            .memoryQuantization(PefaQuantization.BINARY)
            .build();
    try (SingleIndexOracle oracle = new SingleIndexOracle(schema, all, docs)) {
      assertSameAsCore("after memory add/replace/delete", "docs", "memory", oracle, random, 15);
    }
  }

  private static void assertBadRequest(Exception e, String expected) {
    assertEquals(e.toString(), RestStatus.BAD_REQUEST, ExceptionsHelper.status(e));
    String message = "";
    for (Throwable t = e; t != null; t = t.getCause()) {
      message += " " + t.getMessage();
    }
    assertTrue("expected [" + expected + "] in " + message, message.contains(expected));
  }

  public void testUnknownValuesAreRefusedNamingTheParameter() throws Exception {
    String[][] mappings = {
      {", \"compression_level\": \"2x\"", "[compression_level] [2x] is not supported"},
      {", \"compression_level\": \"16x\"", "[compression_level] [16x] is not supported"},
      {", \"compression_level\": \"3x\"", "[compression_level] must be one of [1x, 4x, 8x, 32x], got [3x]"},
      {", \"compression_level\": \"int8\"", "[compression_level] must be one of"},
      {", \"mode\": \"fast\"", "[mode] must be [in_memory] or [on_disk], got [fast]"},
    };
    for (String type : new String[] {"pefa_vector", "pefa_memory"}) {
      for (String[] bad : mappings) {
        Exception e = expectThrows(Exception.class, () -> create("bad", 1, mapping(type, bad[0])));
        assertBadRequest(e, bad[1]);
        assertFalse(client().admin().indices().prepareExists("bad").get().isExists());
      }
    }
    // the quantization cannot change once the field exists
    create("fixed", 1, mapping("pefa_vector", ", \"compression_level\": \"4x\""));
    Exception e =
        expectThrows(
            Exception.class,
            () ->
                client()
                    .admin()
                    .indices()
                    .preparePutMapping("fixed")
                    .setSource(mapping("pefa_vector", ", \"compression_level\": \"32x\""), XContentType.JSON)
                    .get());
    assertBadRequest(e, "compression_level");

    String q = java.util.Arrays.toString(PefaShardedTests.unitVector(new Random(1)));
    String[][] queries = {
      {"\"rescore\": {\"oversample_factor\": 0.5}", "[rescore] [oversample_factor] must be >= 1 and finite, got 0.5"},
      {"\"rescore\": {\"oversample_factor\": \"many\"}", "[rescore] [oversample_factor] must be a number, got [many]"},
      {"\"rescore\": {\"oversample\": 2}", "[rescore] does not support [oversample], only [oversample_factor]"},
      {"\"rescore\": false", "[rescore] must be an object {\"oversample_factor\": F}"},
    };
    for (String[] bad : queries) {
      String json = "{\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xs\", \"vector\": " + q + ", " + bad[0] + "}}";
      Exception pe = expectThrows(Exception.class, () -> parse(json));
      assertBadRequest(pe, bad[1]);
    }
  }

  /**
   * {@code xs_m} sets the PEFA-XS graph's maxConn alone (default {@link
   * PefaSchema#DEFAULT_XS_MAX_CONN}), {@code m} the ERM graph's; the segments record both, and a
   * value out of Lucene's range is refused with 400 naming it.
   */
  public void testTheXsGraphHasItsOwnMaxConn() throws Exception {
    PefaSchema names = PefaSchema.builder(DIM).fieldPrefix(FIELD + ".").build();
    String[][] cases = {{"", "16", "32"}, {", \"m\": 8, \"xs_m\": 24", "8", "24"}};
    for (int i = 0; i < cases.length; i++) {
      create("graphs-" + i, 1, mapping("pefa_vector", cases[i][0]));
      indexDocs("graphs-" + i, docs(new Random(i)).subList(0, 5));
      int checked = 0;
      for (IndexShard shard : shards("graphs-" + i)) {
        try (Engine.Searcher searcher = shard.acquireSearcher("test")) {
          for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            SegmentReader segment = (SegmentReader) FilterLeafReader.unwrap(leaf.reader());
            FieldInfo erm = segment.getFieldInfos().fieldInfo(names.ermField());
            FieldInfo xs = segment.getFieldInfos().fieldInfo(names.xsVectorField());
            assertEquals(cases[i][1], erm.getAttribute(Pefa01VectorsFormat.MAX_CONN_ATTRIBUTE));
            assertEquals(cases[i][2], xs.getAttribute(Pefa01VectorsFormat.MAX_CONN_ATTRIBUTE));
            checked++;
          }
        }
      }
      assertTrue(checked > 0);
    }
    for (String bad : new String[] {"0", "513"}) {
      Exception e = expectThrows(Exception.class, () -> create("bad-xs-m", 1, mapping("pefa_vector", ", \"xs_m\": " + bad)));
      assertBadRequest(e, "[xs_m] must be in [1, 512], got " + bad);
      assertFalse(client().admin().indices().prepareExists("bad-xs-m").get().isExists());
    }
  }

  /**
   * OpenSearch rebuilds the existing field mappers with empty settings when it merges a mapping
   * update: a new field beside a PEFA field (put mapping, or a dynamic field of a document) is
   * accepted, and the PEFA field keeps its quantization.
   */
  public void testAMappingUpdateBesideAPefaFieldIsAccepted() throws Exception {
    create("grow", 2, mapping("pefa_vector", ", \"compression_level\": \"32x\""));
    ensureGreen("grow");
    List<IndexShard> shards = shards("grow");
    client()
        .admin()
        .indices()
        .preparePutMapping("grow")
        .setSource("{\"properties\": {\"title\": {\"type\": \"text\"}}}", XContentType.JSON)
        .get();
    client()
        .prepareIndex("grow")
        .setId("a")
        .setSource("{\"" + FIELD + "\": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], \"new_field\": 7}", XContentType.JSON)
        .setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE)
        .get();
    Map<String, Object> properties =
        client().admin().indices().prepareGetMappings("grow").get().mappings().get("grow").getSourceAsMap();
    assertTrue(properties.toString(), properties.toString().contains("new_field"));
    assertTrue(properties.toString(), properties.toString().contains("compression_level=32x"));
    assertSegmentsRecord("grow", List.of(pluginSchema().ermField()), PefaQuantization.BINARY);
    // no shard failed on applying the updates (a failed shard is closed and a new one recovered)
    List<IndexShard> after = shards("grow");
    for (int i = 0; i < shards.size(); i++) {
      assertSame("shard " + i, shards.get(i), after.get(i));
    }
  }

  private List<IndexShard> shards(String index) {
    IndexService service = getInstanceFromNode(IndicesService.class).indexServiceSafe(resolveIndex(index));
    List<IndexShard> shards = new ArrayList<>();
    for (int i = 0; i < service.getMetadata().getNumberOfShards(); i++) {
      shards.add(service.getShard(i));
    }
    return shards;
  }

  /** The README's quantized mapping (a {@code json} block of its OpenSearch section) works as it says. */
  public void testTheReadmeMappingQuantizes() throws Exception {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("```json\\n(.*?)\\n```", java.util.regex.Pattern.DOTALL)
            .matcher(ReadmeExampleTests.readmeSection());
    int checked = 0;
    while (m.find()) {
      String mapping = m.group(1);
      create("readme-" + checked, 1, mapping);
      client()
          .prepareIndex("readme-" + checked)
          .setId("a")
          .setSource("{\"embedding\": [0.6, 0.8, 0, 0]}", XContentType.JSON)
          .setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE)
          .get();
      PefaSchema names = PefaSchema.builder(4).fieldPrefix("embedding.").build();
      assertSegmentsRecord("readme-" + checked, List.of(names.ermField(), names.xsVectorField()), PefaQuantization.INT8);
      checked++;
    }
    assertEquals(1, checked);
  }

  private AbstractQueryBuilder<?> parse(String json) throws IOException {
    try (XContentParser parser =
        JsonXContent.jsonXContent.createParser(
            getInstanceFromNode(NamedXContentRegistry.class), DeprecationHandler.THROW_UNSUPPORTED_OPERATION, json)) {
      return (AbstractQueryBuilder<?>) AbstractQueryBuilder.parseInnerQueryBuilder(parser);
    }
  }

  /** The shard's Lucene query carries {@code rescore.oversample_factor}, and only when it is given. */
  public void testTheOversampleFactorReachesTheShardQuery() throws Exception {
    create("shardq", 1, mapping("pefa_vector", ", \"compression_level\": \"32x\""));
    IndexService service = getInstanceFromNode(IndicesService.class).indexServiceSafe(resolveIndex("shardq"));
    var context = service.newQueryShardContext(0, null, () -> 0L, null);
    float[] q = PefaShardedTests.unitVector(new Random(3));
    String with = new PefaQueryBuilder(FIELD, false, q).oversample(2.5f).toQuery(context).toString();
    assertTrue(with, with.contains("oversample=2.5"));
    String without = new PefaQueryBuilder(FIELD, false, q).toQuery(context).toString();
    assertFalse(without, without.contains("oversample"));
  }

  public void testRescoreRoundTrips() throws Exception {
    float[] q = PefaShardedTests.unitVector(new Random(2));
    PefaQueryBuilder with = new PefaQueryBuilder(FIELD, false, q).oversample(2.5f);
    PefaQueryBuilder without = new PefaQueryBuilder(FIELD, false, q);
    assertNotEquals(with, without);
    assertNotEquals(with, new PefaQueryBuilder(FIELD, false, q).oversample(3f));
    String json = with.toString();
    assertTrue(json, json.contains("\"rescore\""));
    assertTrue(json, json.contains("\"oversample_factor\" : 2.5"));
    assertFalse(without.toString(), without.toString().contains("rescore"));
    for (PefaQueryBuilder b : List.of(with, without)) {
      AbstractQueryBuilder<?> parsed = parse(b.toString());
      assertEquals(b, parsed);
      assertEquals(b.hashCode(), parsed.hashCode());
      try (BytesStreamOutput out = new BytesStreamOutput()) {
        b.writeTo(out);
        PefaQueryBuilder read = new PefaQueryBuilder(out.bytes().streamInput());
        assertEquals(b, read);
        assertEquals(b.hashCode(), read.hashCode());
      }
    }
    assertEquals(new PefaQueryBuilder(FIELD, false, q), parse("{\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"xs\", \"vector\": " + java.util.Arrays.toString(q) + ", \"rescore\": true}}"));
  }
}
