package io.github.lucenepefa.opensearch;

import java.io.IOException;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ToXContentObject;
import org.opensearch.core.xcontent.XContentBuilder;

/**
 * What an XS refresh did: documents read, documents whose {@code u_d} changed and were updated,
 * updates lost to a concurrent write of the same document (run the refresh again for those), and
 * the memory rows read.
 */
final class XsRefreshResponse extends ActionResponse implements ToXContentObject {

  final long documents;
  final long updated;
  final long conflicts;
  final long memoryRows;
  final long tookMillis;

  XsRefreshResponse(long documents, long updated, long conflicts, long memoryRows, long tookMillis) {
    this.documents = documents;
    this.updated = updated;
    this.conflicts = conflicts;
    this.memoryRows = memoryRows;
    this.tookMillis = tookMillis;
  }

  XsRefreshResponse(StreamInput in) throws IOException {
    super(in);
    documents = in.readVLong();
    updated = in.readVLong();
    conflicts = in.readVLong();
    memoryRows = in.readVLong();
    tookMillis = in.readVLong();
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeVLong(documents);
    out.writeVLong(updated);
    out.writeVLong(conflicts);
    out.writeVLong(memoryRows);
    out.writeVLong(tookMillis);
  }

  @Override
  public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
    return builder
        .startObject()
        .field("took", tookMillis)
        .field("documents", documents)
        .field("updated", updated)
        .field("conflicts", conflicts)
        .field("memory_rows_read", memoryRows)
        .endObject();
  }
}
