package io.github.lucenepefa.opensearch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.github.lucenepefa.index.PefaVectors;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Doc;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Hit;
import io.github.lucenepefa.opensearch.SingleIndexOracle.Row;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.common.xcontent.XContentHelper;
import org.opensearch.common.xcontent.json.JsonXContent;

/**
 * The plugin on a real OpenSearch 3.9.0 node ({@link RealNode}: its own process, the built zip
 * installed, driven over HTTP with OpenSearch's REST client): README.md's OpenSearch section runs
 * verbatim, the answers to random PEFA-XL and PEFA-XS queries on random data equal the core
 * library's on the same data (a {@link SingleIndexOracle}), a stop and start of the node keeps every
 * answer, and the node's log holds no warning or error about the plugin's indices. Under load, 8
 * concurrent HTTP searchers run for {@code pefa.load.seconds} (10 in {@code mvn verify}) while memory
 * rows stream in through index requests and refreshes run: no request fails, every acknowledged row
 * is searchable after the next refresh, and the answers afterwards equal the library's on the final
 * data; throughput, p99 latency and the heap after the run are printed and written to {@code
 * target/real-node-load.txt}.
 */
public class RealNodeIT {

  static final int DIM = 16;
  static final float XS_LAMBDA = 0.5f;
  static final String DOCS = "rn-docs";
  static final String MEMORY = "rn-memory";
  static final String FIELD = "emb";

  private static final Pattern CURL =
      Pattern.compile(
          "curl -X(\\w+) '?localhost:9200(\\S*?)'? -H 'Content-Type: ([^']+)' (?:-d|--data-binary) '(.*?)'(?:\\n# (\\{.*?\\}))?\\n",
          Pattern.DOTALL);

  static RealNode node;

  @BeforeClass
  public static void startNode() throws Exception {
    // run by the pom's real-node execution, which names the node's folder (not by the zip install's)
    org.junit.Assume.assumeTrue("pefa.node.dir is not set", System.getProperty("pefa.node.dir") != null);
    node =
        new RealNode(
            Path.of(System.getProperty("pefa.node.dir")), Path.of(System.getProperty("pefa.plugin.zip")));
    node.start();
  }

  @AfterClass
  public static void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  static String readmeSection() throws Exception {
    String text = Files.readString(Path.of(System.getProperty("pefa.readme")), StandardCharsets.UTF_8);
    int start = text.indexOf("## PEFA in OpenSearch 3.9.0");
    assertTrue("README has the OpenSearch section", start >= 0);
    return text.substring(start, text.indexOf("\n## ", start + 1));
  }

  /** Runs the README's curl commands; returns the hits of its first search, in order. */
  private static List<Hit> runReadme(boolean check) throws Exception {
    Matcher m = CURL.matcher(readmeSection());
    List<String> ran = new ArrayList<>();
    List<Hit> firstSearch = null;
    while (m.find()) {
      String method = m.group(1);
      String path = m.group(2);
      if (check == false && path.endsWith("_search") == false) {
        continue; // after a restart: the searches only
      }
      Request request = new Request(method, path.contains("?") ? path.substring(0, path.indexOf('?')) : path);
      if (path.contains("?")) {
        for (String param : path.substring(path.indexOf('?') + 1).split("&")) {
          String[] kv = param.split("=", 2);
          request.addParameter(kv[0], kv.length > 1 ? kv[1] : "");
        }
      }
      request.setEntity(new StringEntity(m.group(4), ContentType.parse(m.group(3))));
      Response response = node.client().performRequest(request);
      assertEquals(method + " " + path, 200, response.getStatusLine().getStatusCode());
      Map<String, Object> body =
          XContentHelper.convertToMap(JsonXContent.jsonXContent, response.getEntity().getContent(), false);
      if (body.containsKey("errors")) {
        assertEquals(body.toString(), false, body.get("errors"));
      }
      if (m.group(5) != null) { // the README shows the response: every field but "took" must match
        Map<String, Object> shown = XContentHelper.convertToMap(JsonXContent.jsonXContent, m.group(5), false);
        shown.remove("took");
        for (Map.Entry<String, Object> e : shown.entrySet()) {
          assertEquals(path + " " + e.getKey(), e.getValue(), body.get(e.getKey()));
        }
      }
      if (path.endsWith("_search")) {
        List<Hit> hits = hits(body);
        assertFalse("hits for " + m.group(4), hits.isEmpty());
        assertEquals("doc-2", hits.get(0).id()); // the training pair q17 -> doc-2 lifts it first
        if (firstSearch == null) {
          firstSearch = hits;
        }
      }
      ran.add(method + " " + path);
    }
    assertEquals(ran.toString(), check ? 7 : 3, ran.size());
    return firstSearch;
  }

