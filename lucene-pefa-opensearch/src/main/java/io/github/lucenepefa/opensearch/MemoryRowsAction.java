package io.github.lucenepefa.opensearch;

import org.opensearch.action.ActionType;

/**
 * Reads rows of a training-memory index, on every shard of it: the {@code k} nearest rows of a
 * query vector (PEFA-XL's {@code N_k(q)}), or the rows labelling given documents (PEFA-XS refresh).
 * An indices read action, so the caller's own permissions on the memory index apply.
 */
final class MemoryRowsAction extends ActionType<MemoryRowsResponse> {

  static final String NAME = "indices:data/read/pefa/memory_rows";
  static final MemoryRowsAction INSTANCE = new MemoryRowsAction();

  private MemoryRowsAction() {
    super(NAME, MemoryRowsResponse::new);
  }
}
