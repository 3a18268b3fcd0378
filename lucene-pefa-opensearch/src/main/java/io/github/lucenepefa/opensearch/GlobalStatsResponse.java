package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.util.List;
import org.opensearch.ExceptionsHelper;
import org.opensearch.action.support.broadcast.BroadcastResponse;
import org.opensearch.core.action.support.DefaultShardOperationFailedException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;

/** The merged {@link GlobalStats} of every shard, with the shards that failed. */
final class GlobalStatsResponse extends BroadcastResponse {

  private final GlobalStats stats;

  GlobalStatsResponse(
      int totalShards,
      int successfulShards,
      int failedShards,
      List<DefaultShardOperationFailedException> failures,
      GlobalStats stats) {
    super(totalShards, successfulShards, failedShards, failures);
    this.stats = stats;
  }

  GlobalStatsResponse(StreamInput in) throws IOException {
    super(in);
    stats = in.readOptionalWriteable(GlobalStats::new);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    out.writeOptionalWriteable(stats);
  }

  /**
   * The statistics, or the failure of the first failed shard: statistics missing a shard would
   * rank differently from one index, so a partial answer is never used.
   */
  GlobalStats statsOrThrow() {
    if (getFailedShards() > 0 || getSuccessfulShards() < getTotalShards() || stats == null) {
      DefaultShardOperationFailedException[] failures = getShardFailures();
      Throwable cause =
          failures.length > 0 ? ExceptionsHelper.unwrapCause(failures[0].getCause()) : null;
      if (cause instanceof IllegalArgumentException iae) {
        throw new IllegalArgumentException(iae.getMessage(), iae);
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      String reason = failures.length > 0 ? failures[0].reason() : "no shard copy available";
      throw new IllegalStateException(
          "[pefa] the global statistics came from "
              + getSuccessfulShards()
              + " of "
              + getTotalShards()
              + " shards: "
              + reason);
    }
    return stats;
  }
}
