package io.github.lucenepefa.codec;

import java.io.IOException;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnFieldVectorsWriter;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.MergeState;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.Sorter;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.tests.index.BaseKnnVectorsFormatTestCase;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.IORunnable;
import org.junit.BeforeClass;

/**
 * Runs Lucene's {@link BaseKnnVectorsFormatTestCase} with PEFA attributes injected into every
 * field at write time: random per-field {@code maxConn}/{@code beamWidth} (so fields of one
 * segment are spread over several groups) and, for float fields, a random {@code
 * pefa.quantization} (none, int8, int4 or binary). The injecting format has the same SPI name as
 * {@link Pefa01VectorsFormat}, so segments are read back
 * by the real SPI-loaded format from its metadata alone.
 */
public class TestPefaVectorsFormatPerFieldAttributes extends BaseKnnVectorsFormatTestCase {

  private static int salt;

  @BeforeClass
  public static void pickSalt() {
    salt = random().nextInt();
  }

  @Override
  protected Codec getCodec() {
    return TestUtil.alwaysKnnVectorsFormat(new AttributeInjectingFormat());
  }

  @Override
  protected boolean supportsFloatVectorFallback() {
    return false;
  }

  /** Deterministic (per test class run) attributes for a field, so all segments agree. */
  static void inject(FieldInfo fi) {
    int h = fi.name.hashCode() * 31 + salt;
    int maxConn = 2 + Math.floorMod(h, 31); // 2..32
    int beamWidth = 10 + Math.floorMod(h >>> 8, 191); // 10..200
    fi.putAttribute(Pefa01VectorsFormat.MAX_CONN_ATTRIBUTE, Integer.toString(maxConn));
    fi.putAttribute(Pefa01VectorsFormat.BEAM_WIDTH_ATTRIBUTE, Integer.toString(beamWidth));
    if (fi.getVectorEncoding() == VectorEncoding.FLOAT32
        && fi.getVectorDimension() <= PefaQuantization.MAX_QUANTIZED_DIMENSIONS) {
      PefaQuantization[] all = PefaQuantization.values();
      PefaQuantization q = all[Math.floorMod(h >>> 20, all.length)];
      fi.putAttribute(Pefa01VectorsFormat.QUANTIZATION_ATTRIBUTE, q.id());
    }
  }

  /** Writes through {@link Pefa01VectorsFormat} after putting attributes on each field. */
  static final class AttributeInjectingFormat extends KnnVectorsFormat {
    private final Pefa01VectorsFormat in = new Pefa01VectorsFormat();

    AttributeInjectingFormat() {
      super(Pefa01VectorsFormat.NAME);
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
      KnnVectorsWriter w = in.fieldsWriter(state);
      return new KnnVectorsWriter() {
        @Override
        public KnnFieldVectorsWriter<?> addField(FieldInfo fieldInfo) throws IOException {
          inject(fieldInfo);
          return w.addField(fieldInfo);
        }

        @Override
        public IORunnable mergeOneField(FieldInfo fieldInfo, MergeState mergeState)
            throws IOException {
          inject(fieldInfo);
          return w.mergeOneField(fieldInfo, mergeState);
        }

        @Override
        public void flush(int maxDoc, Sorter.DocMap sortMap) throws IOException {
          w.flush(maxDoc, sortMap);
        }

        @Override
        public void finish() throws IOException {
          w.finish();
        }

        @Override
        public long ramBytesUsed() {
          return w.ramBytesUsed();
        }

        @Override
        public void close() throws IOException {
          w.close();
        }
      };
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
      return in.fieldsReader(state);
    }

    @Override
    public int getMaxDimensions(String fieldName) {
      return in.getMaxDimensions(fieldName);
    }
  }
}
