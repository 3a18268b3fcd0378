package io.github.lucenepefa.search;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.ScoreDoc;

/** Exact scores of given documents from their vectors, read one document at a time. */
final class ExactDocScores {

  private ExactDocScores() {}

  /**
   * Scores {@code docs} that are not among {@code known}.
   *
   * @param reader the reader the doc ids refer to
   * @param field the vectors
   * @param docs global doc ids, ascending, or {@code null}
   * @param known already scored hits, left out
   * @param score the exact score of a stored vector
   * @return the scored documents that have a vector in {@code field}, in doc order
   */
  static ScoreDoc[] score(
      IndexReader reader,
      VectorField field,
      int[] docs,
      ScoreDoc[] known,
      LeafVectorSearch.ExactScore score)
      throws IOException {
    if (docs == null || docs.length == 0) {
      return new ScoreDoc[0];
    }
    int[] skip = new int[known.length];
    for (int i = 0; i < known.length; i++) {
      skip[i] = known[i].doc;
    }
    Arrays.sort(skip);
    List<ScoreDoc> out = new ArrayList<>();
    int i = 0;
    for (LeafReaderContext ctx : reader.leaves()) {
      int end = ctx.docBase + ctx.reader().maxDoc();
      if (i >= docs.length || docs[i] >= end) {
        continue;
      }
      FloatVectorValues values = field.values(field.reader(ctx));
      KnnVectorValues.DocIndexIterator it = values == null ? null : values.iterator();
      for (; i < docs.length && docs[i] < end; i++) {
        int doc = docs[i] - ctx.docBase;
        if (it == null || Arrays.binarySearch(skip, docs[i]) >= 0) {
          continue;
        }
        if (it.docID() < doc) {
          it.advance(doc);
        }
        if (it.docID() == doc) {
          out.add(new ScoreDoc(docs[i], score.score(values.vectorValue(it.index()))));
        }
      }
    }
    return out.toArray(new ScoreDoc[0]);
  }
}
