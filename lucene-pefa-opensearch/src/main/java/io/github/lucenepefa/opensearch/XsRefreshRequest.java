package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.util.List;
import org.opensearch.action.ActionRequest;
import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.action.IndicesRequest;
import org.opensearch.action.ValidateActions;
import org.opensearch.action.support.IndicesOptions;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;

/**
 * A {@link XsRefreshAction} request: the main index and its {@code pefa_vector} field, the memory
 * index and its {@code pefa_memory} field, and optionally the {@code _id}s to refresh (all
 * documents with the field otherwise).
 */
final class XsRefreshRequest extends ActionRequest implements IndicesRequest {

  final String index;
  final String field;
  final String memoryIndex;
  final String memoryField;
  final List<String> ids;
  final boolean refresh;

  XsRefreshRequest(
      String index,
      String field,
      String memoryIndex,
      String memoryField,
      List<String> ids,
      boolean refresh) {
    this.index = index;
    this.field = field;
    this.memoryIndex = memoryIndex;
    this.memoryField = memoryField == null ? field : memoryField;
    this.ids = ids == null ? null : List.copyOf(ids);
    this.refresh = refresh;
  }

  XsRefreshRequest(StreamInput in) throws IOException {
    super(in);
    index = in.readString();
    field = in.readString();
    memoryIndex = in.readString();
    memoryField = in.readString();
    ids = in.readBoolean() ? in.readStringList() : null;
    refresh = in.readBoolean();
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    out.writeString(index);
    out.writeString(field);
    out.writeString(memoryIndex);
    out.writeString(memoryField);
    out.writeBoolean(ids != null);
    if (ids != null) {
      out.writeStringCollection(ids);
    }
    out.writeBoolean(refresh);
  }

  @Override
  public ActionRequestValidationException validate() {
    ActionRequestValidationException e = null;
    if (field == null || field.isEmpty()) {
      e = ValidateActions.addValidationError("[field] is required", e);
    }
    if (memoryIndex == null || memoryIndex.isEmpty()) {
      e = ValidateActions.addValidationError("[memory_index] is required", e);
    }
    return e;
  }

  @Override
  public String[] indices() {
    return new String[] {index};
  }

  @Override
  public IndicesOptions indicesOptions() {
    return IndicesOptions.strictSingleIndexNoExpandForbidClosed();
  }
}
