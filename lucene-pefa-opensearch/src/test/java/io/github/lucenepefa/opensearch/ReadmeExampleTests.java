package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.common.xcontent.XContentHelper;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.plugins.Plugin;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.transport.Netty4ModulePlugin;

/**
 * Runs every {@code curl} command of README.md's "PEFA in OpenSearch 3.9.0" section, as written,
 * over HTTP against a two-node cluster, and checks the responses the README shows.
 */
@OpenSearchIntegTestCase.ClusterScope(
    scope = OpenSearchIntegTestCase.Scope.TEST,
    numDataNodes = 2,
    numClientNodes = 0,
    supportsDedicatedMasters = false)
public class ReadmeExampleTests extends OpenSearchIntegTestCase {

  private static final Pattern CURL =
      Pattern.compile(
          "curl -X(\\w+) '?localhost:9200(\\S*?)'? -H 'Content-Type: ([^']+)' (?:-d|--data-binary) '(.*?)'(?:\\n# (\\{.*?\\}))?\\n",
          Pattern.DOTALL);

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(PefaPlugin.class, Netty4ModulePlugin.class);
  }

  @Override
  protected boolean addMockHttpTransport() {
    return false;
  }

  static String readmeSection() throws IOException {
    Path readme = Paths.get(System.getProperty("user.dir")).resolve("../README.md");
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    int start = text.indexOf("## PEFA in OpenSearch 3.9.0");
    assertTrue("README has the OpenSearch section", start >= 0);
    int end = text.indexOf("\n## ", start + 1);
    return text.substring(start, end);
  }

  public void testReadmeCommandsRunAsDocumented() throws Exception {
    Matcher m = CURL.matcher(readmeSection());
    List<String> ran = new ArrayList<>();
    while (m.find()) {
      String method = m.group(1);
      String path = m.group(2);
      Request request = new Request(method, path.contains("?") ? path.substring(0, path.indexOf('?')) : path);
      if (path.contains("?")) {
        for (String param : path.substring(path.indexOf('?') + 1).split("&")) {
          String[] kv = param.split("=", 2);
          request.addParameter(kv[0], kv.length > 1 ? kv[1] : "");
        }
      }
      request.setEntity(new StringEntity(m.group(4), ContentType.parse(m.group(3))));
      Response response = getRestClient().performRequest(request);
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
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> hits =
            (List<Map<String, Object>>) ((Map<String, Object>) body.get("hits")).get("hits");
        assertFalse("hits for " + m.group(4), hits.isEmpty());
        assertEquals("doc-2", hits.get(0).get("_id")); // the training pair q17 -> doc-2 lifts it first
      }
      ran.add(method + " " + path);
    }
    assertEquals(ran.toString(), 7, ran.size());
  }
}
