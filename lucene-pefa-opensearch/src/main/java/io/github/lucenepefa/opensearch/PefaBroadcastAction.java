package io.github.lucenepefa.opensearch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.opensearch.OpenSearchTimeoutException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.PlainActionFuture;
import org.opensearch.action.support.broadcast.BroadcastRequest;
import org.opensearch.action.support.broadcast.BroadcastResponse;
import org.opensearch.action.support.broadcast.BroadcastShardOperationFailedException;
import org.opensearch.action.support.broadcast.BroadcastShardRequest;
import org.opensearch.action.support.broadcast.BroadcastShardResponse;
import org.opensearch.action.support.broadcast.TransportBroadcastAction;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.block.ClusterBlockException;
import org.opensearch.cluster.block.ClusterBlockLevel;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.index.shard.IndexShard;
import org.opensearch.core.action.support.DefaultShardOperationFailedException;
import org.opensearch.core.common.io.stream.Writeable;
import org.opensearch.indices.IndicesService;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;

/**
 * The shard plumbing that the plugin's read-only broadcast actions share: they run on the search
 * thread pool, are blocked by a {@link ClusterBlockLevel#READ} block, wait for a search-idle
 * shard's skipped refresh before reading it, and gather the shards' answers into the successful
 * answers and the failures, which {@link #newResponse(BroadcastRequest, int, int, List, List)}
 * merges.
 */
abstract class PefaBroadcastAction<
        Request extends BroadcastRequest<Request>,
        Response extends BroadcastResponse,
        ShardRequest extends BroadcastShardRequest,
        ShardResponse extends BroadcastShardResponse>
    extends TransportBroadcastAction<Request, Response, ShardRequest, ShardResponse> {

  /** How long a shard may take to run the refresh it skipped while search-idle. */
  private static final TimeValue SEARCH_ACTIVE_TIMEOUT = TimeValue.timeValueSeconds(30);

  final IndicesService indicesService;
  private final Class<ShardResponse> shardResponseClass;

  PefaBroadcastAction(
      String actionName,
      ClusterService clusterService,
      TransportService transportService,
      IndicesService indicesService,
      ActionFilters actionFilters,
      IndexNameExpressionResolver indexNameExpressionResolver,
      Writeable.Reader<Request> request,
      Writeable.Reader<ShardRequest> shardRequest,
      Class<ShardResponse> shardResponseClass) {
    super(
        actionName,
        clusterService,
        transportService,
        actionFilters,
        indexNameExpressionResolver,
        request,
        shardRequest,
        ThreadPool.Names.SEARCH);
    this.indicesService = indicesService;
    this.shardResponseClass = shardResponseClass;
  }

  @Override
  @SuppressWarnings("rawtypes") // the superclass's signature
  protected final Response newResponse(
      Request request, AtomicReferenceArray shardsResponses, ClusterState clusterState) {
    List<DefaultShardOperationFailedException> failures = new ArrayList<>();
    List<ShardResponse> answers = new ArrayList<>();
    for (int i = 0; i < shardsResponses.length(); i++) {
      Object response = shardsResponses.get(i);
      if (response instanceof BroadcastShardOperationFailedException e) {
        failures.add(new DefaultShardOperationFailedException(e));
      } else if (shardResponseClass.isInstance(response)) {
        answers.add(shardResponseClass.cast(response));
      }
    }
    return newResponse(request, shardsResponses.length(), answers.size(), failures, answers);
  }

  /**
   * Merges the answers of the {@code successful} shards (in shard order) of {@code totalShards};
   * {@code failures} holds the shards that failed.
   */
  abstract Response newResponse(
      Request request,
      int totalShards,
      int successful,
      List<DefaultShardOperationFailedException> failures,
      List<ShardResponse> answers);

  @Override
  protected ClusterBlockException checkGlobalBlock(ClusterState state, Request request) {
    return state.blocks().globalBlockedException(ClusterBlockLevel.READ);
  }

  @Override
  protected ClusterBlockException checkRequestBlock(
      ClusterState state, Request request, String[] concreteIndices) {
    return state.blocks().indicesBlockedException(ClusterBlockLevel.READ, concreteIndices);
  }

  /**
   * Waits, as a search does, for the refresh that a search-idle shard skipped ({@code
   * index.search.idle.after}): a memory index that only PEFA queries read receives no searches, so
   * without this the rows written while it was idle would stay unseen. Returns at once when no
   * refresh is pending; otherwise within the shard's next scheduled refresh.
   */
  static void awaitSearchActive(IndexShard shard) {
    PlainActionFuture<Boolean> refreshed = PlainActionFuture.newFuture();
    shard.awaitShardSearchActive(refreshed::onResponse);
    try {
      refreshed.actionGet(SEARCH_ACTIVE_TIMEOUT);
    } catch (OpenSearchTimeoutException e) {
      throw new IllegalStateException(
          "[pefa] memory shard "
              + shard.shardId()
              + " was search-idle and did not refresh within "
              + SEARCH_ACTIVE_TIMEOUT,
          e);
    }
  }
}
