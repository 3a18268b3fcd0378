package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.util.Objects;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Weight;

/**
 * A lexical query scored with the statistics of every shard ({@link LexicalTermStats}) instead of
 * its own shard's: its weight is built by a searcher answering those statistics, over the same
 * reader and with the same similarity as the searcher it runs in.
 */
final class LexicalStatsQuery extends Query {

  private final Query inner;
  private final LexicalTermStats stats;

  LexicalStatsQuery(Query inner, LexicalTermStats stats) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.stats = Objects.requireNonNull(stats, "stats");
  }

  @Override
  public Query rewrite(IndexSearcher searcher) throws IOException {
    Query rewritten = inner.rewrite(searcher);
    return rewritten == inner ? this : new LexicalStatsQuery(rewritten, stats);
  }

  @Override
  public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost)
      throws IOException {
    IndexSearcher global = stats.searcher(searcher.getIndexReader(), searcher.getSimilarity());
    return global.createWeight(global.rewrite(inner), scoreMode, boost);
  }

  @Override
  public void visit(QueryVisitor visitor) {
    inner.visit(visitor);
  }

  @Override
  public String toString(String field) {
    return "LexicalStatsQuery(" + inner.toString(field) + ")";
  }

  @Override
  public boolean equals(Object o) {
    return sameClassAs(o)
        && inner.equals(((LexicalStatsQuery) o).inner)
        && stats.equals(((LexicalStatsQuery) o).stats);
  }

  @Override
  public int hashCode() {
    return Objects.hash(classHash(), inner, stats);
  }
}
