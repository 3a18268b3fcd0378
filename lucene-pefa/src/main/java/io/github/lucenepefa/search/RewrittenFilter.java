package io.github.lucenepefa.search;

import java.io.IOException;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Weight;

/**
 * The filter step of every PEFA search, in one place: the filter is rewritten against the searcher;
 * a {@link MatchNoDocsQuery} means that no document matches, no filter or a {@link
 * MatchAllDocsQuery} means no filtering, and any other query filters through its {@link Weight}
 * (created without scores).
 *
 * @param query the rewritten filter (the {@link MatchNoDocsQuery} when nothing matches), or {@code
 *     null} when nothing is filtered out
 * @param weight the weight of {@code query}, or {@code null} when nothing is filtered out or
 *     nothing matches
 * @param matchesNothing whether the filter accepts no document
 */
record RewrittenFilter(Query query, Weight weight, boolean matchesNothing) {

  private static final RewrittenFilter ALL = new RewrittenFilter(null, null, false);

  /**
   * Rewrites {@code filter} for {@code searcher}.
   *
   * @param searcher the searcher
   * @param filter the filter, or {@code null}
   * @return the rewritten filter
   * @throws IOException on I/O errors
   */
  static RewrittenFilter of(IndexSearcher searcher, Query filter) throws IOException {
    if (filter == null) {
      return ALL;
    }
    Query rewritten = searcher.rewrite(filter);
    if (rewritten instanceof MatchNoDocsQuery) {
      return new RewrittenFilter(rewritten, null, true);
    }
    if (rewritten instanceof MatchAllDocsQuery) {
      return ALL;
    }
    return new RewrittenFilter(
        rewritten, searcher.createWeight(rewritten, ScoreMode.COMPLETE_NO_SCORES, 1f), false);
  }
}
