package io.github.lucenepefa.codec;

import io.github.lucenepefa.codec.Pefa01VectorsFormat.GroupParams;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.hnsw.HnswGraphProvider;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsReader;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.internal.hppc.IntIntHashMap;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.store.ChecksumIndexInput;
import org.apache.lucene.util.Accountable;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.RamUsageEstimator;
import org.apache.lucene.util.hnsw.HnswGraph;

/**
 * Reads a segment written by {@link PefaVectorsWriter}: opens one {@link Lucene99HnswVectorsReader}
 * per group recorded in the metadata file and dispatches every call by field.
 */
final class PefaVectorsReader extends KnnVectorsReader implements HnswGraphProvider, Accountable {

  private static final long SHALLOW_SIZE =
      RamUsageEstimator.shallowSizeOfInstance(PefaVectorsReader.class);

  private final FieldInfos fieldInfos;
  private final GroupParams[] params;
  private final KnnVectorsReader[] groups;
  private final IntIntHashMap fieldToGroup; // field number -> group index

  PefaVectorsReader(SegmentReadState state) throws IOException {
    this.fieldInfos = state.fieldInfos;
    this.fieldToGroup = new IntIntHashMap();
    String metaName =
        IndexFileNames.segmentFileName(
            state.segmentInfo.name, state.segmentSuffix, Pefa01VectorsFormat.META_EXTENSION);
    GroupParams[] groupParams = null;
    try (ChecksumIndexInput meta = state.directory.openChecksumInput(metaName)) {
      Throwable priorE = null;
      try {
        int version =
            CodecUtil.checkIndexHeader(
                meta,
                Pefa01VectorsFormat.META_CODEC_NAME,
                Pefa01VectorsFormat.VERSION_START,
                Pefa01VectorsFormat.VERSION_CURRENT,
                state.segmentInfo.getId(),
                state.segmentSuffix);
        int numGroups = meta.readVInt();
        groupParams = new GroupParams[numGroups];
        for (int g = 0; g < numGroups; g++) {
          int maxConn = meta.readVInt();
          int beamWidth = meta.readVInt();
          float lambda = Float.intBitsToFloat(meta.readInt());
          PefaQuantization quantization = PefaQuantization.NONE;
          if (version >= Pefa01VectorsFormat.VERSION_QUANTIZATION) {
            int q = meta.readByte();
            if (q < 0 || q >= PefaQuantization.values().length) {
              throw new CorruptIndexException("invalid quantization " + q, meta);
            }
            quantization = PefaQuantization.values()[q];
          }
          if (maxConn < 1
              || maxConn > Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN
              || beamWidth < 1
              || beamWidth > Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH
              || (Float.isNaN(lambda) == false && !(lambda >= 0f && lambda <= 1f))
              || (Float.isNaN(lambda) == false && quantization != PefaQuantization.NONE)) {
            throw new CorruptIndexException(
                "invalid group parameters: maxConn="
                    + maxConn
                    + ", beamWidth="
                    + beamWidth
                    + ", lambda="
                    + lambda
                    + ", quantization="
                    + quantization,
                meta);
          }
          // a number in lambda: a paired group of an older segment, read as a plain one
          groupParams[g] = new GroupParams(maxConn, beamWidth, quantization);
        }
        int numFields = meta.readVInt();
        for (int i = 0; i < numFields; i++) {
          int fieldNumber = meta.readVInt();
          int group = meta.readVInt();
          FieldInfo info = fieldInfos.fieldInfo(fieldNumber);
          if (info == null || info.hasVectorValues() == false) {
            throw new CorruptIndexException("invalid vector field number: " + fieldNumber, meta);
          }
          if (group < 0 || group >= numGroups) {
            throw new CorruptIndexException(
                "invalid group " + group + " for field \"" + info.name + "\"", meta);
          }
          if (fieldToGroup.containsKey(fieldNumber)) {
            throw new CorruptIndexException("duplicate field \"" + info.name + "\"", meta);
          }
          fieldToGroup.put(fieldNumber, group);
        }
      } catch (Throwable exception) {
        priorE = exception;
      } finally {
        CodecUtil.checkFooter(meta, priorE);
      }
    }
    this.params = groupParams;
    this.groups = new KnnVectorsReader[params.length];
    boolean success = false;
    try {
      for (int g = 0; g < params.length; g++) {
        SegmentReadState groupState =
            new SegmentReadState(state, Pefa01VectorsFormat.groupSuffix(state.segmentSuffix, g));
        FlatVectorsFormat flat = PefaVectorsWriter.flatFormat(params[g]);
        groups[g] = new Lucene99HnswVectorsReader(groupState, flat.fieldsReader(groupState));
      }
      success = true;
    } finally {
      if (success == false) {
        IOUtils.closeWhileHandlingException(groups);
      }
    }
  }

