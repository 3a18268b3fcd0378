package io.github.lucenepefa.opensearch;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.node.DiscoveryNodes;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.IndexScopedSettings;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.settings.SettingsFilter;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.action.ActionRequest;
import org.opensearch.index.IndexSettings;
import org.opensearch.index.codec.AdditionalCodecs;
import org.opensearch.index.codec.PerFieldMappingPostingFormatCodec;
import org.opensearch.index.mapper.Mapper;
import org.opensearch.index.mapper.MapperService;
import org.opensearch.plugins.ActionPlugin;
import org.opensearch.plugins.EnginePlugin;
import org.opensearch.plugins.MapperPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SearchPlugin;
import org.opensearch.rest.RestController;
import org.opensearch.rest.RestHandler;

/**
 * PEFA (ParamEter-Free Adapters, WSDM 2024) for OpenSearch: the {@code pefa_vector} field of a
 * main index, the {@code pefa_memory} field of a training-memory index, the {@code pefa} query
 * (PEFA-XL with the global {@code N_k(q)} resolved on the coordinating node, PEFA-XS), the codec
 * {@code "index.codec": "pefa"} and {@code POST /<index>/_pefa/xs_refresh}.
 */
public final class PefaPlugin extends Plugin
    implements MapperPlugin, SearchPlugin, EnginePlugin, ActionPlugin {

  /** Creates the plugin (called by OpenSearch). */
  public PefaPlugin() {}

  @Override
  public Map<String, Mapper.TypeParser> getMappers() {
    return Map.of(
        PefaVectorFieldMapper.CONTENT_TYPE, PefaVectorFieldMapper.PARSER,
        PefaMemoryFieldMapper.CONTENT_TYPE, PefaMemoryFieldMapper.PARSER);
  }

  @Override
  public List<QuerySpec<?>> getQueries() {
    return List.of(
        new QuerySpec<>(
            PefaQueryBuilder.NAME, PefaQueryBuilder::new, PefaQueryBuilder::fromXContent));
  }

  @Override
  public Optional<AdditionalCodecs> getAdditionalCodecs(IndexSettings indexSettings) {
    return Optional.of(PefaPlugin::codecs);
  }

  private static Map<String, Codec> codecs(
      MapperService mapperService, IndexSettings indexSettings, Supplier<Codec> defaultCodec) {
    Codec bestCompression =
        mapperService == null
            ? new Lucene104Codec(Lucene104Codec.Mode.BEST_COMPRESSION)
            : new PerFieldMappingPostingFormatCodec(
                Lucene104Codec.Mode.BEST_COMPRESSION,
                mapperService,
                LogManager.getLogger(PefaCodec.class));
    return Map.of(
        PefaCodec.INDEX_CODEC, new PefaCodec(defaultCodec.get(), mapperService),
        PefaCodec.INDEX_CODEC_BEST_COMPRESSION, new PefaCodec(bestCompression, mapperService));
  }

  @Override
  public List<ActionHandler<? extends ActionRequest, ? extends ActionResponse>> getActions() {
    return List.of(
        new ActionHandler<>(MemoryRowsAction.INSTANCE, TransportMemoryRowsAction.class),
        new ActionHandler<>(GlobalStatsAction.INSTANCE, TransportGlobalStatsAction.class),
        new ActionHandler<>(XsRefreshAction.INSTANCE, TransportXsRefreshAction.class));
  }

  @Override
  public List<RestHandler> getRestHandlers(
      Settings settings,
      RestController restController,
      ClusterSettings clusterSettings,
      IndexScopedSettings indexScopedSettings,
      SettingsFilter settingsFilter,
      IndexNameExpressionResolver indexNameExpressionResolver,
      Supplier<DiscoveryNodes> nodesInCluster) {
    return List.of(new RestXsRefreshAction());
  }
}
