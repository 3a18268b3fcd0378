package io.github.lucenepefa.search;

import io.github.lucenepefa.scoring.PefaScoring;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;

/**
 * What a {@link PefaQuery} rewrites to: a fixed set of documents with precomputed scores, bound to
 * the reader it was computed on. Using it with a searcher over another reader throws {@link
 * IllegalStateException}.
 *
 * <p>Scores are PEFA's raw scores mapped to non-negative values by {@link
 * PefaScoring#nonNegativeScore}, as Lucene's scorers must report them. Where float rounding would
 * map two different raw scores to one value, the lower is put one float step below the higher, so
 * that the rank order, ties by doc id included, is the raw scores' exactly.
 */
final class PefaScoredDocsQuery extends Query {

  /** Explains one returned document's raw PEFA score. */
  interface Explainer {
    Explanation explain(LeafReaderContext ctx, int doc, float rawScore) throws IOException;
  }

  private final int[] docs; // global doc ids, ascending
  private final float[] scores; // non-negative
  private final float[] rawScores;
  private final int[] segmentStarts;
  private final Object contextIdentity;
  private final Explainer explainer;
  private final Query source; // described lazily: toString is not free

  private PefaScoredDocsQuery(
      int[] docs,
      float[] scores,
      float[] rawScores,
      int[] segmentStarts,
      Object contextIdentity,
      Explainer explainer,
      Query source) {
    this.docs = docs;
    this.scores = scores;
    this.rawScores = rawScores;
    this.segmentStarts = segmentStarts;
    this.contextIdentity = contextIdentity;
    this.explainer = explainer;
    this.source = source;
  }

  /**
   * @param reader the reader the hits were computed on
   * @param hits global doc ids with raw PEFA scores, score descending then doc id ascending
   * @param explainer explains a hit's raw score
   * @param source the query that was rewritten (for toString)
   */
  static PefaScoredDocsQuery create(
      IndexReader reader, ScoreDoc[] hits, Explainer explainer, Query source) {
    ScoreDoc[] scaled = new ScoreDoc[hits.length];
    for (int i = 0; i < hits.length; i++) {
      float s = PefaScoring.nonNegativeScore(hits[i].score);
      if (i > 0 && hits[i].score != hits[i - 1].score) {
        s = Math.min(s, Math.nextDown(scaled[i - 1].score)); // keep a lower raw score lower
      } else if (i > 0) {
        s = scaled[i - 1].score; // a tie stays a tie
      }
      scaled[i] = new ScoreDoc(hits[i].doc, Math.max(0f, s));
    }
    LeafVectorSearch.DocScores byDoc = LeafVectorSearch.DocScores.of(scaled);
    LeafVectorSearch.DocScores rawByDoc = LeafVectorSearch.DocScores.of(hits);
    int[] docs = byDoc.docs();
    float[] scores = byDoc.scores();
    List<LeafReaderContext> leaves = reader.leaves();
    int[] starts = new int[leaves.size() + 1];
    for (int i = 0; i < leaves.size(); i++) {
      int idx = Arrays.binarySearch(docs, leaves.get(i).docBase);
      starts[i] = idx >= 0 ? idx : -1 - idx;
    }
    starts[leaves.size()] = docs.length;
    return new PefaScoredDocsQuery(
        docs, scores, rawByDoc.scores(), starts, reader.getContext().id(), explainer, source);
  }

