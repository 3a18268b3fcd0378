package io.github.lucenepefa.search;

import io.github.lucenepefa.scoring.PefaChecks;
import io.github.lucenepefa.scoring.PefaScoring;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.Bits;

/**
 * Hybrid lexical + PEFA retrieval: a {@link PefaQuery} (ERM, PEFA-XS or PEFA-XL with all its
 * parameters) fused with any lexical {@link Query} (typically BM25 over a text field) by
 *
 * <pre>h(q,d) = a * bm25(q,d) / max_d' bm25(q,d') + (1 - a) * s_m(q,d),   0 &lt;= a &lt;= 1</pre>
 *
 * on PEFA's raw (cosine) scale ({@link PefaScoring#hybridScore}). {@code bm25(q,d)} is the lexical
 * query's score (0 where it does not match); the normaliser {@code max_d' bm25(q,d')} is its top
 * score over the whole index (live documents, not restricted by the filter); when nothing matches,
 * the lexical part is 0. {@code s_m} is the raw score {@link PefaQuery} gives the document.
 *
 * <p>Like {@link PefaQuery} it does its work in {@link #rewrite(IndexSearcher)} and rewrites to the
 * top {@code n} documents (the PEFA query's {@code n}) with their final scores, mapped to
 * non-negative values as PEFA's are; it works alone or as a clause of a {@link BooleanQuery}.
 *
 * <p>Candidates: with {@link AnnEffort#EXHAUSTIVE} every live document accepted by the PEFA query's
 * filter, so that the result equals scoring every document by the formula; otherwise the union of
 * the PEFA method's candidates (PEFA-XL: the ERM top-K and the labelled documents; PEFA-XS: its top
 * {@code max(n, lexicalTopK)}) and the lexical top-{@code lexicalTopK} (filtered). Every candidate
 * is scored exactly on both parts: its lexical score from the lexical query's scorer, its PEFA
 * score by the PEFA formula. Documents without the method's vector are never results.
 *
 * <p>{@code a = 0} is the PEFA query exactly (it rewrites to it); {@code a = 1} ranks by the
 * lexical score (documents it does not match follow, with score 0).
 */
public final class PefaHybridQuery extends Query {

  /** Default number of lexical candidates. */
  public static final int DEFAULT_LEXICAL_TOP_K = 100;

  private final PefaQuery pefa;
  private final Query lexical;
  private final float weight;
  private final int lexicalTopK;
  private final float lexicalMax; // NaN: this index's own
  private final float lexicalThreshold; // -Infinity: every lexical candidate found

  /**
   * @param pefa the PEFA side (its {@code n}, filter and effort apply to the hybrid)
   * @param lexical the lexical side, any query (e.g. BM25 over a text field)
   * @param weight {@code a}, the weight of the normalised lexical score, in [0,1]
   * @param lexicalTopK number of lexical candidates (ignored with exhaustive effort), > 0
   */
  public PefaHybridQuery(PefaQuery pefa, Query lexical, float weight, int lexicalTopK) {
    this(pefa, lexical, weight, lexicalTopK, Float.NaN, Float.NEGATIVE_INFINITY);
  }

  private PefaHybridQuery(
      PefaQuery pefa,
      Query lexical,
      float weight,
      int lexicalTopK,
      float lexicalMax,
      float lexicalThreshold) {
    this.pefa = Objects.requireNonNull(pefa, "pefa");
    this.lexical = Objects.requireNonNull(lexical, "lexical");
    this.weight = PefaChecks.lambda("lexical weight a", weight);
    this.lexicalTopK = PefaChecks.positive("lexical top-K", lexicalTopK);
    this.lexicalMax = lexicalMax;
    this.lexicalThreshold = lexicalThreshold;
  }

  /**
   * The lexical statistics of one shard of a sharded index, for {@link #withShardStatistics}.
   *
   * @param max the shard's top lexical score ({@code max_d' bm25(q,d')} over its live documents),
   *     0 when nothing matches
   * @param topScores the scores of the shard's lexical candidates (its filtered lexical top
   *     {@code max(n, lexicalTopK)}), descending
   */
  public record LexicalStatistics(float max, float[] topScores) {}

