package io.github.lucenepefa.search;

import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnVote;
import io.github.lucenepefa.scoring.KnnWeighting;
import io.github.lucenepefa.scoring.PefaScoring;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.Explanation;

/**
 * The explanations of a {@link PefaQuery}'s raw scores: every part of the formula, recomputed from
 * the stored vectors and the search's candidates ({@link PefaScoredDocsQuery.Explainer}).
 */
final class PefaExplanations {

  private final PefaSchema schema;
  private final float[] vector;
  private final float lambda;
  private final KnnVote vote;
  private final ErmScoreMode ermScoreMode;
  private final int topK;
  private final boolean storedXs; // PEFA-XS at the index-time lambda: the stored e_d

  PefaExplanations(
      PefaSchema schema,
      float[] vector,
      float lambda,
      KnnVote vote,
      ErmScoreMode ermScoreMode,
      int topK,
      boolean storedXs) {
    this.schema = schema;
    this.vector = vector;
    this.lambda = lambda;
    this.vote = vote;
    this.ermScoreMode = ermScoreMode;
    this.topK = topK;
    this.storedXs = storedXs;
  }

  /** A PEFA-XL score: lambda, the ERM part and every neighbour's vote for the document. */
  Explanation xl(XlCandidates candidates, LeafReaderContext ctx, int doc, float score)
      throws IOException {
    List<Neighbour> nk = candidates.neighbours(vote.k());
    float[] votes = vote.votes(nk);
    String key = keyOf(ctx, doc);
    float[] p = vectorOf(ctx, schema.ermField(), doc);
    List<Explanation> contributions = new ArrayList<>();
    for (int i = 0; i < votes.length; i++) {
      Neighbour nb = nk.get(i);
      Float w = nb.labels().get(key);
      if (w != null) {
        float c = PefaScoring.knnContribution(votes[i], w);
        String voteDesc =
            vote.weighting() == KnnWeighting.SIMILARITY
                ? "<q,x_i> = " + nb.similarity()
                : "softmax vote " + votes[i] + " (<q,x_i> = " + nb.similarity() + ")";
        contributions.add(
            Explanation.match(
                c, "v_i * Y[i,d] of neighbour '" + nb.rowId() + "': " + voteDesc + ", Y[i,d] = " + w));
      }
    }
    float factor = vote.factor();
    Float knn = PefaScoring.knnScores(nk, vote).get(key); // the scorer's s_knn, not a re-sum
    float knnPart = knn == null ? 0f : knn;
    float ermPart =
        p == null
                || (ermScoreMode == ErmScoreMode.TOP_K_ONLY
                    && candidates.inErmTopK(ctx.docBase + doc) == false)
            ? 0f
            : PefaScoring.similarity(vector, p);
    String ermDesc =
        ermScoreMode == ErmScoreMode.TOP_K_ONLY && ermPart == 0f
            ? "ERM part s_erm (0: outside the ERM top-" + topK + ", TOP_K_ONLY)"
            : "ERM part s_erm = <q,p_d>";
    contributions.add(0, Explanation.match(factor, "c (" + vote + ")"));
    return Explanation.match(
        score,
        "raw PEFA-XL score of doc '"
            + key
            + "', computed as lambda * s_erm + (1 - lambda) * s_knn from:",
        Explanation.match(lambda, "lambda"),
        Explanation.match(ermPart, ermDesc),
        Explanation.match(
            knnPart,
            "kNN part s_knn over the "
                + (contributions.size() - 1)
                + " of "
                + nk.size()
                + " neighbours labelling it, computed as c * sum of v_i * Y[i,d] from:",
            contributions));
  }

  /** A PEFA-XS score: lambda, the ERM part and the label part of {@code e_d}. */
  Explanation xs(LeafReaderContext ctx, int doc, float score) throws IOException {
    String key = keyOf(ctx, doc);
    float[] p = vectorOf(ctx, schema.ermField(), doc);
    float[] e0 = vectorOf(ctx, schema.xsVectorField(), doc);
    float lam0 = schema.xsLambda();
    List<Explanation> parts = new ArrayList<>();
    parts.add(Explanation.match(lambda, "lambda (index-time " + lam0 + ")"));
    if (p != null) {
      parts.add(Explanation.match(PefaScoring.similarity(vector, p), "ERM part <q,p_d>"));
      if (e0 != null && lam0 < 1f) {
        // u_d = e_d at lambda 0, recovered from the stored p_d and e_d
        float[] u = PefaScoring.xsDocumentVector(p, e0, lam0, 0f, new float[p.length]);
        parts.add(
            Explanation.match(
                PefaScoring.similarity(vector, u),
                "label part <q,u_d>, u_d = normalize(sum_i Y[i,d] x_i)"));
      }
    }
    String how =
        storedXs
            ? "<q,e_d> with the stored e_d = lambda * p_d + (1 - lambda) * u_d"
            : "<q,e_d> with e_d = lambda * p_d + (1 - lambda) * u_d computed from the stored p_d and"
                + " e_d(lam0) = lam0 * p_d + (1 - lam0) * u_d as a * p_d + b * e_d(lam0), b = (1 -"
                + " lambda) / (1 - lam0), a = lambda - lam0 * b";
    return Explanation.match(
        score, "raw PEFA-XS score of doc '" + key + "', computed as " + how + " from:", parts);
  }

  private String keyOf(LeafReaderContext ctx, int doc) throws IOException {
    SortedDocValues keys = ctx.reader().getSortedDocValues(schema.keyField());
    if (keys != null && keys.advanceExact(doc)) {
      return keys.lookupOrd(keys.ordValue()).utf8ToString();
    }
    return "?";
  }

  private static float[] vectorOf(LeafReaderContext ctx, String field, int doc) throws IOException {
    FloatVectorValues values = ctx.reader().getFloatVectorValues(field);
    if (values == null) {
      return null;
    }
    KnnVectorValues.DocIndexIterator it = values.iterator();
    return it.advance(doc) == doc ? values.vectorValue(it.index()).clone() : null;
  }
}