  @SuppressWarnings("unchecked")
  static List<Hit> hits(Map<String, Object> body) {
    Map<String, Object> shards = (Map<String, Object>) body.get("_shards");
    assertEquals(body.toString(), shards.get("total"), shards.get("successful"));
    List<Hit> hits = new ArrayList<>();
    for (Map<String, Object> h : (List<Map<String, Object>>) ((Map<String, Object>) body.get("hits")).get("hits")) {
      hits.add(new Hit((String) h.get("_id"), ((Number) h.get("_score")).floatValue()));
    }
    return hits;
  }

  static float[] unitVector(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = random.nextFloat() + 1e-3f;
    }
    return PefaVectors.normalize(v);
  }

  static String json(float[] v) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      b.append(i == 0 ? "" : ", ").append(v[i]);
    }
    return b.append(']').toString();
  }

  static String rowJson(Row r) {
    StringBuilder labels = new StringBuilder("{");
    for (Map.Entry<String, Float> e : r.labels().entrySet()) {
      labels.append(labels.length() == 1 ? "" : ", ").append('"').append(e.getKey()).append("\": ").append(e.getValue());
    }
    return "{\"" + FIELD + "\": {\"vector\": " + json(r.vector()) + ", \"labels\": " + labels + "}}}";
  }

  static void createIndices(RealNode node) throws Exception {
    node.call(
        "PUT",
        "/" + MEMORY,
        "{\"settings\": {\"index\": {\"codec\": \"pefa\", \"number_of_shards\": 2, \"number_of_replicas\": 0}},"
            + " \"mappings\": {\"properties\": {\"" + FIELD + "\": {\"type\": \"pefa_memory\", \"dimension\": " + DIM + "}}}}");
    node.call(
        "PUT",
        "/" + DOCS,
        "{\"settings\": {\"index\": {\"codec\": \"pefa\", \"number_of_shards\": 3, \"number_of_replicas\": 0}},"
            + " \"mappings\": {\"properties\": {\"" + FIELD + "\": {\"type\": \"pefa_vector\", \"dimension\": " + DIM
            + ", \"xs_lambda\": " + XS_LAMBDA + "}, \"category\": {\"type\": \"keyword\"}}}}");
  }

  static void bulk(RealNode node, List<Doc> docs, List<Row> rows) throws Exception {
    StringBuilder b = new StringBuilder();
    for (Doc d : docs) {
      b.append("{\"index\": {\"_index\": \"" + DOCS + "\", \"_id\": \"" + d.id() + "\"}}\n");
      b.append("{\"" + FIELD + "\": " + json(d.vector()) + ", \"category\": \"" + d.category() + "\"}\n");
    }
    for (Row r : rows) {
      b.append("{\"index\": {\"_index\": \"" + MEMORY + "\", \"_id\": \"" + r.id() + "\"}}\n");
      b.append(rowJson(r)).append('\n');
    }
    Request request = new Request("POST", "/_bulk");
    request.addParameter("refresh", "true");
    request.setEntity(new StringEntity(b.toString(), ContentType.parse("application/x-ndjson")));
    Response response = node.client().performRequest(request);
    Map<String, Object> body =
        XContentHelper.convertToMap(JsonXContent.jsonXContent, response.getEntity().getContent(), false);
    assertEquals(false, body.get("errors"));
  }

  /** One random query: its JSON for the node and its oracle call. */
  record Case(boolean xl, float[] q, float lambda, int k, int topK, boolean mean, boolean softmax, String category) {
    String json() {
      StringBuilder b = new StringBuilder("{\"size\": 10, \"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \"");
      b.append(xl ? "xl" : "xs").append("\", \"vector\": ").append(RealNodeIT.json(q));
      b.append(", \"lambda\": ").append(lambda).append(", \"num_candidates\": 10, \"exact\": true");
      if (xl) {
        b.append(", \"memory_index\": \"" + MEMORY + "\", \"k\": ").append(k).append(", \"top_k\": ").append(topK);
        b.append(", \"knn_norm\": \"").append(mean ? "mean" : "sum").append('"');
        b.append(", \"knn_weight\": \"").append(softmax ? "softmax" : "similarity").append('"');
      }
      if (category != null) {
        b.append(", \"filter\": {\"term\": {\"category\": \"").append(category).append("\"}}");
      }
      return b.append("}}}").toString();
    }

    List<Hit> oracle(SingleIndexOracle o) throws Exception {
      return xl ? o.xl(q, lambda, k, topK, mean, softmax, null, false, category, 10) : o.xs(q, lambda, 10);
    }
  }

  static List<Case> cases(Random random, int count) {
    float[] lambdas = {0.1f, 0.3f, 0.5f, 0.7f, 0.9f};
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean xl = i % 2 == 0;
      cases.add(
          new Case(
              xl,
              unitVector(random),
              xl || i % 4 == 1 ? lambdas[random.nextInt(lambdas.length)] : XS_LAMBDA,
              new int[] {4, 8, 16}[random.nextInt(3)],
              new int[] {10, 30, 100}[random.nextInt(3)],
              random.nextBoolean(),
              xl && random.nextInt(4) == 0,
              xl && random.nextInt(5) == 0 ? "c" + random.nextInt(3) : null));
    }
    return cases;
  }

  static List<List<Hit>> answers(RealNode node, List<Case> cases) throws Exception {
    List<List<Hit>> out = new ArrayList<>();
    for (Case c : cases) {
      out.add(hits(node.call("POST", "/" + DOCS + "/_search", c.json())));
    }
    return out;
  }

  static void assertSameAsOracle(String when, List<Case> cases, List<List<Hit>> answers, SingleIndexOracle oracle)
      throws Exception {
    for (int i = 0; i < cases.size(); i++) {
      assertSameHits(when + ": " + cases.get(i).json(), cases.get(i).oracle(oracle), answers.get(i));
    }
  }

  /** The node's WARN and ERROR lines that concern the plugin or its indices. */
  static List<String> pluginWarnings(RealNode node) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : node.warnings()) {
      String l = line.toLowerCase(Locale.ROOT);
      if (l.contains("io.github.lucenepefa") || l.contains("pefa") || l.contains("rn-") || l.contains("products")
          || l.contains("no index mapper found")) {
        out.add(line);
      }
    }
    return out;
  }

  @Test
  public void readmeAndRandomQueriesEqualTheLibraryAcrossARestart() throws Exception {
    List<Hit> readmeFirst = runReadme(true);

    Random random = new Random(Long.getLong("tests.seed.real-node", 20240307L));
    List<Doc> docs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      docs.add(new Doc("d" + i, unitVector(random), "c" + (i % 3)));
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      Map<String, Float> labels = new LinkedHashMap<>();
      for (int j = 1 + random.nextInt(3); j > 0; j--) {
        labels.put("d" + random.nextInt(200), random.nextBoolean() ? 1f : 2f);
      }
      rows.add(new Row("q" + i, unitVector(random), labels));
    }
    createIndices(node);
    bulk(node, docs, rows);
    Map<String, Object> refreshed =
        node.call("POST", "/" + DOCS + "/_pefa/xs_refresh?refresh=true", "{\"field\": \"" + FIELD + "\", \"memory_index\": \"" + MEMORY + "\"}");
    assertEquals(refreshed.toString(), 300, refreshed.get("documents"));
    List<Case> cases = cases(random, 40);
    List<List<Hit>> before = answers(node, cases);
    try (SingleIndexOracle oracle = new SingleIndexOracle(DIM, XS_LAMBDA, rows, docs)) {
      assertSameAsOracle("before the restart", cases, before, oracle);
    }

    node.stop();
    node.start();
    node.call("GET", "/_cluster/health/" + DOCS + "," + MEMORY + "?wait_for_status=green&timeout=60s", null);
    assertEquals("the README's answer after the restart", readmeFirst, runReadme(false));
    assertEquals("every answer after the restart", before, answers(node, cases));

    List<String> warnings = pluginWarnings(node);
    assertTrue("the node's log: " + String.join("\n", warnings), warnings.isEmpty());
  }

  @Test
  public void underLoadNothingFailsNothingIsLostAndAnswersEqualTheLibrary() throws Exception {
    int seconds = Integer.getInteger("pefa.load.seconds", 10);
    String docsIndex = "load-docs";
    String memoryIndex = "load-memory";
    Random random = new Random(Long.getLong("tests.seed.real-node", 20240307L) + 1);
    List<Doc> docs = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      docs.add(new Doc("d" + i, unitVector(random), "c" + (i % 3)));
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(randomRow(random, "q" + i));
    }
    node.call(
        "PUT",
        "/" + memoryIndex,
        "{\"settings\": {\"index\": {\"codec\": \"pefa\", \"number_of_shards\": 2, \"number_of_replicas\": 0,"
            + " \"refresh_interval\": \"-1\"}}, \"mappings\": {\"properties\": {\"" + FIELD
            + "\": {\"type\": \"pefa_memory\", \"dimension\": " + DIM + "}}}}");
    node.call(
        "PUT",
        "/" + docsIndex,
        "{\"settings\": {\"index\": {\"codec\": \"pefa\", \"number_of_shards\": 3, \"number_of_replicas\": 0}},"
            + " \"mappings\": {\"properties\": {\"" + FIELD + "\": {\"type\": \"pefa_vector\", \"dimension\": " + DIM
            + ", \"xs_lambda\": " + XS_LAMBDA + "}, \"category\": {\"type\": \"keyword\"}}}}");
    StringBuilder b = new StringBuilder();
    for (Doc d : docs) {
      b.append("{\"index\": {\"_index\": \"" + docsIndex + "\", \"_id\": \"" + d.id() + "\"}}\n");
      b.append("{\"" + FIELD + "\": " + json(d.vector()) + ", \"category\": \"" + d.category() + "\"}\n");
    }
    for (Row r : rows) {
      b.append("{\"index\": {\"_index\": \"" + memoryIndex + "\", \"_id\": \"" + r.id() + "\"}}\n");
      b.append(rowJson(r)).append('\n');
    }
    Request bulk = new Request("POST", "/_bulk");
    bulk.addParameter("refresh", "true");
    bulk.setEntity(new StringEntity(b.toString(), ContentType.parse("application/x-ndjson")));
    assertEquals(200, node.client().performRequest(bulk).getStatusLine().getStatusCode());

    List<Row> written = Collections.synchronizedList(new ArrayList<>()); // acknowledged rows, in order
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    int[] refreshes = {0};
    ExecutorService pool = Executors.newFixedThreadPool(10);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> tasks = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      long seed = random.nextLong();
      tasks.add(
          pool.submit(
              () -> {
                Random r = new Random(seed);
                go.await();
                while (stop.get() == false) {
                  float[] q = unitVector(r);
                  String query =
                      "{\"size\": 10, \"query\": {\"pefa\": {\"field\": \"" + FIELD + "\", \"mode\": \""
                          + (r.nextInt(4) == 0 ? "xs" : "xl") + "\", \"vector\": " + json(q)
                          + ", \"memory_index\": \"" + memoryIndex + "\", \"lambda\": 0.5, \"k\": 16}}}";
                  long t0 = System.nanoTime();
                  try {
                    List<Hit> hits = hits(node.call("POST", "/" + docsIndex + "/_search", query));
                    latencies.add(System.nanoTime() - t0);
                    if (hits.size() != 10) {
                      failures.add("search returned " + hits.size() + " hits");
                    }
                  } catch (Throwable e) {
                    failures.add("search: " + e);
                  }
                }
                return null;
              }));
    }
    long writerSeed = random.nextLong();
    tasks.add(
        pool.submit(
            () -> {
              Random r = new Random(writerSeed);
              go.await();
              for (int i = 0; stop.get() == false; i++) {
                Row row = randomRow(r, "w" + i);
                try {
                  Map<String, Object> res = node.call("PUT", "/" + memoryIndex + "/_doc/" + row.id(), rowJson(row));
                  if ("created".equals(res.get("result")) == false) {
                    failures.add("index " + row.id() + ": " + res);
                  } else {
                    written.add(row);
                  }
                } catch (Throwable e) {
                  failures.add("index " + row.id() + ": " + e);
                }
              }
              return null;
            }));
    tasks.add(
        pool.submit(
            () -> {
              go.await();
              while (stop.get() == false) {
                Thread.sleep(500);
                List<Row> acknowledged;
                synchronized (written) {
                  acknowledged = new ArrayList<>(written);
                }
                try {
                  node.call("POST", "/" + memoryIndex + "/_refresh", null);
                  refreshes[0]++;
                  // every row acknowledged before the refresh is searchable after it
                  StringBuilder ids = new StringBuilder();
                  for (Row a : acknowledged) {
                    ids.append(ids.length() == 0 ? "" : ", ").append('"').append(a.id()).append('"');
                  }
                  Map<String, Object> count =
                      node.call("POST", "/" + memoryIndex + "/_count", "{\"query\": {\"ids\": {\"values\": [" + ids + "]}}}");
                  if (((Number) count.get("count")).intValue() != acknowledged.size()) {
                    failures.add("after a refresh " + count.get("count") + " of " + acknowledged.size() + " acknowledged rows are searchable");
                  }
                } catch (Throwable e) {
                  failures.add("refresh: " + e);
                }
              }
              return null;
            }));
    long start = System.nanoTime();
    go.countDown();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    stop.set(true);
    for (Future<?> f : tasks) {
      f.get(120, TimeUnit.SECONDS);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    assertTrue("failures under load: " + failures, failures.isEmpty());
    assertTrue("rows streamed in: " + written.size(), written.size() > 0);

    node.call("POST", "/" + memoryIndex + "/_refresh", null);
    List<Row> finalRows = new ArrayList<>(rows);
    finalRows.addAll(written);
    Map<String, Object> count = node.call("GET", "/" + memoryIndex + "/_count", null);
    assertEquals(finalRows.size(), ((Number) count.get("count")).intValue());
    List<Case> cases = new ArrayList<>();
    for (Case c : cases(random, 20)) {
      if (c.xl()) {
        cases.add(c);
      }
    }
    List<List<Hit>> answers = new ArrayList<>();
    for (Case c : cases) {
      answers.add(hits(node.call("POST", "/" + docsIndex + "/_search", c.json().replace("\"" + MEMORY + "\"", "\"" + memoryIndex + "\""))));
    }
    try (SingleIndexOracle oracle = new SingleIndexOracle(DIM, XS_LAMBDA, finalRows, docs)) {
      assertSameAsOracle("after the load", cases, answers, oracle);
    }

    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    long p50 = sorted.get(sorted.size() / 2);
    long p99 = sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1));
    @SuppressWarnings("unchecked")
    Map<String, Object> nodes = (Map<String, Object>) node.call("GET", "/_nodes/stats/jvm", null).get("nodes");
    @SuppressWarnings("unchecked")
    Map<String, Object> mem =
        (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) nodes.values().iterator().next()).get("jvm")).get("mem");
    String report =
        String.format(
            Locale.ROOT,
            "load: %d s, 8 searchers: %d searches (%.0f/s), latency p50 %.1f ms, p99 %.1f ms; 1 writer: %d rows"
                + " (%.0f/s), %d refreshes; node heap after the run %.0f MB used of %.0f MB%n",
            seconds,
            sorted.size(),
            sorted.size() / elapsed,
            p50 / 1e6,
            p99 / 1e6,
            written.size(),
            written.size() / elapsed,
            refreshes[0],
            ((Number) mem.get("heap_used_in_bytes")).doubleValue() / (1 << 20),
            ((Number) mem.get("heap_max_in_bytes")).doubleValue() / (1 << 20));
    System.out.print(report);
    Files.writeString(Path.of(System.getProperty("pefa.node.dir")).resolveSibling("real-node-load.txt"), report);
  }

  static Row randomRow(Random random, String id) {
    Map<String, Float> labels = new LinkedHashMap<>();
    for (int j = 1 + random.nextInt(3); j > 0; j--) {
      labels.put("d" + random.nextInt(1500), random.nextBoolean() ? 1f : 2f);
    }
    return new Row(id, unitVector(random), labels);
  }

  /** Equal ids and scores, but for the order within a group of scores one float step apart. */
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
      boolean inGroup = false;
      boolean groupReachesTheEnd = false;
      for (int j = 0; j < expected.size(); j++) {
        if (Math.abs(expected.get(j).score() - e) <= Math.ulp(e)) {
          inGroup |= expected.get(j).id().equals(actual.get(i).id());
          groupReachesTheEnd |= j == expected.size() - 1;
        }
      }
      assertTrue(detail, inGroup || groupReachesTheEnd);
    }
    assertEquals(detail, actual.size(), actual.stream().map(Hit::id).distinct().count());
  }
}
