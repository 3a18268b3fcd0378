package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.index.PefaSchema;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.similarities.Similarity;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.routing.GroupShardsIterator;
import org.opensearch.cluster.routing.ShardIterator;
import org.opensearch.cluster.routing.ShardRouting;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.action.support.DefaultShardOperationFailedException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.index.IndexService;
import org.opensearch.index.engine.Engine;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.shard.IndexShard;
import org.opensearch.indices.IndicesService;
import org.opensearch.tasks.Task;
import org.opensearch.transport.TransportService;

/**
 * Runs a {@link GlobalStatsRequest} on one copy of every shard the search reads (its indices,
 * routing and preference) against the shard's latest refreshed searcher, and merges the answers
 * into {@link GlobalStats} on the coordinating node. A search that reads one shard asks none
 * ({@link GlobalStats#ONE_SHARD}).
 */
public final class TransportGlobalStatsAction
    extends PefaBroadcastAction<
        GlobalStatsRequest, GlobalStatsResponse, GlobalStatsShardRequest, GlobalStatsShardResponse> {

  @Inject
  public TransportGlobalStatsAction(
      ClusterService clusterService,
      TransportService transportService,
      IndicesService indicesService,
      ActionFilters actionFilters,
      IndexNameExpressionResolver indexNameExpressionResolver) {
    super(
        GlobalStatsAction.NAME,
        clusterService,
        transportService,
        indicesService,
        actionFilters,
        indexNameExpressionResolver,
        GlobalStatsRequest::new,
        GlobalStatsShardRequest::new,
        GlobalStatsShardResponse.class);
  }

  /**
   * Answers {@link GlobalStats#ONE_SHARD} at once, without asking any shard, when the search reads
   * one shard (its own statistics are then the whole search's); otherwise asks every shard.
   */
  @Override
  protected void doExecute(
      Task task, GlobalStatsRequest request, ActionListener<GlobalStatsResponse> listener) {
    int shards;
    try {
      ClusterState state = clusterService.state();
      shards =
          shards(state, request, indexNameExpressionResolver.concreteIndexNames(state, request))
              .size();
    } catch (RuntimeException e) {
      shards = -1; // the broadcast reports the problem as it reports any other
    }
    if (shards == 1) {
      listener.onResponse(new GlobalStatsResponse(1, 1, 0, List.of(), GlobalStats.ONE_SHARD));
    } else {
      super.doExecute(task, request, listener);
    }
  }

  @Override
  GlobalStatsResponse newResponse(
      GlobalStatsRequest request,
      int totalShards,
      int successful,
      List<DefaultShardOperationFailedException> failures,
      List<GlobalStatsShardResponse> answers) {
    List<float[]> ermScores = new ArrayList<>();
    List<float[]> lexicalScores = new ArrayList<>();
    List<LexicalTermStats> terms = new ArrayList<>();
    float lexicalMax = 0f;
    for (GlobalStatsShardResponse shard : answers) {
      ermScores.add(shard.ermTopKScores);
      lexicalScores.add(shard.lexicalTopScores);
      if (shard.terms != null) {
        terms.add(shard.terms);
      }
      if (Float.isNaN(shard.lexicalMax) == false) {
        lexicalMax = Math.max(lexicalMax, shard.lexicalMax);
      }
    }
    GlobalStats stats = null;
    PefaQueryBuilder query = request.query;
    if (failures.isEmpty() && firstRound(query, request.terms)) {
      stats = GlobalStats.termsOnly(LexicalTermStats.sum(terms));
    } else if (failures.isEmpty()) {
      boolean lexical = query.lexicalActive();
      stats =
          new GlobalStats(
              query.xl()
                  ? PefaCore.ermTopKThreshold(ermScores, query.topKOrDefault())
                  : Float.NEGATIVE_INFINITY,
              request.terms,
              lexical ? lexicalMax : Float.NaN,
              lexical
                  ? PefaCore.ermTopKThreshold(
                      lexicalScores, PefaCore.lexicalCandidates(query.numCandidatesOrDefault()))
                  : Float.NaN);
    }
    return new GlobalStatsResponse(totalShards, successful, failures.size(), failures, stats);
  }

  /** The first of a lexical clause's two rounds: the term statistics. */
  private static boolean firstRound(PefaQueryBuilder query, LexicalTermStats terms) {
    return query.lexicalActive() && terms == null;
  }

  @Override
  protected GlobalStatsShardRequest newShardRequest(
      int numShards, ShardRouting shard, GlobalStatsRequest request) {
    return new GlobalStatsShardRequest(shard.shardId(), request);
  }

  @Override
  protected GlobalStatsShardResponse readShardResponse(StreamInput in) throws IOException {
    return new GlobalStatsShardResponse(in);
  }

  @Override
  protected GlobalStatsShardResponse shardOperation(GlobalStatsShardRequest request, Task task)
      throws IOException {
    IndexService indexService = indicesService.indexServiceSafe(request.shardId().getIndex());
    IndexShard shard = indexService.getShard(request.shardId().id());
    awaitSearchActive(shard);
    try (Engine.Searcher searcher = shard.acquireSearcher("pefa_global_stats")) {
      QueryShardContext context =
          indexService.newQueryShardContext(
              request.shardId().id(), searcher, () -> request.nowInMillis, null);
      PefaQueryBuilder query = request.query;
      PefaSchema schema = query.schema(context);
      Similarity similarity = context.getSearchSimilarity();
      float[] none = new float[0];
      if (firstRound(query, request.terms)) {
        return new GlobalStatsShardResponse(
            request.shardId(),
            LexicalTermStats.collect(searcher, similarity, query.lexicalQuery(context)),
            none,
            Float.NaN,
            none);
      }
      Query filter = query.filterQuery(context);
      PefaCore.QueryParams params = query.params(null);
      float[] erm = query.xl() ? PefaCore.ermTopKScores(schema, params, filter, searcher) : none;
      if (query.lexicalActive() == false) {
        return new GlobalStatsShardResponse(request.shardId(), null, erm, Float.NaN, none);
      }
      searcher.setSimilarity(similarity); // as the search's own searcher scores
      Query lexical = new LexicalStatsQuery(query.lexicalQuery(context), request.terms);
      PefaCore.LexicalStatistics lex =
          PefaCore.lexicalStatistics(
              schema, params, filter, lexical, query.lexicalWeight(), searcher);
      return new GlobalStatsShardResponse(request.shardId(), null, erm, lex.max(), lex.topScores());
    }
  }

  @Override
  protected GroupShardsIterator<ShardIterator> shards(
      ClusterState clusterState, GlobalStatsRequest request, String[] concreteIndices) {
    return clusterService
        .operationRouting()
        .searchShards(
            clusterState,
            concreteIndices,
            indexNameExpressionResolver.resolveSearchRouting(
                clusterState, request.routing, request.indices()),
            request.preference);
  }
}
