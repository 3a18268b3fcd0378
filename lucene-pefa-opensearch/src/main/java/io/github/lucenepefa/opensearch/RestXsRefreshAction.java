package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;

/**
 * {@code POST /<index>/_pefa/xs_refresh?refresh=true} with {@code {"field": "embedding",
 * "memory_index": "products-memory", "memory_field": "embedding", "ids": ["doc-1", ...]}}
 * ({@code memory_field} defaults to {@code field}; without {@code ids}, every document).
 */
final class RestXsRefreshAction extends BaseRestHandler {

  @Override
  public String getName() {
    return "pefa_xs_refresh";
  }

  @Override
  public List<Route> routes() {
    return List.of(new Route(RestRequest.Method.POST, "/{index}/_pefa/xs_refresh"));
  }

  @Override
  protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client)
      throws IOException {
    String index = request.param("index");
    boolean refresh = request.paramAsBoolean("refresh", false);
    Map<String, Object> body;
    if (request.hasContentOrSourceParam() == false) {
      throw new IllegalArgumentException(
          "[pefa] xs_refresh needs a body: {\"field\": ..., \"memory_index\": ...}");
    }
    try (var parser = request.contentOrSourceParamParser()) {
      body = parser.map();
    }
    for (String key : body.keySet()) {
      if (List.of("field", "memory_index", "memory_field", "ids").contains(key) == false) {
        throw new IllegalArgumentException("[pefa] xs_refresh does not support [" + key + "]");
      }
    }
    List<String> ids = null;
    if (body.get("ids") instanceof List<?> list) {
      ids = new ArrayList<>();
      for (Object id : list) {
        ids.add(String.valueOf(id));
      }
    }
    XsRefreshRequest refreshRequest =
        new XsRefreshRequest(
            index,
            (String) body.get("field"),
            (String) body.get("memory_index"),
            (String) body.get("memory_field"),
            ids,
            refresh);
    return channel ->
        client.execute(XsRefreshAction.INSTANCE, refreshRequest, new RestToXContentListener<>(channel));
  }
}
