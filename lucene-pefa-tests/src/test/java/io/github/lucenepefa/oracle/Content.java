package io.github.lucenepefa.oracle;

import io.github.lucenepefa.index.PefaDirectoryReader;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.TrainingLabels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;

/**
 * What an index holds, as plain data for the brute-force oracle: the live documents (global doc
 * id, key, ERM vector, filter colour) and the memory rows (id, vector, labels). Built from a test's
 * own record of what it wrote, or read back from a reader's raw fields (vectors and labels only:
 * no PEFA-XS vector, no score).
 */
public record Content(List<Doc> docs, List<Row> rows) {

  /**
   * A live document.
   *
   * @param globalDoc its doc id in the reader (the tie-break order)
   * @param key its key
   * @param p its ERM vector, or null
   * @param color its filter value, or null
   */
  public record Doc(int globalDoc, String key, float[] p, String color) {}

  /**
   * A memory row.
   *
   * @param rowId its id
   * @param x its vector
   * @param labels document key to weight
   */
  public record Row(String rowId, float[] x, Map<String, Float> labels) {}

  /**
   * The live keys of a reader by global doc id (read from the key field's sorted doc values).
   *
   * @param reader the reader
   * @param schema the layout
   * @return global doc to key, in doc order
   * @throws IOException on I/O errors
   */
  public static Map<Integer, String> liveKeys(IndexReader reader, PefaSchema schema)
      throws IOException {
    Map<Integer, String> out = new LinkedHashMap<>();
    for (LeafReaderContext ctx : reader.leaves()) {
      LeafReader leaf = PefaDirectoryReader.withMemory(ctx.reader());
      SortedDocValues keys = leaf.getSortedDocValues(schema.keyField());
      if (keys == null) {
        continue;
      }
      Bits live = leaf.getLiveDocs();
      for (int d = keys.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = keys.nextDoc()) {
        if (live == null || live.get(d)) {
          out.put(ctx.docBase + d, keys.lookupOrd(keys.ordValue()).utf8ToString());
        }
      }
    }
    return out;
  }

  /**
   * Reads the content of a reader: every live document's key, ERM vector and stored {@code
   * colorField}, every live memory row's vector and labels.
   *
   * @param reader the reader (a {@link PefaDirectoryReader} or a plain one)
   * @param schema the layout
   * @param colorField a stored field holding the filter value, or null
   * @return the content
   * @throws IOException on I/O errors
   */
  public static Content read(IndexReader reader, PefaSchema schema, String colorField)
      throws IOException {
    List<Doc> docs = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    for (LeafReaderContext ctx : reader.leaves()) {
      LeafReader leaf = PefaDirectoryReader.withMemory(ctx.reader());
      Bits live = leaf.getLiveDocs();
      SortedDocValues keys = leaf.getSortedDocValues(schema.keyField());
      if (keys != null) {
        for (int d = keys.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = keys.nextDoc()) {
          if (live == null || live.get(d)) {
            String color = null;
            if (colorField != null) {
              Document stored = leaf.storedFields().document(d, java.util.Set.of(colorField));
              color = stored.get(colorField);
            }
            docs.add(
                new Doc(
                    ctx.docBase + d,
                    keys.lookupOrd(keys.ordValue()).utf8ToString(),
                    vector(leaf, schema.ermField(), d),
                    color));
          }
        }
      }
      BinaryDocValues labels = leaf.getBinaryDocValues(schema.labelsField());
      if (labels != null) {
        for (int d = labels.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = labels.nextDoc()) {
          if (live == null || live.get(d)) {
            TrainingLabels l = TrainingLabels.decode(labels.binaryValue());
            rows.add(
                new Row(
                    l.rowId(),
                    vector(leaf, schema.memoryField(), d),
                    new LinkedHashMap<>(l.weights())));
          }
        }
      }
    }
    return new Content(docs, rows);
  }

  private static float[] vector(LeafReader leaf, String field, int doc) throws IOException {
    FloatVectorValues values = leaf.getFloatVectorValues(field);
    if (values == null) {
      return null;
    }
    KnnVectorValues.DocIndexIterator it = values.iterator();
    return it.advance(doc) == doc ? values.vectorValue(it.index()).clone() : null;
  }
}
