package io.github.lucenepefa.cli.bench;

import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.knn.KnnCollectorManager;

/** Stock kNN query that counts the vectors it scores (graph visits and exact scans). */
final class CountingKnnQuery extends KnnFloatVectorQuery {
  private final LongAdder visited;

  CountingKnnQuery(String field, float[] target, int k, LongAdder visited) {
    super(field, target, k);
    this.visited = visited;
  }

  @Override
  protected TopDocs approximateSearch(
      LeafReaderContext context,
      AcceptDocs acceptDocs,
      int visitedLimit,
      KnnCollectorManager knnCollectorManager)
      throws IOException {
    TopDocs td = super.approximateSearch(context, acceptDocs, visitedLimit, knnCollectorManager);
    visited.add(td.totalHits.value());
    return td;
  }

  @Override
  protected TopDocs exactSearch(
      LeafReaderContext context, DocIdSetIterator acceptIterator, QueryTimeout queryTimeout)
      throws IOException {
    TopDocs td = super.exactSearch(context, acceptIterator, queryTimeout);
    visited.add(td.totalHits.value());
    return td;
  }
}
