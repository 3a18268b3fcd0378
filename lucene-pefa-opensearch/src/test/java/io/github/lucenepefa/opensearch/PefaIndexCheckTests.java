package io.github.lucenepefa.opensearch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.opensearch.ExceptionsHelper;
import org.opensearch.common.logging.Loggers;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.plugins.Plugin;
import org.opensearch.test.OpenSearchSingleNodeTestCase;

/**
 * What a node checks and logs around PEFA indices: an index with a PEFA field and another codec is
 * refused when it is created (also through an index template), a memory row without labels is
 * refused naming the row, and segment writes of PEFA indices log no warning (OpenSearch's per-field
 * codec warns about every Lucene field the mapping does not know, such as a PEFA field's {@code
 * <field>.key} terms, unless the plugin's codec answers for them).
 */
public class PefaIndexCheckTests extends OpenSearchSingleNodeTestCase {

  @Override
  protected Collection<Class<? extends Plugin>> getPlugins() {
    return List.of(PefaPlugin.class);
  }

  private static String mapping(String type) {
    return "{\"properties\": {\"emb\": {\"type\": \"" + type + "\", \"dimension\": 2}}}";
  }

  private static void assertBadRequest(Exception e, String expected) {
    assertEquals(e.toString(), RestStatus.BAD_REQUEST, ExceptionsHelper.status(e));
    String message = ExceptionsHelper.unwrapCause(e).getMessage() + " " + e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause()) {
      message += " " + t.getMessage();
    }
    assertTrue("expected [" + expected + "] in " + message, message.contains(expected));
  }

  public void testAnIndexWithAPefaFieldAndAnotherCodecIsRefusedAtCreation() {
    for (String type : new String[] {"pefa_vector", "pefa_memory"}) {
      for (String codec : new String[] {null, "default", "best_compression"}) {
        Settings.Builder settings = Settings.builder();
        if (codec != null) {
          settings.put("index.codec", codec);
        }
        Exception e =
            expectThrows(
                Exception.class,
                () -> client().admin().indices().prepareCreate("bad").setSettings(settings).setMapping(mapping(type)).get());
        assertBadRequest(e, "\"index.codec\": \"pefa\"");
        assertBadRequest(e, "field [emb] is a PEFA field");
        assertFalse(client().admin().indices().prepareExists("bad").get().isExists());
      }
    }
    // a mapping added later to an index without the codec
    client().admin().indices().prepareCreate("plain").get();
    Exception e =
        expectThrows(
            Exception.class,
            () -> client().admin().indices().preparePutMapping("plain").setSource(mapping("pefa_vector"), XContentType.JSON).get());
    assertBadRequest(e, "\"index.codec\": \"pefa\"");
  }

  public void testATemplateThatWouldCreateSuchAnIndexIsRefused() throws Exception {
    String noCodec =
        "{\"index_patterns\": [\"nocodec-*\"], \"template\": {\"mappings\": " + mapping("pefa_vector") + "}}";
    Exception e =
        expectThrows(
            Exception.class,
            () ->
                client()
                    .admin()
                    .indices()
                    .execute(
                        org.opensearch.action.admin.indices.template.put.PutComposableIndexTemplateAction.INSTANCE,
                        new org.opensearch.action.admin.indices.template.put.PutComposableIndexTemplateAction.Request("nocodec")
                            .indexTemplate(parseTemplate(noCodec)))
                    .actionGet());
    assertBadRequest(e, "\"index.codec\": \"pefa\"");
    e =
        expectThrows(
            Exception.class,
            () ->
                client()
                    .admin()
                    .indices()
                    .preparePutTemplate("legacy-nocodec")
                    .setPatterns(List.of("legacy-*"))
                    .setMapping(mapping("pefa_memory"), XContentType.JSON)
                    .get());
    assertBadRequest(e, "\"index.codec\": \"pefa\"");

    // a template with the codec works; an index it matches that overrides the codec does not
    String withCodec =
        "{\"index_patterns\": [\"pefa-*\"], \"template\": {\"settings\": {\"index.codec\": \"pefa\"}, \"mappings\": "
            + mapping("pefa_vector")
            + "}}";
    client()
        .admin()
        .indices()
        .execute(
            org.opensearch.action.admin.indices.template.put.PutComposableIndexTemplateAction.INSTANCE,
            new org.opensearch.action.admin.indices.template.put.PutComposableIndexTemplateAction.Request("with-codec")
                .indexTemplate(parseTemplate(withCodec)))
        .actionGet();
    e =
        expectThrows(
            Exception.class,
            () ->
                client()
                    .admin()
                    .indices()
                    .prepareCreate("pefa-bad")
                    .setSettings(Settings.builder().put("index.codec", "default"))
                    .get());
    assertBadRequest(e, "\"index.codec\": \"pefa\"");
    client().admin().indices().prepareCreate("pefa-good").get();
    client().prepareIndex("pefa-good").setId("a").setSource("{\"emb\": [1, 0]}", XContentType.JSON).get();
  }

  private static org.opensearch.cluster.metadata.ComposableIndexTemplate parseTemplate(String json) throws Exception {
    try (org.opensearch.core.xcontent.XContentParser parser =
        org.opensearch.common.xcontent.json.JsonXContent.jsonXContent.createParser(
            org.opensearch.core.xcontent.NamedXContentRegistry.EMPTY,
            org.opensearch.core.xcontent.DeprecationHandler.THROW_UNSUPPORTED_OPERATION,
            json)) {
      return org.opensearch.cluster.metadata.ComposableIndexTemplate.parse(parser);
    }
  }

  public void testAMemoryRowWithoutLabelsIsRefusedNamingTheRow() {
    client()
        .admin()
        .indices()
        .prepareCreate("memory")
        .setSettings(Settings.builder().put("index.codec", "pefa"))
        .setMapping(mapping("pefa_memory"))
        .get();
    Exception e =
        expectThrows(
            Exception.class,
            () ->
                client()
                    .prepareIndex("memory")
                    .setId("q7")
                    .setSource("{\"emb\": {\"vector\": [1, 0], \"labels\": {}}}", XContentType.JSON)
                    .get());
    assertBadRequest(e, "[emb] of memory row [q7]: [labels] is empty");
    client().admin().indices().prepareRefresh("memory").get();
    assertEquals(0, client().prepareSearch("memory").setSize(0).get().getHits().getTotalHits().value());
  }

  public void testSegmentWritesLogNoWarnings() throws Exception {
    List<String> warnings = new ArrayList<>();
    AbstractAppender appender =
        new AbstractAppender("pefa-warnings", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            if (event.getLevel().isMoreSpecificThan(Level.WARN)) {
              synchronized (warnings) {
                warnings.add(event.getLoggerName() + ": " + event.getMessage().getFormattedMessage());
              }
            }
          }
        };
    appender.start();
    Loggers.addAppender(LogManager.getRootLogger(), appender);
    try {
      for (String codec : new String[] {"pefa", "pefa_best_compression"}) {
        client()
            .admin()
            .indices()
            .prepareCreate("memory-" + codec)
            .setSettings(Settings.builder().put("index.codec", codec))
            .setMapping(mapping("pefa_memory"))
            .get();
        client()
            .admin()
            .indices()
            .prepareCreate("docs-" + codec)
            .setSettings(Settings.builder().put("index.codec", codec))
            .setMapping(mapping("pefa_vector"))
            .get();
        client().prepareIndex("docs-" + codec).setId("a").setSource("{\"emb\": [1, 0]}", XContentType.JSON).get();
        client().prepareIndex("docs-" + codec).setId("b").setSource("{\"emb\": [0, 1]}", XContentType.JSON).get();
        client()
            .prepareIndex("memory-" + codec)
            .setId("q1")
            .setSource("{\"emb\": {\"vector\": [1, 0], \"labels\": {\"b\": 1}}}", XContentType.JSON)
            .get();
        client().admin().indices().prepareFlush("docs-" + codec, "memory-" + codec).setForce(true).get();
      }
    } finally {
      Loggers.removeAppender(LogManager.getRootLogger(), appender);
      appender.stop();
    }
    List<String> ours =
        warnings.stream().filter(w -> w.contains("no index mapper found") || w.contains("pefa")).toList();
    assertEquals(ours.toString(), List.of(), ours);
  }
}
