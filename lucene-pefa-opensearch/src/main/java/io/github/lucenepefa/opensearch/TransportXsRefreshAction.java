package io.github.lucenepefa.opensearch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.opensearch.action.ActionRunnable;
import org.opensearch.action.admin.indices.refresh.RefreshRequest;
import org.opensearch.action.bulk.BulkItemResponse;
import org.opensearch.action.bulk.BulkRequest;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.search.ClearScrollRequest;
import org.opensearch.action.search.SearchRequest;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.action.search.SearchScrollRequest;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.HandledTransportAction;
import org.opensearch.action.update.UpdateRequest;
import org.opensearch.common.document.DocumentField;
import org.opensearch.common.inject.Inject;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.common.xcontent.support.XContentMapValues;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.search.SearchHit;
import org.opensearch.search.builder.SearchSourceBuilder;
import org.opensearch.tasks.Task;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;
import org.opensearch.transport.client.Client;

/**
 * Runs an XS refresh on the coordinating node: it reads the documents in batches of {@value
 * #BATCH} (a scroll over the main index), fetches the memory rows labelling each batch (one
 * {@link MemoryRowsAction} per batch, found through the memory's label terms), computes every
 * document's {@code u_d = normalize(sum_i Y[i,d] x_i)} with the core's formula, and updates the
 * documents whose stored {@code u_d} differs bit for bit, with {@code if_seq_no}/{@code
 * if_primary_term} so a concurrent write of the same document wins (counted as a conflict). Every
 * request goes through the node's client with the caller's thread context, so the caller's own
 * permissions apply to the reads and the updates.
 */
public final class TransportXsRefreshAction extends HandledTransportAction<XsRefreshRequest, XsRefreshResponse> {

  static final int BATCH = 500;
  private static final TimeValue SCROLL_KEEP_ALIVE = TimeValue.timeValueMinutes(5);

  private final Client client;
  private final ThreadPool threadPool;

  @Inject
  public TransportXsRefreshAction(
      TransportService transportService, ActionFilters actionFilters, Client client, ThreadPool threadPool) {
    super(XsRefreshAction.NAME, transportService, actionFilters, XsRefreshRequest::new);
    this.client = client;
    this.threadPool = threadPool;
  }

  @Override
  protected void doExecute(Task task, XsRefreshRequest request, ActionListener<XsRefreshResponse> listener) {
    // blocking client calls: run on the generic pool (it keeps the caller's thread context)
    threadPool.generic().execute(ActionRunnable.supply(listener, () -> refresh(request)));
  }

  private XsRefreshResponse refresh(XsRefreshRequest request) {
    long start = System.nanoTime();
    SearchSourceBuilder source =
        new SearchSourceBuilder()
            .query(
                request.ids == null
                    ? QueryBuilders.matchAllQuery()
                    : QueryBuilders.idsQuery().addIds(request.ids.toArray(new String[0])))
            .size(BATCH)
            .fetchSource(new String[] {request.field}, null)
            .seqNoAndPrimaryTerm(true)
            .sort("_doc");
    SearchResponse page =
        client.search(new SearchRequest(request.index).source(source).scroll(SCROLL_KEEP_ALIVE)).actionGet();
    long documents = 0, updated = 0, conflicts = 0, rowsRead = 0;
    String scrollId = page.getScrollId();
    try {
      while (true) {
        checkAllShards(page, request.index);
        SearchHit[] hits = page.getHits().getHits();
        if (hits.length == 0) {
          break;
        }
        long[] counts = refreshBatch(request, hits);
        documents += counts[0];
        updated += counts[1];
        conflicts += counts[2];
        rowsRead += counts[3];
        page =
            client.searchScroll(new SearchScrollRequest(scrollId).scroll(SCROLL_KEEP_ALIVE)).actionGet();
        scrollId = page.getScrollId();
      }
    } finally {
      ClearScrollRequest clear = new ClearScrollRequest();
      clear.addScrollId(scrollId);
      client.clearScroll(clear).actionGet();
    }
    if (request.refresh) {
      client.admin().indices().refresh(new RefreshRequest(request.index)).actionGet();
    }
    return new XsRefreshResponse(
        documents, updated, conflicts, rowsRead, (System.nanoTime() - start) / 1_000_000);
  }