  /**
   * This shard's lexical statistics: what a sharded index merges, over every shard, into the
   * arguments of {@link #withShardStatistics} (the largest {@code max}; the {@code max(n,
   * lexicalTopK)}-th best of every shard's {@code topScores}, {@link PefaScoring#ermTopKThreshold}).
   * The lexical query's own term statistics are the caller's: a sharded index scores it with the
   * whole index's (docFreq, docCount, ...) to equal one index.
   *
   * @param searcher a searcher of one shard
   * @return the statistics
   * @throws IOException on I/O errors
   */
  public LexicalStatistics lexicalStatistics(IndexSearcher searcher) throws IOException {
    Query lex = searcher.rewrite(lexical);
    Weight lexWeight = searcher.createWeight(lex, ScoreMode.COMPLETE, 1f);
    float max = localMax(searcher, lex, lexWeight);
    RewrittenFilter filter = RewrittenFilter.of(searcher, pefa.filter());
    if (filter.matchesNothing()) {
      return new LexicalStatistics(max, new float[0]);
    }
    ScoreDoc[] hits = lexicalCandidates(searcher, lex, filter.query());
    float[] scores = new float[hits.length];
    for (int i = 0; i < hits.length; i++) {
      scores[i] = hits[i].score;
    }
    return new LexicalStatistics(max, scores);
  }

  /**
   * This query with the lexical statistics of a whole sharded index, for one of its shards: the
   * normaliser {@code max} is the whole index's top lexical score, and of the lexical candidates
   * this shard finds (approximate effort) only those scoring at least {@code threshold} are kept,
   * so that every shard's candidates are its part of the whole index's lexical top-K.
   *
   * @param max {@code max_d' bm25(q,d')} over every shard, finite and >= 0 (0: no match anywhere)
   * @param threshold the {@code max(n, lexicalTopK)}-th best lexical candidate score over every
   *     shard, not NaN ({@code -Infinity} keeps every candidate found)
   * @return the query
   */
  public PefaHybridQuery withShardStatistics(float max, float threshold) {
    if (Float.isFinite(max) == false || max < 0f) {
      throw new IllegalArgumentException("lexical max must be finite and >= 0, got " + max);
    }
    if (Float.isNaN(threshold)) {
      throw new IllegalArgumentException("lexical threshold must not be NaN");
    }
    return new PefaHybridQuery(pefa, lexical, weight, lexicalTopK, max, threshold);
  }

  /**
   * A hybrid query with {@link #DEFAULT_LEXICAL_TOP_K} lexical candidates.
   *
   * @param pefa the PEFA side
   * @param lexical the lexical side
   * @param weight {@code a}, in [0,1]
   * @return the query
   */
  public static PefaHybridQuery of(PefaQuery pefa, Query lexical, float weight) {
    return new PefaHybridQuery(pefa, lexical, weight, DEFAULT_LEXICAL_TOP_K);
  }

  /**
   * @return {@code a}
   */
  public float weight() {
    return weight;
  }

  /**
   * @return the PEFA side
   */
  public PefaQuery pefa() {
    return pefa;
  }

  /**
   * @return the lexical side
   */
  public Query lexical() {
    return lexical;
  }

  /**
   * Checks that the lexical query reads only fields the index has (an index with no documents is
   * not checked).
   *
   * @param reader the reader
   * @param lexical the lexical query
   * @throws IllegalArgumentException naming a missing field
   */
  public static void checkFields(IndexReader reader, Query lexical) {
    Collection<String> indexed = FieldInfos.getIndexedFields(reader);
    if (indexed.isEmpty()) {
      return;
    }
    Set<String> fields = new HashSet<>();
    lexical.visit(
        new QueryVisitor() {
          @Override
          public boolean acceptField(String field) {
            fields.add(field);
            return true;
          }
        });
    PefaChecks.lexicalFields(fields, Set.copyOf(indexed));
  }