  private PefaVectorsReader(PefaVectorsReader other, KnnVectorsReader[] groups) {
    this.fieldInfos = other.fieldInfos;
    this.params = other.params;
    this.fieldToGroup = other.fieldToGroup;
    this.groups = groups;
  }

  private KnnVectorsReader readerFor(String field) {
    FieldInfo info = fieldInfos.fieldInfo(field);
    if (info == null || fieldToGroup.containsKey(info.number) == false) {
      throw new IllegalArgumentException("field=\"" + field + "\" not found");
    }
    return groups[fieldToGroup.get(info.number)];
  }

  @Override
  public KnnVectorsReader getMergeInstance() throws IOException {
    KnnVectorsReader[] merging = new KnnVectorsReader[groups.length];
    for (int g = 0; g < groups.length; g++) {
      merging[g] = groups[g].getMergeInstance();
    }
    return new PefaVectorsReader(this, merging);
  }

  @Override
  public void finishMerge() throws IOException {
    for (KnnVectorsReader group : groups) {
      group.finishMerge();
    }
  }

  @Override
  public void checkIntegrity() throws IOException {
    for (KnnVectorsReader group : groups) {
      group.checkIntegrity();
    }
  }

  /**
   * The group reader of a field, or {@code null} when this segment has no vectors for it (as
   * Lucene's per-field reader answers: a quantized group's merge asks every merged segment).
   */
  private KnnVectorsReader readerOrNull(String field) {
    FieldInfo info = fieldInfos.fieldInfo(field);
    if (info == null || fieldToGroup.containsKey(info.number) == false) {
      return null;
    }
    return groups[fieldToGroup.get(info.number)];
  }

  @Override
  public FloatVectorValues getFloatVectorValues(String field) throws IOException {
    KnnVectorsReader reader = readerOrNull(field);
    return reader == null ? null : reader.getFloatVectorValues(field);
  }

  @Override
  public ByteVectorValues getByteVectorValues(String field) throws IOException {
    KnnVectorsReader reader = readerOrNull(field);
    return reader == null ? null : reader.getByteVectorValues(field);
  }

  @Override
  public void search(String field, float[] target, KnnCollector knnCollector, AcceptDocs acceptDocs)
      throws IOException {
    readerFor(field).search(field, target, knnCollector, acceptDocs);
  }

  @Override
  public void search(String field, byte[] target, KnnCollector knnCollector, AcceptDocs acceptDocs)
      throws IOException {
    readerFor(field).search(field, target, knnCollector, acceptDocs);
  }

  @Override
  public HnswGraph getGraph(String field) throws IOException {
    KnnVectorsReader reader = readerFor(field);
    if (reader instanceof HnswGraphProvider provider) {
      return provider.getGraph(field);
    }
    return null;
  }

  @Override
  public Map<String, Long> getOffHeapByteSize(FieldInfo fieldInfo) {
    return readerFor(fieldInfo.name).getOffHeapByteSize(fieldInfo);
  }

  @Override
  public long ramBytesUsed() {
    long total =
        SHALLOW_SIZE
            + fieldToGroup.ramBytesUsed()
            + RamUsageEstimator.shallowSizeOf(params)
            + RamUsageEstimator.shallowSizeOf(groups);
    for (KnnVectorsReader group : groups) {
      if (group instanceof Accountable accountable) {
        total += accountable.ramBytesUsed();
      }
    }
    return total;
  }

  @Override
  public void close() throws IOException {
    IOUtils.close(groups);
  }

  @Override
  public String toString() {
    return "PefaVectorsReader(groups=" + Arrays.toString(params) + ")";
  }
}
