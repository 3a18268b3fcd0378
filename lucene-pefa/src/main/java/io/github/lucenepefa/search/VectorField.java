package io.github.lucenepefa.search;

import io.github.lucenepefa.codec.Pefa01VectorsFormat;
import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaDirectoryReader;
import java.io.IOException;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.KnnCollector;

/**
 * The vectors that {@link LeafVectorSearch} searches in one segment: a stored vector field ({@link
 * #stored}), or vectors computed from stored ones ({@link XsMixedField}).
 */
interface VectorField {

  /**
   * @return the name of the field whose graph is walked (for messages and query visitors)
   */
  String name();

  /**
   * @param ctx a leaf of the searcher's reader
   * @return the reader to read the vectors from
   */
  LeafReader reader(LeafReaderContext ctx);

  /**
   * @param reader {@link #reader}'s
   * @return the segment's vectors (ordinal order, {@code vectorValue} is what is rescored), or
   *     {@code null} when the segment has none
   */
  FloatVectorValues values(LeafReader reader) throws IOException;

  /**
   * @param reader {@link #reader}'s
   * @return the quantization of the scores a graph walk collects ({@link PefaQuantization#NONE}
   *     when they are computed from the float vectors)
   */
  PefaQuantization quantization(LeafReader reader);

  /**
   * Walks the segment's graph for {@code target}, collecting docs (not ordinals) in {@code
   * collector}.
   *
   * @param reader {@link #reader}'s
   * @param values {@link #values}'s
   */
  void searchGraph(
      LeafReader reader,
      FloatVectorValues values,
      float[] target,
      KnnCollector collector,
      AcceptDocs accept)
      throws IOException;

  /**
   * A stored float vector field, searched with the reader's own {@code searchNearestVectors}.
   *
   * @param name the field
   * @param memory whether it is the training memory's, read underneath {@link
   *     PefaDirectoryReader}'s hiding of its rows
   */
  static VectorField stored(String name, boolean memory) {
    return new VectorField() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public LeafReader reader(LeafReaderContext ctx) {
        return memory ? PefaDirectoryReader.withMemory(ctx.reader()) : ctx.reader();
      }

      @Override
      public FloatVectorValues values(LeafReader reader) throws IOException {
        FieldInfo fi = reader.getFieldInfos().fieldInfo(name);
        if (fi == null || fi.getVectorDimension() == 0) {
          return null;
        }
        return reader.getFloatVectorValues(name);
      }

      @Override
      public PefaQuantization quantization(LeafReader reader) {
        return Pefa01VectorsFormat.quantizationOf(reader.getFieldInfos().fieldInfo(name));
      }

      @Override
      public void searchGraph(
          LeafReader reader,
          FloatVectorValues values,
          float[] target,
          KnnCollector collector,
          AcceptDocs accept)
          throws IOException {
        reader.searchNearestVectors(name, target, collector, accept);
      }
    };
  }
}
