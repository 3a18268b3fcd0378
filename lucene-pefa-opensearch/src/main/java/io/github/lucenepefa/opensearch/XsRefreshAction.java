package io.github.lucenepefa.opensearch;

import org.opensearch.action.ActionType;

/**
 * Recomputes the PEFA-XS label centroids {@code u_d} of a main index's documents from its training
 * memory and re-indexes, through OpenSearch's update path, exactly the documents whose {@code u_d}
 * changed. REST: {@code POST /<index>/_pefa/xs_refresh}.
 */
final class XsRefreshAction extends ActionType<XsRefreshResponse> {

  static final String NAME = "indices:data/write/pefa/xs_refresh";
  static final XsRefreshAction INSTANCE = new XsRefreshAction();

  private XsRefreshAction() {
    super(NAME, XsRefreshResponse::new);
  }
}
