package io.github.lucenepefa.opensearch;

import org.opensearch.action.ActionType;

/**
 * The distributed-statistics phase of a {@code pefa} query (like the DFS phase of {@code
 * dfs_query_then_fetch}): runs on one copy of every shard the search reads and returns what a
 * shard alone cannot know, merged into {@link GlobalStats}. An indices read action, so the
 * caller's own permissions on the searched indices apply.
 */
final class GlobalStatsAction extends ActionType<GlobalStatsResponse> {

  static final String NAME = "indices:data/read/pefa/global_stats";
  static final GlobalStatsAction INSTANCE = new GlobalStatsAction();

  private GlobalStatsAction() {
    super(NAME, GlobalStatsResponse::new);
  }
}
