package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.search.Neighbour;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.BytesRef;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.routing.GroupShardsIterator;
import org.opensearch.cluster.routing.ShardIterator;
import org.opensearch.cluster.routing.ShardRouting;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.support.DefaultShardOperationFailedException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.index.engine.Engine;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.shard.IndexShard;
import org.opensearch.indices.IndicesService;
import org.opensearch.tasks.Task;
import org.opensearch.transport.TransportService;

/**
 * Runs a {@link MemoryRowsRequest} on one copy of every shard of a training-memory index (the
 * local copy when there is one: the memory is kept on every data node) against the shard's
 * latest refreshed searcher.
 */
public final class TransportMemoryRowsAction
    extends PefaBroadcastAction<
        MemoryRowsRequest, MemoryRowsResponse, MemoryRowsShardRequest, MemoryRowsShardResponse> {

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
        indicesService,
        actionFilters,
        indexNameExpressionResolver,
        MemoryRowsRequest::new,
        MemoryRowsShardRequest::new,
        MemoryRowsShardResponse.class);
  }

  @Override
  MemoryRowsResponse newResponse(
      MemoryRowsRequest request,
      int totalShards,
      int successful,
      List<DefaultShardOperationFailedException> failures,
      List<MemoryRowsShardResponse> answers) {
    List<MemoryRow> rows = new ArrayList<>();
    for (MemoryRowsShardResponse answer : answers) {
      rows.addAll(answer.rows);
    }
    return new MemoryRowsResponse(totalShards, successful, failures.size(), failures, rows);
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
    MemoryRowsParams params = request.params;
    IndexShard shard =
        indicesService.indexServiceSafe(request.shardId().getIndex()).getShard(request.shardId().id());
    MappedFieldType type = shard.mapperService().fieldType(params.field());
    if (type instanceof PefaMemoryFieldMapper.PefaMemoryFieldType == false) {
      throw new IllegalArgumentException(
          "[pefa] field ["
              + params.field()
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
      if (params.vector() != null) {
        if (params.vector().length != schema.dimension()) {
          throw new IllegalArgumentException(
              "[pefa] the query vector has dimension "
                  + params.vector().length
                  + ", but field ["
                  + params.field()
                  + "] of memory index ["
                  + request.shardId().getIndexName()
                  + "] has dimension "
                  + schema.dimension());
        }
        for (Neighbour nb :
            PefaCore.nearest(
                searcher,
                schema,
                params.vector(),
                params.k(),
                PefaCore.memoryEffort(params.exact(), params.efSearch(), params.k()),
                params.oversample())) {
          rows.add(new MemoryRow(nb.rowId(), nb.similarity(), nb.labels(), null));
        }
      } else {
        List<BytesRef> terms = new ArrayList<>(params.keys().size());
        for (String key : params.keys()) {
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

  @Override
  protected GroupShardsIterator<ShardIterator> shards(
      ClusterState clusterState, MemoryRowsRequest request, String[] concreteIndices) {
    return clusterService.operationRouting().searchShards(clusterState, concreteIndices, null, "_local");
  }
}
