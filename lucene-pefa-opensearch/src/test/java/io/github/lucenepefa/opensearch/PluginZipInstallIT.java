package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.opensearch.Version;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.MockNode;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.PluginInfo;
import org.opensearch.plugins.PluginsService;
import org.opensearch.test.MockHttpTransport;
import org.opensearch.test.OpenSearchTestCase;
import org.opensearch.transport.client.Client;

/**
 * The built plugin zip, installed the way {@code bin/opensearch-plugin install file:///...}
 * installs it (unpacked into {@code <home>/plugins/lucene-pefa}), then loaded by a node from that
 * folder through its own plugin class loader, as a real node loads it: the descriptor is valid for
 * this OpenSearch, the zip holds only the plugin's and the core's jars, the codec and the vectors
 * format resolve through SPI from the plugin's class loader, and a PEFA index works, also after it
 * is closed and reopened.
 *
 * <p>Runs in {@code verify} (failsafe, after {@code package} built the zip) with neither the
 * plugin's classes nor the core library on the class path, so nothing can be found except through
 * the installed plugin.
 */
@org.apache.lucene.tests.util.LuceneTestCase.SuppressFileSystems("ExtrasFS") // a stray file in plugins/ is not a plugin
public class PluginZipInstallIT extends OpenSearchTestCase {

  public void testZipInstallsAndLoads() throws Exception {
    Path zip = Paths.get(System.getProperty("pefa.plugin.zip"));
    assertTrue("plugin zip " + zip, Files.isRegularFile(zip));
    Path home = createTempDir();
    Path pluginDir = home.resolve("plugins").resolve("lucene-pefa");
    List<String> entries = unzip(zip, pluginDir);

    PluginInfo info = PluginInfo.readFromProperties(pluginDir);
    assertEquals("lucene-pefa", info.getName());
    assertEquals("io.github.lucenepefa.opensearch.PefaPlugin", info.getClassname());
    assertTrue(
        info.getOpenSearchVersionRangesString(),
        info.getOpenSearchVersionRanges().stream().anyMatch(r -> r.isSatisfiedBy(Version.CURRENT.toString())));
    assertEquals("21", info.getJavaVersion());
    for (String entry : entries) {
      assertTrue(
          "only the plugin's and the core's jars: " + entries,
          entry.equals("plugin-descriptor.properties")
              || entry.matches("lucene-pefa-opensearch-[^/]+\\.jar")
              || entry.matches("lucene-pefa-[0-9][^/]*\\.jar"));
    }
    assertEquals(entries.toString(), 3, entries.size());
    expectThrows(
        ClassNotFoundException.class,
        () -> Class.forName("io.github.lucenepefa.opensearch.PefaPlugin"));

    Settings settings =
        Settings.builder()
            .put("cluster.name", "pefa-install-" + randomAlphaOfLength(6).toLowerCase(Locale.ROOT))
            .put(Environment.PATH_HOME_SETTING.getKey(), home)
            .put(Node.NODE_NAME_SETTING.getKey(), "pefa-install")
            .put("node.processors", 1)
            .put("transport.type", getTestTransportType())
            .put("discovery.type", "single-node")
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
    List<Class<? extends Plugin>> classpathPlugins =
        List.of(getTestTransportPlugin(), MockHttpTransport.TestPlugin.class);
    try (Node node = new MockNode(settings, classpathPlugins)) {
      node.start();
      Plugin plugin =
          node.injector().getInstance(PluginsService.class).filterPlugins(Plugin.class).stream()
              .filter(p -> p.getClass().getName().equals(info.getClassname()))
              .findFirst()
              .orElseThrow();
      ClassLoader pluginLoader = plugin.getClass().getClassLoader();
      assertNotSame(getClass().getClassLoader(), pluginLoader);
      assertSame(pluginLoader, Codec.forName("PefaOpenSearch104").getClass().getClassLoader());
      assertSame(
          pluginLoader, KnnVectorsFormat.forName("Pefa01VectorsFormat").getClass().getClassLoader());

      Client client = node.client();
      client
          .admin()
          .indices()
          .prepareCreate("memory")
          .setSettings(Settings.builder().put("index.codec", "pefa").put("index.auto_expand_replicas", "0-all"))
          .setMapping("{\"properties\": {\"emb\": {\"type\": \"pefa_memory\", \"dimension\": 2}}}")
          .get();
      client
          .admin()
          .indices()
          .prepareCreate("docs")
          .setSettings(Settings.builder().put("index.codec", "pefa").put("index.number_of_replicas", 0))
          .setMapping("{\"properties\": {\"emb\": {\"type\": \"pefa_vector\", \"dimension\": 2}}}")
          .get();
      client.prepareIndex("docs").setId("a").setSource("{\"emb\": [1, 0]}", org.opensearch.common.xcontent.XContentType.JSON).get();
      client.prepareIndex("docs").setId("b").setSource("{\"emb\": [0, 1]}", org.opensearch.common.xcontent.XContentType.JSON).get();
      client
          .prepareIndex("memory")
          .setId("q1")
          .setSource("{\"emb\": {\"vector\": [1, 0], \"labels\": {\"b\": 1}}}", org.opensearch.common.xcontent.XContentType.JSON)
          .get();
      client.admin().indices().prepareRefresh("docs", "memory").get();
      assertTopHit(client, "b"); // the memory's vote lifts b above a
      client.admin().indices().prepareClose("docs").get();
      client.admin().indices().prepareOpen("docs").setWaitForActiveShards(1).get();
      client.admin().cluster().prepareHealth("docs").setWaitForYellowStatus().get();
      assertTopHit(client, "b"); // segments reopened through the plugin's codec
    }
  }

  private static void assertTopHit(Client client, String expected) {
    String query =
        "{\"pefa\": {\"field\": \"emb\", \"mode\": \"xl\", \"memory_index\": \"memory\","
            + " \"vector\": [1, 0], \"lambda\": 0.1, \"k\": 1}}";
    SearchResponse response =
        client.prepareSearch("docs").setQuery(org.opensearch.index.query.QueryBuilders.wrapperQuery(query)).get();
    assertEquals(2, response.getHits().getHits().length);
    assertEquals(expected, response.getHits().getAt(0).getId());
  }

  private static List<String> unzip(Path zip, Path target) throws IOException {
    Files.createDirectories(target);
    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(zip);
        ZipInputStream zin = new ZipInputStream(in)) {
      ZipEntry entry;
      while ((entry = zin.getNextEntry()) != null) {
        Path out = target.resolve(entry.getName()).normalize();
        assertTrue("entry inside the plugin folder: " + entry.getName(), out.startsWith(target));
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else {
          names.add(entry.getName());
          Files.copy(zin, out);
        }
      }
    }
    return names;
  }
}
