package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.search.Neighbour;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.BytesRef;
import org.opensearch.OpenSearchTimeoutException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.PlainActionFuture;
import org.opensearch.action.support.broadcast.BroadcastShardOperationFailedException;
import org.opensearch.action.support.broadcast.TransportBroadcastAction;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.block.ClusterBlockException;
import org.opensearch.cluster.block.ClusterBlockLevel;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.routing.GroupShardsIterator;
import org.opensearch.cluster.routing.ShardIterator;
import org.opensearch.cluster.routing.ShardRouting;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.core.action.support.DefaultShardOperationFailedException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.index.engine.Engine;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.shard.IndexShard;
import org.opensearch.indices.IndicesService;
import org.opensearch.tasks.Task;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;

/**
 * Runs a {@link MemoryRowsRequest} on one copy of every shard of a training-memory index (the
 * local copy when there is one: the memory is kept on every data node) against the shard's
 * latest refreshed searcher.
 */
public final class TransportMemoryRowsAction
    extends TransportBroadcastAction<
        MemoryRowsRequest, MemoryRowsResponse, MemoryRowsShardRequest, MemoryRowsShardResponse> {

  /** How long a shard may take to run the refresh it skipped while search-idle. */
  private static final TimeValue SEARCH_ACTIVE_TIMEOUT = TimeValue.timeValueSeconds(30);

  private final IndicesService indicesService;

  @Inject
  public TransportMemoryRowsAction(
      ClusterService clusterService,
      TransportService transportService,
      IndicesService indicesService,
      ActionFilters actionFilters,
      IndexNameExpressionResolver indexNameExpressionResolver) {
    super(
        MemoryRowsAction.NAME,
        clusterService,
        transportService,
        actionFilters,
        indexNameExpressionResolver,
        MemoryRowsRequest::new,
        MemoryRowsShardRequest::new,
        ThreadPool.Names.SEARCH);
    this.indicesService = indicesService;
  }

  @Override
  @SuppressWarnings("rawtypes") // the superclass's signature
  protected MemoryRowsResponse newResponse(
      MemoryRowsRequest request, AtomicReferenceArray shardsResponses, ClusterState clusterState) {
    int successful = 0;
    List<DefaultShardOperationFailedException> failures = new ArrayList<>();
    List<MemoryRow> rows = new ArrayList<>();
    for (int i = 0; i < shardsResponses.length(); i++) {
      Object response = shardsResponses.get(i);
      if (response instanceof BroadcastShardOperationFailedException e) {
        failures.add(new DefaultShardOperationFailedException(e));
      } else if (response instanceof MemoryRowsShardResponse shardResponse) {
        successful++;
        rows.addAll(shardResponse.rows);
      }
    }
    return new MemoryRowsResponse(
        shardsResponses.length(), successful, failures.size(), failures, rows);
  }

  @Override
  protected MemoryRowsShardRequest newShardRequest(
      int numShards, ShardRouting shard, MemoryRowsRequest request) {
    return new MemoryRowsShardRequest(shard.shardId(), request);
  }

  @Override
  protected MemoryRowsShardResponse readShardResponse(StreamInput in) throws IOException {
    return new MemoryRowsShardResponse(in);
  }

  @Override
  protected MemoryRowsShardResponse shardOperation(MemoryRowsShardRequest request, Task task)
      throws IOException {
    IndexShard shard =
        indicesService.indexServiceSafe(request.shardId().getIndex()).getShard(request.shardId().id());
    MappedFieldType type = shard.mapperService().fieldType(request.field);
    if (type instanceof PefaMemoryFieldMapper.PefaMemoryFieldType == false) {
      throw new IllegalArgumentException(
          "[pefa] field ["
              + request.field
              + "] of memory index ["
              + request.shardId().getIndexName()
              + "] is "
              + (type == null ? "not mapped" : "of type [" + type.typeName() + "]")
              + ", expected a ["
              + PefaMemoryFieldMapper.CONTENT_TYPE
              + "] field");
    }
    PefaSchema schema = ((PefaMemoryFieldMapper.PefaMemoryFieldType) type).schema();
    awaitSearchActive(shard);
    List<MemoryRow> rows = new ArrayList<>();
    try (Engine.Searcher searcher = shard.acquireSearcher("pefa_memory_rows")) {
      if (request.vector != null) {
        if (request.vector.length != schema.dimension()) {
          throw new IllegalArgumentException(
              "[pefa] the query vector has dimension "
                  + request.vector.length
                  + ", but field ["
                  + request.field
                  + "] of memory index ["
                  + request.shardId().getIndexName()
                  + "] has dimension "
                  + schema.dimension());
        }
        for (Neighbour nb :
            PefaCore.nearest(
                searcher,
                schema,
                request.vector,
                request.k,
                PefaCore.memoryEffort(request.exact, request.efSearch, request.k),
                request.oversample)) {
          rows.add(new MemoryRow(nb.rowId(), nb.similarity(), nb.labels(), null));
        }
      } else {
        List<BytesRef> terms = new ArrayList<>(request.keys.size());
        for (String key : request.keys) {
          terms.add(new BytesRef(key));
        }
        TermInSetQuery query = new TermInSetQuery(PefaCore.labelTermsField(schema), terms);
        TopDocs hits = searcher.search(query, Math.max(1, searcher.getIndexReader().maxDoc()));
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        for (ScoreDoc hit : hits.scoreDocs) {
          LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(hit.doc, leaves));
          PefaCore.StoredRow row = PefaCore.readRow(schema, leaf, hit.doc - leaf.docBase);
          if (row != null) {
            rows.add(new MemoryRow(row.rowId(), 0f, row.labels(), row.vector()));
          }
        }
      }
    }
    return new MemoryRowsShardResponse(request.shardId(), rows);
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

  @Override
  protected GroupShardsIterator<ShardIterator> shards(
      ClusterState clusterState, MemoryRowsRequest request, String[] concreteIndices) {
    return clusterService.operationRouting().searchShards(clusterState, concreteIndices, null, "_local");
  }

  @Override
  protected ClusterBlockException checkGlobalBlock(ClusterState state, MemoryRowsRequest request) {
    return state.blocks().globalBlockedException(ClusterBlockLevel.READ);
  }

  @Override
  protected ClusterBlockException checkRequestBlock(
      ClusterState state, MemoryRowsRequest request, String[] concreteIndices) {
    return state.blocks().indicesBlockedException(ClusterBlockLevel.READ, concreteIndices);
  }
}
