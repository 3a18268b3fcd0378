package io.github.lucenepefa.opensearch;

import java.io.IOException;
import org.opensearch.action.support.IndicesOptions;
import org.opensearch.action.support.broadcast.BroadcastRequest;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;

/**
 * A {@link GlobalStatsAction} request: the {@code pefa} query (without neighbours) and the indices,
 * index options, routing, preference and time of the search it belongs to, so that the phase
 * reads the shards the search reads and resolves the query's filter as the search does.
 */
final class GlobalStatsRequest extends BroadcastRequest<GlobalStatsRequest> {

  final PefaQueryBuilder query;
  final String routing;
  final String preference;
  final long nowInMillis;
  /** The lexical clause's term statistics of the first round, or null in the first round. */
  final LexicalTermStats terms;

  GlobalStatsRequest(
      String[] indices,
      IndicesOptions options,
      String routing,
      String preference,
      long nowInMillis,
      PefaQueryBuilder query,
      LexicalTermStats terms) {
    super(indices, options);
    this.terms = terms;
    this.query = query;
    this.routing = routing;
    this.preference = preference;
    this.nowInMillis = nowInMillis;
  }

  GlobalStatsRequest(StreamInput in) throws IOException {
    super(in);
    query = new PefaQueryBuilder(in);
    routing = in.readOptionalString();
    preference = in.readOptionalString();
    nowInMillis = in.readLong();
    terms = in.readOptionalWriteable(LexicalTermStats::new);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    query.writeTo(out);
    out.writeOptionalString(routing);
    out.writeOptionalString(preference);
    out.writeLong(nowInMillis);
    out.writeOptionalWriteable(terms);
  }
}
