package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.search.similarities.Similarity;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;

/**
 * The term and field statistics a lexical query's scores depend on (for BM25: each term's docFreq
 * and totalTermFreq, each field's maxDoc, docCount, sumTotalTermFreq and sumDocFreq), summed over
 * every shard the search reads: what {@code dfs_query_then_fetch}'s DFS phase collects, here for
 * the {@code lexical} clause of a {@code pefa} query. A shard that scores the clause with them
 * ({@link #searcher}) gives every document the score one index of all the shards would.
 */
final class LexicalTermStats implements Writeable {

  private final Map<Term, TermStatistics> terms;
  private final Map<String, CollectionStatistics> fields;

  private LexicalTermStats(Map<Term, TermStatistics> terms, Map<String, CollectionStatistics> fields) {
    this.terms = terms;
    this.fields = fields;
  }

  LexicalTermStats(StreamInput in) throws IOException {
    int n = in.readVInt();
    terms = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Term term = new Term(in.readString(), in.readBytesRef());
      terms.put(term, new TermStatistics(term.bytes(), in.readVLong(), in.readVLong()));
    }
    n = in.readVInt();
    fields = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String field = in.readString();
      fields.put(
          field,
          new CollectionStatistics(
              field, in.readVLong(), in.readVLong(), in.readVLong(), in.readVLong()));
    }
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeVInt(terms.size());
    for (Map.Entry<Term, TermStatistics> e : terms.entrySet()) {
      out.writeString(e.getKey().field());
      out.writeBytesRef(e.getKey().bytes());
      out.writeVLong(e.getValue().docFreq());
      out.writeVLong(e.getValue().totalTermFreq());
    }
    out.writeVInt(fields.size());
    for (CollectionStatistics c : fields.values()) {
      out.writeString(c.field());
      out.writeVLong(c.maxDoc());
      out.writeVLong(c.docCount());
      out.writeVLong(c.sumTotalTermFreq());
      out.writeVLong(c.sumDocFreq());
    }
  }

  /** The statistics {@code lexical} reads on one shard, as a DFS phase records them. */
  static LexicalTermStats collect(IndexSearcher shard, Similarity similarity, Query lexical)
      throws IOException {
    Map<Term, TermStatistics> terms = new HashMap<>();
    Map<String, CollectionStatistics> fields = new HashMap<>();
    IndexSearcher recording =
        new IndexSearcher(shard.getIndexReader()) {
          @Override
          public TermStatistics termStatistics(Term term, int docFreq, long totalTermFreq)
              throws IOException {
            TermStatistics s = super.termStatistics(term, docFreq, totalTermFreq);
            if (s != null) {
              terms.put(term, s);
            }
            return s;
          }

          @Override
          public CollectionStatistics collectionStatistics(String field) throws IOException {
            CollectionStatistics s = super.collectionStatistics(field);
            if (s != null) {
              fields.put(field, s);
            }
            return s;
          }
        };
    recording.setSimilarity(similarity);
    recording.setQueryCache(null);
    recording.createWeight(recording.rewrite(lexical), ScoreMode.COMPLETE, 1f);
    return new LexicalTermStats(terms, fields);
  }

  /** The sum of every shard's statistics: those of one index holding all of them. */
  static LexicalTermStats sum(List<LexicalTermStats> shards) {
    Map<Term, TermStatistics> terms = new HashMap<>();
    Map<String, CollectionStatistics> fields = new HashMap<>();
    for (LexicalTermStats s : shards) {
      s.terms.forEach(
          (term, t) ->
              terms.merge(
                  term,
                  t,
                  (x, y) ->
                      new TermStatistics(
                          x.term(), x.docFreq() + y.docFreq(), x.totalTermFreq() + y.totalTermFreq())));
      s.fields.forEach(
          (field, c) ->
              fields.merge(
                  field,
                  c,
                  (x, y) ->
                      new CollectionStatistics(
                          field,
                          x.maxDoc() + y.maxDoc(),
                          x.docCount() + y.docCount(),
                          x.sumTotalTermFreq() + y.sumTotalTermFreq(),
                          x.sumDocFreq() + y.sumDocFreq())));
    }
    return new LexicalTermStats(terms, fields);
  }

  /**
   * A searcher of {@code reader} that answers term and field statistics from these (the shard's
   * own for a term or field they lack), for building the lexical query's weight.
   */
  IndexSearcher searcher(IndexReader reader, Similarity similarity) {
    IndexSearcher searcher =
        new IndexSearcher(reader) {
          @Override
          public TermStatistics termStatistics(Term term, int docFreq, long totalTermFreq)
              throws IOException {
            TermStatistics s = terms.get(term);
            return s != null ? s : super.termStatistics(term, docFreq, totalTermFreq);
          }

          @Override
          public CollectionStatistics collectionStatistics(String field) throws IOException {
            CollectionStatistics s = fields.get(field);
            return s != null ? s : super.collectionStatistics(field);
          }
        };
    searcher.setSimilarity(similarity);
    searcher.setQueryCache(null);
    return searcher;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LexicalTermStats other
        && terms.equals(other.terms)
        && fields.equals(other.fields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(terms, fields);
  }
}