  @Override
  public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
    if (searcher.getIndexReader().getContext().id() != contextIdentity) {
      throw new IllegalStateException(
          "this PEFA query was rewritten against a different IndexReader: "
              + "rewrite the original PefaQuery with the searcher you use");
    }
    return new Weight(this) {
      @Override
      public Explanation explain(LeafReaderContext context, int doc) throws IOException {
        int found = Arrays.binarySearch(docs, doc + context.docBase);
        if (found < 0) {
          return Explanation.noMatch("not among the " + docs.length + " PEFA results");
        }
        float raw = rawScores[found];
        Explanation rawExplanation = explainer.explain(context, doc, raw);
        Explanation scaled =
            Explanation.match(
                scores[found],
                "non-negative PEFA score, computed as raw < 0 ? 1 / (1 - raw) : raw + 1"
                    + (scores[found] != PefaScoring.nonNegativeScore(raw)
                        ? " (then one float step below the next higher hit's, to keep the order)"
                        : "")
                    + " from:",
                rawExplanation);
        return boost == 1f
            ? scaled
            : Explanation.match(
                scores[found] * boost, "product of:", scaled, Explanation.match(boost, "boost"));
      }

      @Override
      public int count(LeafReaderContext context) {
        return segmentStarts[context.ord + 1] - segmentStarts[context.ord];
      }

      @Override
      public ScorerSupplier scorerSupplier(LeafReaderContext context) {
        final int lower = segmentStarts[context.ord];
        final int upper = segmentStarts[context.ord + 1];
        if (lower == upper) {
          return null;
        }
        float max = 0;
        for (int i = lower; i < upper; i++) {
          max = Math.max(max, scores[i]);
        }
        final float maxScore = max * boost;
        final int docBase = context.docBase;
        return new ScorerSupplier() {
          @Override
          public Scorer get(long leadCost) {
            return new HitsScorer(lower, upper, docBase, boost, maxScore);
          }

          @Override
          public long cost() {
            return upper - lower;
          }
        };
      }

      @Override
      public boolean isCacheable(LeafReaderContext ctx) {
        return true;
      }
    };
  }

  private final class HitsScorer extends Scorer {
    private final int lower, upper, docBase;
    private final float boost, maxScore;
    private int index = -1;

    HitsScorer(int lower, int upper, int docBase, float boost, float maxScore) {
      this.lower = lower;
      this.upper = upper;
      this.docBase = docBase;
      this.boost = boost;
      this.maxScore = maxScore;
    }

    @Override
    public int docID() {
      if (index < 0) {
        return -1;
      }
      return index >= upper ? DocIdSetIterator.NO_MORE_DOCS : docs[index] - docBase;
    }

    @Override
    public float score() {
      return scores[index] * boost;
    }

    @Override
    public float getMaxScore(int upTo) {
      return maxScore;
    }

    @Override
    public DocIdSetIterator iterator() {
      return new DocIdSetIterator() {
        @Override
        public int docID() {
          return HitsScorer.this.docID();
        }

        @Override
        public int nextDoc() {
          index = index < 0 ? lower : index + 1;
          return docID();
        }

        @Override
        public int advance(int target) {
          int from = index < 0 ? lower : index + 1;
          long global = (long) target + docBase; // NO_MORE_DOCS + docBase overflows an int
          if (global > docs[upper - 1]) {
            index = upper;
            return DocIdSetIterator.NO_MORE_DOCS;
          }
          int found = Arrays.binarySearch(docs, from, upper, (int) global);
          index = found >= 0 ? found : -1 - found;
          return docID();
        }

        @Override
        public long cost() {
          return upper - lower;
        }
      };
    }
  }

  @Override
  public String toString(String field) {
    return "PefaScoredDocsQuery(" + source + ", " + docs.length + " docs)";
  }

  @Override
  public void visit(QueryVisitor visitor) {
    visitor.visitLeaf(this);
  }

  @Override
  public boolean equals(Object o) {
    return sameClassAs(o)
        && contextIdentity == ((PefaScoredDocsQuery) o).contextIdentity
        && Arrays.equals(docs, ((PefaScoredDocsQuery) o).docs)
        && Arrays.equals(scores, ((PefaScoredDocsQuery) o).scores);
  }

  @Override
  public int hashCode() {
    return Objects.hash(classHash(), contextIdentity, Arrays.hashCode(docs), Arrays.hashCode(scores));
  }
}
