package io.github.lucenepefa.codec;

import io.github.lucenepefa.codec.Pefa01VectorsFormat.GroupParams;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnFieldVectorsWriter;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104ScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsWriter;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.MergeState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.Sorter;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.RamUsageEstimator;
import org.apache.lucene.util.IORunnable;

/**
 * Writes the fields of a segment by grouping them by their {@link GroupParams} and delegating
 * each group to a {@link Lucene99HnswVectorsWriter} under its own segment suffix; {@link #finish()}
 * records field number to group in a small metadata file.
 */
final class PefaVectorsWriter extends KnnVectorsWriter {

  private static final long SHALLOW_SIZE =
      RamUsageEstimator.shallowSizeOfInstance(PefaVectorsWriter.class);

  private final SegmentWriteState state;
  private final PefaQuantization defaultQuantization;
  private final int numMergeWorkers;
  private final TaskExecutor mergeExec;
  private final boolean graphsAtMergeOnly;
  private final Map<GroupParams, Group> groups = new LinkedHashMap<>();
  private final List<int[]> fieldToGroup = new ArrayList<>(); // {fieldNumber, groupIndex}
  private boolean finished;

  private record Group(int index, GroupParams params, KnnVectorsWriter writer) {}

  PefaVectorsWriter(
      SegmentWriteState state,
      PefaQuantization defaultQuantization,
      int numMergeWorkers,
      TaskExecutor mergeExec,
      boolean graphsAtMergeOnly) {
    this.state = state;
    this.defaultQuantization = defaultQuantization;
    this.numMergeWorkers = numMergeWorkers;
    this.mergeExec = mergeExec;
    this.graphsAtMergeOnly = graphsAtMergeOnly;
  }

  /**
   * The flat format of a group: Lucene's, and Lucene's scalar-quantized format (float vectors kept
   * beside the quantized ones) for quantized groups.
   */
  static FlatVectorsFormat flatFormat(GroupParams params) {
    if (params.quantization() != PefaQuantization.NONE) {
      return new Lucene104ScalarQuantizedVectorsFormat(params.quantization().encoding());
    }
    return new Lucene99FlatVectorsFormat(FlatVectorScorerUtil.getLucene99FlatVectorsScorer());
  }

  private KnnVectorsWriter writerFor(FieldInfo fieldInfo) throws IOException {
    if (finished) {
      throw new IllegalStateException("already finished");
    }
    GroupParams params = Pefa01VectorsFormat.paramsOf(fieldInfo, defaultQuantization);
    if (params.quantization() != PefaQuantization.NONE
        && fieldInfo.getAttribute(Pefa01VectorsFormat.QUANTIZATION_ATTRIBUTE) == null) {
      // the segment's field says how its graph scores, for searches (the format's default)
      fieldInfo.putAttribute(Pefa01VectorsFormat.QUANTIZATION_ATTRIBUTE, params.quantization().id());
    }
    Group group = groups.get(params);
    if (group == null) {
      int index = groups.size();
      SegmentWriteState groupState =
          new SegmentWriteState(state, Pefa01VectorsFormat.groupSuffix(state.segmentSuffix, index));
      FlatVectorsFormat flat = flatFormat(params);
      KnnVectorsWriter writer =
          new Lucene99HnswVectorsWriter(
              groupState,
              params.maxConn(),
              params.beamWidth(),
              flat,
              flat.fieldsWriter(groupState),
              numMergeWorkers,
              mergeExec,
              graphThreshold());
      group = new Group(index, params, writer);
      groups.put(params, group);
    }
    fieldToGroup.add(new int[] {fieldInfo.number, group.index()});
    return group.writer();
  }

  /**
   * Lucene's tiny-segment threshold, or, for a flush of a bulk-load format, one no segment reaches
   * (no graph is built: Lucene builds a graph once {@code ln(n) * threshold < n}).
   */
  private int graphThreshold() {
    boolean flush = state.context.context() != IOContext.Context.MERGE;
    return graphsAtMergeOnly && flush
        ? Integer.MAX_VALUE
        : Lucene99HnswVectorsFormat.HNSW_GRAPH_THRESHOLD;
  }

  @Override
  public KnnFieldVectorsWriter<?> addField(FieldInfo fieldInfo) throws IOException {
    return writerFor(fieldInfo).addField(fieldInfo);
  }

  @Override
  public void flush(int maxDoc, Sorter.DocMap sortMap) throws IOException {
    for (Group group : groups.values()) {
      group.writer().flush(maxDoc, sortMap);
    }
  }

  @Override
  public IORunnable mergeOneField(FieldInfo fieldInfo, MergeState mergeState) throws IOException {
    return writerFor(fieldInfo).mergeOneField(fieldInfo, mergeState);
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      throw new IllegalStateException("already finished");
    }
    finished = true;
    for (Group group : groups.values()) {
      group.writer().finish();
    }
    String metaName =
        IndexFileNames.segmentFileName(
            state.segmentInfo.name, state.segmentSuffix, Pefa01VectorsFormat.META_EXTENSION);
    try (IndexOutput meta = state.directory.createOutput(metaName, state.context)) {
      CodecUtil.writeIndexHeader(
          meta,
          Pefa01VectorsFormat.META_CODEC_NAME,
          Pefa01VectorsFormat.VERSION_CURRENT,
          state.segmentInfo.getId(),
          state.segmentSuffix);
      meta.writeVInt(groups.size());
      for (Group group : groups.values()) {
        GroupParams p = group.params();
        meta.writeVInt(p.maxConn());
        meta.writeVInt(p.beamWidth());
        meta.writeInt(Float.floatToIntBits(Float.NaN)); // no paired groups (see the format)
        meta.writeByte((byte) p.quantization().ordinal());
      }
      meta.writeVInt(fieldToGroup.size());
      for (int[] entry : fieldToGroup) {
        meta.writeVInt(entry[0]);
        meta.writeVInt(entry[1]);
      }
      CodecUtil.writeFooter(meta);
    }
  }

  @Override
  public long ramBytesUsed() {
    long total = SHALLOW_SIZE + (long) fieldToGroup.size() * 32;
    for (Group group : groups.values()) {
      total += group.writer().ramBytesUsed();
    }
    return total;
  }

  @Override
  public void close() throws IOException {
    List<KnnVectorsWriter> writers = new ArrayList<>(groups.size());
    for (Group group : groups.values()) {
      writers.add(group.writer());
    }
    IOUtils.close(writers);
  }

  @Override
  public String toString() {
    return "PefaVectorsWriter(groups="
        + groups.keySet()
        + ", defaults="
        + Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN
        + "/"
        + Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH
        + ")";
  }
}
