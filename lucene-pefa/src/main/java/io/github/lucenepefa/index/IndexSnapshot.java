package io.github.lucenepefa.index;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.util.BytesRef;

/**
 * A {@link PefaIndexWriter}'s near-real-time view of its index: the memory rows and documents a
 * flush reads to compute what it writes. Reopened before each flush; used under the writer's lock.
 */
final class IndexSnapshot implements Closeable {

  /** A document of one segment. */
  record LeafDoc(LeafReader leaf, int doc) {}

  /** A row as it is in the index, or as a flush leaves it. */
  record Row(float[] vector, Map<String, Float> labels) {}

  private final IndexWriter writer;
  private final PefaSchema schema;
  private DirectoryReader reader;

  IndexSnapshot(IndexWriter writer, PefaSchema schema) {
    this.writer = writer;
    this.schema = schema;
  }

  /** Opens, or reopens when the writer changed, the near-real-time reader. */
  void refresh() throws IOException {
    if (reader == null) {
      reader = DirectoryReader.open(writer);
    } else {
      DirectoryReader newer = DirectoryReader.openIfChanged(reader, writer);
      if (newer != null) {
        DirectoryReader old = reader;
        reader = newer;
        old.close();
      }
    }
  }

  /** The vector of the index's live row of this id (as of the last flush), or null. */
  float[] indexedRowVector(String rowId) throws IOException {
    refresh();
    LeafDoc live = liveDoc(schema.rowTerm(rowId));
    return live == null ? null : vector(live, schema.memoryField());
  }

  /** The first live document carrying the term, or null. */
  LeafDoc liveDoc(Term term) throws IOException {
    List<LeafDoc> all = liveDocs(term);
    return all.isEmpty() ? null : all.get(0);
  }

  /** Every live document carrying the term (a row id, a document key or a label key). */
  List<LeafDoc> liveDocs(Term term) throws IOException {
    List<LeafDoc> out = new ArrayList<>(1);
    LiveTermDocs.visit(
        reader.leaves(),
        term.field(),
        new BytesRef[] {term.bytes()},
        LiveTermDocs.Acceptance.ALL,
        (t, ctx, doc) -> out.add(new LeafDoc(ctx.reader(), doc)));
    return out;
  }

  /** The vector and labels of a live row document, or null if it lacks either. */
  Row readRow(LeafDoc row) throws IOException {
    TrainingLabels labels = labelsOf(row);
    float[] vector = vector(row, schema.memoryField());
    return labels == null || vector == null ? null : new Row(vector, new HashMap<>(labels.weights()));
  }

  String rowIdOf(LeafDoc row) throws IOException {
    return labelsOf(row).rowId();
  }

  private TrainingLabels labelsOf(LeafDoc row) throws IOException {
    BinaryDocValues bdv = row.leaf().getBinaryDocValues(schema.labelsField());
    return bdv == null || bdv.advanceExact(row.doc()) == false
        ? null
        : TrainingLabels.decode(bdv.binaryValue());
  }

  /** A copy of a document's vector in a field, or null. */
  static float[] vector(LeafDoc d, String field) throws IOException {
    FloatVectorValues values = d.leaf().getFloatVectorValues(field);
    if (values == null) {
      return null;
    }
    KnnVectorValues.DocIndexIterator it = values.iterator();
    return it.advance(d.doc()) == d.doc() ? values.vectorValue(it.index()).clone() : null;
  }

  /** A document's recorded application fields, or null. */
  BytesRef source(LeafDoc d) throws IOException {
    Document stored = d.leaf().storedFields().document(d.doc(), Set.of(schema.sourceField()));
    BytesRef b = stored.getBinaryValue(schema.sourceField());
    return b == null ? null : BytesRef.deepCopyOf(b);
  }

  @Override
  public void close() throws IOException {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }
}