  @Override
  public Query rewrite(IndexSearcher searcher) throws IOException {
    IndexReader reader = searcher.getIndexReader();
    checkFields(reader, lexical);
    if (weight == 0f) {
      return pefa;
    }
    RewrittenFilter rewrittenFilter = RewrittenFilter.of(searcher, pefa.filter());
    if (rewrittenFilter.matchesNothing()) {
      return rewrittenFilter.query();
    }
    Query filter = rewrittenFilter.query();
    Weight filterWeight = rewrittenFilter.weight();
    Query lex = searcher.rewrite(lexical);
    Weight lexWeight = searcher.createWeight(lex, ScoreMode.COMPLETE, 1f);
    float max = Float.isNaN(lexicalMax) ? localMax(searcher, lex, lexWeight) : lexicalMax;
    int n = pefa.n();
    int[] extra;
    if (pefa.effort().exhaustive()) {
      extra = acceptedLiveDocs(reader, filterWeight);
    } else {
      ScoreDoc[] hits = lexicalCandidates(searcher, lex, filter);
      int kept = 0;
      while (kept < hits.length && hits[kept].score >= lexicalThreshold) {
        kept++; // hits are score descending
      }
      extra = new int[kept];
      for (int i = 0; i < kept; i++) {
        extra[i] = hits[i].doc;
      }
      Arrays.sort(extra);
    }
    PefaQuery.Scored scored =
        pefa.scoreCandidates(searcher, filterWeight, extra, Math.max(n, lexicalTopK));
    // the candidates in doc order with their PEFA scores, then both parts
    LeafVectorSearch.DocScores byDoc = LeafVectorSearch.DocScores.of(scored.hits());
    int[] docs = byDoc.docs();
    float[] pefaScores = byDoc.scores();
    float[] lexScores = lexicalScores(reader, lexWeight, docs);
    long[] keys = new long[docs.length];
    for (int i = 0; i < docs.length; i++) {
      float h = PefaScoring.hybridScore(weight, lexScores[i], max, pefaScores[i]);
      keys[i] = HitKeys.key(h, docs[i]);
    }
    Arrays.sort(keys);
    ScoreDoc[] hits = new ScoreDoc[Math.min(n, keys.length)];
    for (int i = 0; i < hits.length; i++) {
      hits[i] = new ScoreDoc(HitKeys.docOf(keys[i]), HitKeys.scoreOf(keys[i]));
    }
    if (hits.length == 0) {
      return new MatchNoDocsQuery("no hybrid PEFA results");
    }
    final float normaliser = max;
    PefaScoredDocsQuery.Explainer explainer =
        (ctx, doc, h) -> {
          int at = Arrays.binarySearch(docs, ctx.docBase + doc);
          Explanation lexExplanation = lexWeight.explain(ctx, doc);
          Explanation lexPart =
              lexExplanation.isMatch()
                  ? Explanation.match(
                      lexScores[at], "bm25(q,d), the lexical score, from:", lexExplanation)
                  : Explanation.match(0f, "bm25(q,d) = 0: no lexical match");
          return Explanation.match(
              h,
              "raw hybrid score, computed as a * bm25(q,d) / max + (1 - a) * s_m(q,d)"
                  + (normaliser > 0f ? "" : " (no lexical match in the index: lexical part 0)")
                  + " from:",
              Explanation.match(weight, "a, the lexical weight"),
              lexPart,
              Explanation.match(
                  normaliser,
                  Float.isNaN(lexicalMax)
                      ? "max, the top lexical score in the index"
                      : "max, the top lexical score over every shard"),
              scored.explainer().explain(ctx, doc, pefaScores[at]));
        };
    return PefaScoredDocsQuery.create(reader, hits, explainer, this);
  }

