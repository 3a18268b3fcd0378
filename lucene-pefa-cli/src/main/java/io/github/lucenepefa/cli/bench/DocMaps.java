package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.index.PefaSchema;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.DocIdSetIterator;

/**
 * The maps of the bench indexes' doc ids to data indexes (positions in {@link BenchData#docs()}), so
 * that hits of different indexes and their exact references compare.
 */
final class DocMaps {

  private DocMaps() {}

  /** The stock index's: the {@link BenchRunner#STOCK_ORD} doc value of every document. */
  static int[] stock(IndexReader reader) throws IOException {
    int[] map = new int[reader.maxDoc()];
    Arrays.fill(map, -1);
    for (LeafReaderContext ctx : reader.leaves()) {
      NumericDocValues ord = ctx.reader().getNumericDocValues(BenchRunner.STOCK_ORD);
      for (int doc = ord.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = ord.nextDoc()) {
        map[ctx.docBase + doc] = (int) ord.longValue();
      }
    }
    return map;
  }

  /**
   * The PEFA index's: every document's key looked up in {@link BenchData#keys()} (-1 for a key the
   * data does not have).
   */
  static int[] pefa(IndexReader reader, PefaSchema schema, BenchData data)
      throws IOException {
    Map<String, Integer> byKey = new java.util.HashMap<>();
    for (int i = 0; i < data.keys().length; i++) {
      byKey.put(data.keys()[i], i);
    }
    int[] map = new int[reader.maxDoc()];
    Arrays.fill(map, -1);
    for (LeafReaderContext ctx : reader.leaves()) {
      SortedDocValues keys = ctx.reader().getSortedDocValues(schema.keyField());
      if (keys == null) {
        continue;
      }
      for (int doc = keys.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = keys.nextDoc()) {
        Integer i = byKey.get(keys.lookupOrd(keys.ordValue()).utf8ToString());
        map[ctx.docBase + doc] = i == null ? -1 : i;
      }
    }
    return map;
  }
}
