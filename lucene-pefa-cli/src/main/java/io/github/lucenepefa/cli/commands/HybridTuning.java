package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.eval.ScoredDoc;
import io.github.lucenepefa.cli.index.PefaSearch;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnVote;
import io.github.lucenepefa.search.XlCandidates;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The BM25 part of {@code pefa tune}: chooses the BM25 weight {@code a} of each hybrid method on the dev queries,
 * jointly with the method's own parameters (PEFA-XS: lam; PEFA-XL: lam, k and the vote), by the dev metric. ERM+BM25
 * and PEFA-XL+BM25 are ranked from one PEFA-XL candidate search per query ({@link PefaSearch#xlHybridRank}); PEFA-XS+BM25
 * runs the hybrid query.
 */
final class HybridTuning {

  /**
   * The choice.
   *
   * @param ermA {@code a} of ERM+BM25
   * @param ermDev its dev metric
   * @param xsA {@code a} of PEFA-XS+BM25
   * @param xsLam its lambda
   * @param xsDev its dev metric
   * @param xl PEFA-XL setting of PEFA-XL+BM25
   * @param xlA its {@code a}
   * @param xlDev its dev metric
   * @param dev every setting's dev metric, by label
   */
  record Result(float ermA, double ermDev, float xsA, float xsLam, double xsDev, TuneCommand.XlSetting xl, float xlA,
      double xlDev, Map<String, Double> dev) {}

  private HybridTuning() {}

  static String label(String method, String setting, float a) {
    return method + " (" + (setting.isEmpty() ? "" : setting + ",") + "a=" + TuneCommand.fmt(a) + ")";
  }

  static Result tune(PefaSearch ps, List<String> ids, float[][] vecs, List<String> texts, List<Float> weights,
      List<Float> lams, List<TuneCommand.XlSetting> grid, List<XlCandidates> cands, int topK, ErmScoreMode mode,
      int hits, int threads, ToDoubleFunction<Map<String, List<ScoredDoc>>> score) throws IOException {
    Map<String, Double> dev = new LinkedHashMap<>();
    List<PefaSearch.LexicalScores> lex = Workbench.parallel(ids.size(), threads, i -> ps.lexicalScores(texts.get(i)));
    // ERM+BM25: PEFA-XL at lam 1 is ERM over the same candidates
    PefaSearch.XlParams erm = new PefaSearch.XlParams(1f, KnnVote.similarity(1,
        io.github.lucenepefa.scoring.KnnNormalization.SUM), topK, ErmScoreMode.EXACT);
    float ermA = 0;
    double ermDev = Double.NEGATIVE_INFINITY;
    List<org.apache.lucene.search.ScoreDoc[]> ermScores =
        Workbench.parallel(ids.size(), threads, i -> ps.xlScores(cands.get(i), erm, lex.get(i)));
    for (float a : weights) {
      double v = score.applyAsDouble(run(ids, Workbench.parallel(ids.size(), threads,
          i -> ps.hybridRank(ermScores.get(i), lex.get(i), a, hits))));
      dev.put(label(EvalCommand.ERM_BM25, "", a), v);
      if (v > ermDev + 1e-12) {
        ermDev = v;
        ermA = a;
      }
    }
    // PEFA-XS+BM25: the hybrid query for each lam and a
    float xsA = 0, xsLam = lams.get(0);
    double xsDev = Double.NEGATIVE_INFINITY;
    for (float l : lams) {
      for (float a : weights) {
        double v = score.applyAsDouble(run(ids, Workbench.parallel(ids.size(), threads,
            i -> ps.ranked(n -> ps.hybridTop(ps.xsQuery(vecs[i], l, n), texts.get(i), a), hits))));
        dev.put(label(EvalCommand.XS_BM25, "lam=" + TuneCommand.fmt(l), a), v);
        if (v > xsDev + 1e-12) {
          xsDev = v;
          xsA = a;
          xsLam = l;
        }
      }
    }
    // PEFA-XL+BM25: every setting of the PEFA-XL grid with every a
    TuneCommand.XlSetting xlBest = null;
    float xlA = 0;
    double xlDev = Double.NEGATIVE_INFINITY;
    for (TuneCommand.XlSetting st : grid) {
      PefaSearch.XlParams p = new PefaSearch.XlParams(st.lam(), st.vote(), topK, mode);
      List<org.apache.lucene.search.ScoreDoc[]> pefa =
          Workbench.parallel(ids.size(), threads, i -> ps.xlScores(cands.get(i), p, lex.get(i)));
      for (float a : weights) {
        double v = score.applyAsDouble(run(ids, Workbench.parallel(ids.size(), threads,
            i -> ps.hybridRank(pefa.get(i), lex.get(i), a, hits))));
        dev.put(label(EvalCommand.XL_BM25, st.label(), a), v);
        if (v > xlDev + 1e-12) {
          xlDev = v;
          xlA = a;
          xlBest = st;
        }
      }
    }
    return new Result(ermA, ermDev, xsA, xsLam, xsDev, xlBest, xlA, xlDev, dev);
  }

  /**
   * Checks the fast PEFA-XL+BM25 ranking against {@link io.github.lucenepefa.search.PefaHybridQuery} on the choice.
   *
   * @return the dev metric through the query
   */
  static double viaQuery(PefaSearch ps, List<String> ids, float[][] vecs, List<String> texts, Result r, int topK,
      ErmScoreMode mode, int hits, int threads, ToDoubleFunction<Map<String, List<ScoredDoc>>> score)
      throws IOException {
    PefaSearch.XlParams p = new PefaSearch.XlParams(r.xl().lam(), r.xl().vote(), topK, mode);
    return score.applyAsDouble(run(ids, Workbench.parallel(ids.size(), threads,
        i -> ps.ranked(n -> ps.hybridTop(ps.xlQuery(vecs[i], p, n, null), texts.get(i), r.xlA()), hits))));
  }

  static String describe(Result r) {
    return String.format(Locale.ROOT, "ERM+BM25 %.4f at a=%s | PEFA-XS+BM25 %.4f at lam=%s, a=%s | PEFA-XL+BM25 %.4f"
        + " at %s, a=%s", r.ermDev(), TuneCommand.fmt(r.ermA()), r.xsDev(), TuneCommand.fmt(r.xsLam()),
        TuneCommand.fmt(r.xsA()), r.xlDev(), r.xl().label(), TuneCommand.fmt(r.xlA()));
  }

  private static Map<String, List<ScoredDoc>> run(List<String> ids, List<List<ScoredDoc>> ranked) {
    Map<String, List<ScoredDoc>> run = new LinkedHashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      run.put(ids.get(i), ranked.get(i));
    }
    return run;
  }
}