  /** The top lexical score over the live documents (not filtered), 0 when nothing matches. */
  private static float localMax(IndexSearcher searcher, Query lex, Weight lexWeight)
      throws IOException {
    TopDocs top = searcher.search(lex, 1);
    if (top.scoreDocs.length == 0) {
      return 0f;
    }
    return lexicalScores(searcher.getIndexReader(), lexWeight, new int[] {top.scoreDocs[0].doc})[0];
  }

  /** The lexical top {@code max(n, lexicalTopK)} among the filter's documents. */
  private ScoreDoc[] lexicalCandidates(IndexSearcher searcher, Query lex, Query filter)
      throws IOException {
    Query candidates =
        filter == null
            ? lex
            : new BooleanQuery.Builder()
                .add(lex, BooleanClause.Occur.MUST)
                .add(filter, BooleanClause.Occur.FILTER)
                .build();
    return searcher.search(candidates, Math.max(pefa.n(), lexicalTopK)).scoreDocs;
  }

  /** The lexical score of each of {@code docs} (global, ascending): 0 where it does not match. */
  private static float[] lexicalScores(IndexReader reader, Weight lexWeight, int[] docs)
      throws IOException {
    float[] out = new float[docs.length];
    int i = 0;
    for (LeafReaderContext ctx : reader.leaves()) {
      int end = ctx.docBase + ctx.reader().maxDoc();
      if (i >= docs.length || docs[i] >= end) {
        continue;
      }
      Scorer scorer = lexWeight.scorer(ctx);
      DocIdSetIterator it = scorer == null ? null : scorer.iterator();
      for (; i < docs.length && docs[i] < end; i++) {
        int doc = docs[i] - ctx.docBase;
        if (it == null) {
          continue;
        }
        if (it.docID() < doc) {
          it.advance(doc);
        }
        if (it.docID() == doc) {
          out[i] = scorer.score();
        }
      }
    }
    return out;
  }

  /** Every live document the filter accepts, global ids ascending. */
  private static int[] acceptedLiveDocs(IndexReader reader, Weight filterWeight)
      throws IOException {
    int[] out = new int[reader.numDocs()];
    int count = 0;
    for (LeafReaderContext ctx : reader.leaves()) {
      Bits live = ctx.reader().getLiveDocs();
      DocIdSetIterator it;
      if (filterWeight == null) {
        it = DocIdSetIterator.all(ctx.reader().maxDoc());
      } else {
        Scorer s = filterWeight.scorer(ctx);
        if (s == null) {
          continue;
        }
        it = s.iterator();
      }
      for (int d = it.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
        if (live == null || live.get(d)) {
          out = ArrayUtil.grow(out, count + 1);
          out[count++] = ctx.docBase + d;
        }
      }
    }
    return ArrayUtil.copyOfSubArray(out, 0, count);
  }

  @Override
  public void visit(QueryVisitor visitor) {
    QueryVisitor sub = visitor.getSubVisitor(BooleanClause.Occur.SHOULD, this);
    pefa.visit(sub);
    lexical.visit(sub);
  }

  @Override
  public String toString(String field) {
    return "PefaHybridQuery(a="
        + weight
        + ", lexical="
        + lexical.toString(field)
        + ", lexicalTopK="
        + lexicalTopK
        + (Float.isNaN(lexicalMax)
            ? ""
            : ", shard statistics max=" + lexicalMax + " threshold=" + lexicalThreshold)
        + ", "
        + pefa.toString(field)
        + ")";
  }

  @Override
  public boolean equals(Object o) {
    if (sameClassAs(o) == false) {
      return false;
    }
    PefaHybridQuery q = (PefaHybridQuery) o;
    return pefa.equals(q.pefa)
        && lexical.equals(q.lexical)
        && Float.compare(weight, q.weight) == 0
        && lexicalTopK == q.lexicalTopK
        && Float.compare(lexicalMax, q.lexicalMax) == 0
        && Float.compare(lexicalThreshold, q.lexicalThreshold) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        classHash(), pefa, lexical, weight, lexicalTopK, lexicalMax, lexicalThreshold);
  }
}
