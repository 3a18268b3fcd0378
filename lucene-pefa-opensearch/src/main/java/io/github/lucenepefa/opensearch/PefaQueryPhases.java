package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.search.Neighbour;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.lucene.util.SetOnce;
import org.opensearch.ExceptionsHelper;
import org.opensearch.action.IndicesRequest;
import org.opensearch.action.search.SearchRequest;
import org.opensearch.core.action.ActionListener;
import org.opensearch.index.IndexNotFoundException;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryCoordinatorContext;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.search.builder.SearchSourceBuilder;
import org.opensearch.transport.client.Client;

/**
 * The work a {@code pefa} query does once per search on the coordinating node, in its rewrite,
 * before any shard ranks a document: the global {@code N_k(q)} from the memory index ({@link
 * MemoryRowsAction}), and the whole search's statistics ({@link GlobalStatsAction}), read from
 * the shards the search itself reads (no shard is asked when the search reads one: {@link
 * GlobalStats#ONE_SHARD}). The coordinator's rewrite context ({@link
 * QueryCoordinatorContext}) carries the search request: its indices, index options, routing,
 * preference and {@code from + size}.
 */
final class PefaQueryPhases {

  private PefaQueryPhases() {}

  /**
   * The coordinator's part of the query's rewrite: resolves {@code num_candidates} from the search
   * request, then registers the neighbour search (PEFA-XL) and the next round of the statistics
   * phase as async actions; a shard's rewrite (no search request) only fetches missing neighbours.
   */
  static QueryBuilder fetch(PefaQueryBuilder q, QueryRewriteContext context) {
    QueryCoordinatorContext coordinator = context.convertToCoordinatorContext();
    if (coordinator != null && q.numCandidates == null) {
      PefaQueryBuilder b = q.copy();
      b.numCandidates = hits(coordinator, PefaQueryBuilder.DEFAULT_HITS);
      return b;
    }
    boolean fetchNeighbours = q.xl && q.neighbours == null;
    boolean fetchStats =
        coordinator != null && (q.stats == null || q.stats.complete() == false) && needed(q);
    if (fetchNeighbours == false && fetchStats == false) {
      return q;
    }
    PefaQueryBuilder b = q.copy();
    if (fetchStats) {
      b.statsSupplier = register(context, coordinator, q, q.stats);
    }
    if (fetchNeighbours) {
      SetOnce<List<Neighbour>> holder = new SetOnce<>();
      context.registerAsyncAction(
          (client, listener) ->
              fetchNeighbours(
                  client,
                  q.memoryIndex,
                  q.memoryField == null ? q.field : q.memoryField,
                  q.vector,
                  q.k,
                  q.exact,
                  q.efSearchOrDefault(),
                  q.oversample == null ? 0f : q.oversample,
                  ActionListener.map(
                      listener,
                      list -> {
                        holder.set(list);
                        return null;
                      })));
      b.neighboursSupplier = holder::get;
    }
    return b;
  }

  /**
   * The number of hits the search asks for, {@code from + size}, or {@code fallback} when the
   * request is not a search or asks for none (a {@code size: 0} aggregation, a count).
   */
  static int hits(QueryCoordinatorContext coordinator, int fallback) {
    IndicesRequest request = coordinator.getSearchRequest();
    if (request instanceof SearchRequest search && search.source() != null) {
      SearchSourceBuilder source = search.source();
      long hits =
          (long) Math.max(0, source.from()) + (source.size() < 0 ? fallback : source.size());
      return hits > 0 ? (int) Math.min(Integer.MAX_VALUE, hits) : fallback;
    }
    return fallback;
  }

  /**
   * Whether a shard alone would rank differently from one index of every document: PEFA-XL's ERM
   * top-K is the whole index's K best, so a shard's own K best would give ERM candidacy (both
   * {@code erm_score} modes) and the ERM part ({@code top_k}) to documents one index does not; a
   * lexical clause's scores depend on term statistics, its normaliser is the whole index's top
   * lexical score, and its candidates are the whole index's lexical top-K.
   */
  static boolean needed(PefaQueryBuilder query) {
    return query.xl() || query.lexicalActive();
  }

  /**
   * Registers the next round of the statistics phase of {@code query} as an async action of the
   * rewrite: the lexical clause's term statistics first (when it has one), then the scores.
   *
   * @param previous the first round's statistics, or null
   * @return the statistics once the action ran, null before
   */
  static Supplier<GlobalStats> register(
      QueryRewriteContext context,
      QueryCoordinatorContext coordinator,
      PefaQueryBuilder query,
      GlobalStats previous) {
    IndicesRequest search = coordinator.getSearchRequest();
    String routing = search instanceof SearchRequest s ? s.routing() : null;
    String preference = search instanceof SearchRequest s ? s.preference() : null;
    GlobalStatsRequest request =
        new GlobalStatsRequest(
            search.indices(),
            search.indicesOptions(),
            routing,
            preference,
            context.nowInMillis(),
            query,
            previous == null ? null : previous.terms());
    SetOnce<GlobalStats> holder = new SetOnce<>();
    context.registerAsyncAction(
        (client, listener) ->
            client.execute(
                GlobalStatsAction.INSTANCE,
                request,
                ActionListener.map(
                    listener,
                    response -> {
                      holder.set(response.statsOrThrow());
                      return null;
                    })));
    return holder::get;
  }

  /** Searches the memory index for the global N_k(q), with the caller's own permissions. */
  static void fetchNeighbours(
      Client client,
      String memoryIndex,
      String memoryField,
      float[] vector,
      int k,
      boolean exact,
      int efSearch,
      float oversample,
      ActionListener<List<Neighbour>> listener) {
    MemoryRowsRequest request =
        MemoryRowsRequest.nearest(
            memoryIndex, memoryField, vector, k, exact, efSearch, oversample);
    client.execute(
        MemoryRowsAction.INSTANCE,
        request,
        ActionListener.wrap(
            response -> {
              List<Neighbour> all = new ArrayList<>();
              for (MemoryRow row : response.rowsOrThrow()) {
                all.add(new Neighbour(row.rowId(), row.similarity(), row.labels()));
              }
              listener.onResponse(PefaCore.topNeighbours(all, k));
            },
            e -> {
              if (ExceptionsHelper.unwrapCause(e) instanceof IndexNotFoundException) {
                listener.onFailure(
                    new IllegalArgumentException(
                        "[pefa] memory_index [" + memoryIndex + "] does not exist", e));
              } else {
                listener.onFailure(e);
              }
            }));
  }
}
