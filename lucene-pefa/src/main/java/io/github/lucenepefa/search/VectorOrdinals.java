package io.github.lucenepefa.search;

import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;

/** Maps a segment's docs to the ordinals of their vectors in one vector field. */
final class VectorOrdinals {

  private VectorOrdinals() {}

  /**
   * The first doc with a vector if the segment's vectors sit on consecutive docs, so that a vector's
   * ordinal is its doc minus that doc; otherwise {@code -1}. Every doc of a segment of documents
   * only, or of a segment written with all its memory rows before (or after) all its documents, is
   * such a run. Ordinals rise with docs, so the {@code size} ordinals fill a run exactly when the
   * last one's doc is {@code size - 1} after the first one's.
   *
   * <p>Decided by {@link KnnVectorValues#ordToDoc}, not by the field's iterator: Lucene's sparse
   * values hand out one shared iterator, which the caller's rescoring must find unmoved.
   */
  static int contiguousFirstDoc(FloatVectorValues values) {
    int size = values.size();
    if (size == 0) {
      return -1;
    }
    int first = values.ordToDoc(0);
    return values.ordToDoc(size - 1) - first == size - 1 ? first : -1;
  }

  /**
   * The vector ordinal of each of {@code docs} (segment docs in any order, repeats allowed), or
   * {@code -1} for a doc without a vector in the field. Where the field's vectors sit on consecutive
   * docs ({@link #contiguousFirstDoc}) an ordinal is an offset; otherwise the docs are visited in
   * ascending order with the field's forward-only iterator.
   */
  static int[] ordinals(FloatVectorValues values, int[] docs) throws IOException {
    int[] ords = new int[docs.length];
    int firstDoc = contiguousFirstDoc(values);
    if (firstDoc >= 0) {
      for (int i = 0; i < docs.length; i++) {
        int ord = docs[i] - firstDoc;
        ords[i] = ord >= 0 && ord < values.size() ? ord : -1;
      }
      return ords;
    }
    long[] docRanks = new long[docs.length]; // doc in the high half, position in the low half
    for (int i = 0; i < docs.length; i++) {
      docRanks[i] = ((long) docs[i] << 32) | i;
    }
    Arrays.sort(docRanks);
    KnnVectorValues.DocIndexIterator it = values.iterator();
    for (long docRank : docRanks) {
      int doc = (int) (docRank >>> 32);
      int current = it.docID() < doc ? it.advance(doc) : it.docID();
      ords[(int) docRank] = current == doc ? it.index() : -1;
    }
    return ords;
  }
}