  private static void checkAllShards(SearchResponse page, String index) {
    if (page.getFailedShards() > 0 || page.getSuccessfulShards() < page.getTotalShards()) {
      throw new IllegalStateException(
          "[pefa] xs_refresh read index ["
              + index
              + "] from "
              + page.getSuccessfulShards()
              + " of "
              + page.getTotalShards()
              + " shards; nothing was skipped silently, run it again");
    }
  }

  /** Refreshes one batch; returns {documents with the field, updated, conflicts, rows read}. */
  private long[] refreshBatch(XsRefreshRequest request, SearchHit[] hits) {
    List<String> ids = new ArrayList<>(hits.length);
    for (SearchHit hit : hits) {
      ids.add(hit.getId());
    }
    List<MemoryRow> rows =
        client
            .execute(
                MemoryRowsAction.INSTANCE,
                MemoryRowsRequest.labelling(request.memoryIndex, request.memoryField, ids))
            .actionGet()
            .rowsOrThrow();
    List<PefaCore.StoredRow> stored = new ArrayList<>(rows.size());
    for (MemoryRow row : rows) {
      stored.add(new PefaCore.StoredRow(row.rowId(), row.vector(), row.labels()));
    }
    String what = "[" + request.field + "]";
    long documents = 0;
    BulkRequest bulk = new BulkRequest();
    for (SearchHit hit : hits) {
      if (hit.hasSource() == false) {
        throw new IllegalArgumentException(
            "[pefa] xs_refresh reads "
                + what
                + " from _source, and index ["
                + request.index
                + "] returned none for document ["
                + hit.getId()
                + "] (is _source disabled?)");
      }
      Object value = XContentMapValues.extractValue(request.field, hit.getSourceAsMap());
      Object vectorValue;
      float[] storedU = null;
      if (value instanceof List<?> list) {
        vectorValue = list;
      } else if (value instanceof Map<?, ?> map) {
        vectorValue = map.get("vector");
        if (map.get("label_centroid") instanceof String text) {
          storedU = Vectors.decode(text, lengthOf(vectorValue, what), what + " label_centroid");
        }
      } else {
        continue; // no vector: not a PEFA document
      }
      if (vectorValue instanceof List<?> == false) {
        continue;
      }
      documents++;
      int dim = ((List<?>) vectorValue).size();
      float[] u = PefaCore.labelCentroid(stored, hit.getId(), dim);
      if (storedU == null) {
        storedU = new float[dim];
      }
      if (Arrays.equals(u, storedU)) {
        continue;
      }
      Map<String, Object> fieldValue = new HashMap<>();
      fieldValue.put("vector", vectorValue);
      fieldValue.put("label_centroid", Vectors.isZero(u) ? null : Vectors.encode(u));
      UpdateRequest update =
          new UpdateRequest(request.index, hit.getId())
              .doc(nest(request.field, fieldValue))
              .setIfSeqNo(hit.getSeqNo())
              .setIfPrimaryTerm(hit.getPrimaryTerm());
      DocumentField routing = hit.field("_routing");
      if (routing != null) {
        update.routing(routing.getValue());
      }
      bulk.add(update);
    }
    long updated = 0, conflicts = 0;
    if (bulk.numberOfActions() > 0) {
      BulkResponse response = client.bulk(bulk).actionGet();
      for (BulkItemResponse item : response.getItems()) {
        if (item.isFailed() == false) {
          updated++;
        } else if (item.getFailure().getStatus() == RestStatus.CONFLICT) {
          conflicts++;
        } else {
          throw new IllegalStateException(
              "[pefa] xs_refresh could not update document ["
                  + item.getId()
                  + "]: "
                  + item.getFailureMessage());
        }
      }
    }
    return new long[] {documents, updated, conflicts, rows.size()};
  }

  private static int lengthOf(Object vectorValue, String what) {
    if (vectorValue instanceof List<?> list) {
      return list.size();
    }
    throw new IllegalArgumentException(what + " has no [vector]");
  }

  /** {@code a.b} -> {@code {"a": {"b": value}}}. */
  private static Map<String, Object> nest(String path, Object value) {
    String[] parts = path.split("\\.");
    Object current = value;
    for (int i = parts.length - 1; i >= 0; i--) {
      Map<String, Object> m = new HashMap<>();
      m.put(parts[i], current);
      current = m;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> out = (Map<String, Object>) current;
    return out;
  }
}
