package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.util.List;
import org.opensearch.ExceptionsHelper;
import org.opensearch.action.support.broadcast.BroadcastResponse;
import org.opensearch.core.action.support.DefaultShardOperationFailedException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;

/** The rows of every memory shard, concatenated, with the shards that failed. */
final class MemoryRowsResponse extends BroadcastResponse {

  final List<MemoryRow> rows;

  MemoryRowsResponse(
      int totalShards,
      int successfulShards,
      int failedShards,
      List<DefaultShardOperationFailedException> failures,
      List<MemoryRow> rows) {
    super(totalShards, successfulShards, failedShards, failures);
    this.rows = rows;
  }

  MemoryRowsResponse(StreamInput in) throws IOException {
    super(in);
    rows = in.readList(MemoryRow::new);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    out.writeList(rows);
  }

  /**
   * The rows, or the failure of the first failed shard: a memory with a missing shard would give a
   * wrong {@code N_k(q)}, so a partial answer is never used.
   */
  List<MemoryRow> rowsOrThrow() {
    if (getFailedShards() > 0 || getSuccessfulShards() < getTotalShards()) {
      DefaultShardOperationFailedException[] failures = getShardFailures();
      Throwable cause =
          failures.length > 0 ? ExceptionsHelper.unwrapCause(failures[0].getCause()) : null;
      if (cause instanceof IllegalArgumentException iae) {
        throw new IllegalArgumentException(iae.getMessage(), iae);
      }
      String reason = failures.length > 0 ? failures[0].reason() : "no shard copy available";
      throw new IllegalStateException(
          "[pefa] the memory index answered from "
              + getSuccessfulShards()
              + " of "
              + getTotalShards()
              + " shards: "
              + reason);
    }
    return rows;
  }
}
