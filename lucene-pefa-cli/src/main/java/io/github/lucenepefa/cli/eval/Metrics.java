package io.github.lucenepefa.cli.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ranking metrics with BEIR's definitions.
 *
 * <p>Inputs: a run {@code qid → ranked doc ids} (best first; the list order IS the ranking, ties must already be
 * broken) and qrels {@code qid → (doc id → grade)}. A document is relevant when its grade is {@code > 0}.
 *
 * <ul>
 *   <li>{@code R@k}: |top-k ∩ relevant| / |relevant| (fractional for multi-relevant queries; not capped at k).
 *   <li>{@code P@k}: |top-k ∩ relevant| / k.
 *   <li>{@code nDCG@k}: DCG@k / IDCG@k with gain = the qrels grade (1 on SciFact, i.e. binary) and discount
 *       {@code 1/log2(rank+1)} for rank 1..k; IDCG@k ranks the judged positive grades in decreasing order.
 *   <li>{@code MRR@k}: 1/rank of the first relevant doc within the top k, else 0.
 * </ul>
 *
 * <p>Averaging: over the queries of the qrels that have at least one relevant doc. A query of the qrels missing
 * from the run scores 0 on every metric; run queries absent from the qrels are ignored.
 *
 * <p>Comparison with BEIR / pytrec_eval (trec_eval 9.x): BEIR computes {@code ndcg_cut.k} and {@code recall.k}
 * with pytrec_eval and {@code MRR@k} itself. The per-query formulas above are the same (trec_eval's {@code
 * ndcg_cut} uses linear gains = grade, log2(rank+1) discounts and an ideal ranking from the qrels cut at k; its
 * {@code recall_k} divides by all relevant docs). The differences are only at the edges: (1) pytrec_eval sorts each
 * query's run by score, breaking score ties by doc id in decreasing string order, while we take the given order, so
 * a run with tied scores may evaluate differently; runs without ties evaluate identically; (2) BEIR averages over
 * the queries present in the run (all of them in practice), we over the judged queries, counting missing ones as 0
 * (trec_eval {@code -c}); (3) BEIR by default drops a retrieved doc whose id equals the query id ({@code
 * ignore_identical_ids}), we do not (callers may filter the run first); (4) trec_eval still averages queries whose
 * judgements are all non-positive (scoring 0); we skip them.
 */
public final class Metrics {

  /** The default metric set, in report order. */
  public static final List<String> DEFAULT_METRICS = List.of("R@10", "R@20", "R@100", "nDCG@10", "MRR@10");

  private static final Pattern NAME = Pattern.compile("(R|P|nDCG|MRR)@([1-9][0-9]*)");

  private Metrics() {}

  /**
   * Mean of the {@link #DEFAULT_METRICS}.
   *
   * @param run qid → ranked doc ids (best first)
   * @param qrels qid → (doc id → grade)
   * @return metric name → mean, in {@link #DEFAULT_METRICS} order
   */
  public static Map<String, Double> evaluate(
      Map<String, List<String>> run, Map<String, Map<String, Integer>> qrels) {
    return evaluate(run, qrels, DEFAULT_METRICS);
  }

  /**
   * Mean of the named metrics ({@code R@k}, {@code P@k}, {@code nDCG@k}, {@code MRR@k}).
   *
   * @param run qid → ranked doc ids (best first)
   * @param qrels qid → (doc id → grade)
   * @param metrics metric names
   * @return metric name → mean over the evaluated queries, in the order given
   * @throws IllegalArgumentException for an unknown metric name, a ranked list repeating a doc, or qrels without
   *     any relevant doc
   */
  public static Map<String, Double> evaluate(
      Map<String, List<String>> run, Map<String, Map<String, Integer>> qrels, List<String> metrics) {
    Map<String, Map<String, Double>> per = perQuery(run, qrels, metrics);
    if (per.isEmpty()) {
      throw new IllegalArgumentException("no query in the qrels has a relevant document");
    }
    Map<String, Double> mean = new LinkedHashMap<>();
    for (String m : metrics) {
      double sum = 0;
      for (Map<String, Double> v : per.values()) {
        sum += v.get(m);
      }
      mean.put(m, sum / per.size());
    }
    return mean;
  }

  /**
   * Per-query values of the named metrics, for the evaluated queries (those of the qrels with a relevant doc).
   *
   * @param run qid → ranked doc ids
   * @param qrels qid → (doc id → grade)
   * @param metrics metric names
   * @return qid → (metric → value), in qrels order
   */
  public static Map<String, Map<String, Double>> perQuery(
      Map<String, List<String>> run, Map<String, Map<String, Integer>> qrels, List<String> metrics) {
    List<Object[]> parsed = new ArrayList<>();
    for (String m : metrics) {
      Matcher mm = NAME.matcher(m);
      if (!mm.matches()) {
        throw new IllegalArgumentException("unknown metric \"" + m + "\" (expected R@k, P@k, nDCG@k or MRR@k)");
      }
      parsed.add(new Object[] {mm.group(1), Integer.parseInt(mm.group(2))});
    }
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Integer>> e : qrels.entrySet()) {
      Map<String, Integer> judged = e.getValue();
      if (countRelevant(judged) == 0) {
        continue;
      }
      List<String> ranked = run.getOrDefault(e.getKey(), List.of());
      checkNoDuplicates(e.getKey(), ranked);
      Map<String, Double> values = new LinkedHashMap<>();
      for (int i = 0; i < metrics.size(); i++) {
        String kind = (String) parsed.get(i)[0];
        int k = (Integer) parsed.get(i)[1];
        double v =
            switch (kind) {
              case "R" -> recall(ranked, judged, k);
              case "P" -> precision(ranked, judged, k);
              case "nDCG" -> ndcg(ranked, judged, k);
              default -> reciprocalRank(ranked, judged, k);
            };
        values.put(metrics.get(i), v);
      }
      out.put(e.getKey(), values);
    }
    return out;
  }

  /**
   * Mean Recall@k for every k = 1..maxK in one pass, averaged like {@link #evaluate}.
   *
   * @param run qid → ranked doc ids
   * @param qrels qid → (doc id → grade)
   * @param maxK the largest k
   * @return {@code curve[k-1]} = mean Recall@k
   */
  public static double[] recallCurve(
      Map<String, List<String>> run, Map<String, Map<String, Integer>> qrels, int maxK) {
    double[] curve = new double[maxK];
    int n = 0;
    for (Map.Entry<String, Map<String, Integer>> e : qrels.entrySet()) {
      int rel = countRelevant(e.getValue());
      if (rel == 0) {
        continue;
      }
      n++;
      List<String> ranked = run.getOrDefault(e.getKey(), List.of());
      checkNoDuplicates(e.getKey(), ranked);
      int hits = 0;
      for (int k = 1; k <= maxK; k++) {
        if (k <= ranked.size() && isRelevant(e.getValue(), ranked.get(k - 1))) {
          hits++;
        }
        curve[k - 1] += (double) hits / rel;
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException("no query in the qrels has a relevant document");
    }
    for (int i = 0; i < maxK; i++) {
      curve[i] /= n;
    }
    return curve;
  }

  /**
   * @param ranked ranked doc ids
   * @param judged doc id → grade
   * @param k cutoff
   * @return |top-k ∩ relevant| / |relevant|, or 0 if nothing is relevant
   */
  public static double recall(List<String> ranked, Map<String, Integer> judged, int k) {
    int rel = countRelevant(judged);
    return rel == 0 ? 0 : (double) hitsAt(ranked, judged, k) / rel;
  }

  /**
   * @param ranked ranked doc ids
   * @param judged doc id → grade
   * @param k cutoff
   * @return |top-k ∩ relevant| / k
   */
  public static double precision(List<String> ranked, Map<String, Integer> judged, int k) {
    return (double) hitsAt(ranked, judged, k) / k;
  }

  /**
   * @param ranked ranked doc ids
   * @param judged doc id → grade (the gain of a doc with positive grade)
   * @param k cutoff
   * @return DCG@k / IDCG@k, or 0 if nothing is relevant
   */
  public static double ndcg(List<String> ranked, Map<String, Integer> judged, int k) {
    double dcg = 0;
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      Integer g = judged.get(ranked.get(i));
      if (g != null && g > 0) {
        dcg += g / log2(i + 2);
      }
    }
    List<Integer> gains = new ArrayList<>();
    for (int g : judged.values()) {
      if (g > 0) {
        gains.add(g);
      }
    }
    gains.sort(Collections.reverseOrder());
    double idcg = 0;
    for (int i = 0; i < Math.min(k, gains.size()); i++) {
      idcg += gains.get(i) / log2(i + 2);
    }
    return idcg == 0 ? 0 : dcg / idcg;
  }

  /**
   * @param ranked ranked doc ids
   * @param judged doc id → grade
   * @param k cutoff
   * @return 1/rank of the first relevant doc within the top k, else 0
   */
  public static double reciprocalRank(List<String> ranked, Map<String, Integer> judged, int k) {
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      if (isRelevant(judged, ranked.get(i))) {
        return 1.0 / (i + 1);
      }
    }
    return 0;
  }

  private static int hitsAt(List<String> ranked, Map<String, Integer> judged, int k) {
    int hits = 0;
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      if (isRelevant(judged, ranked.get(i))) {
        hits++;
      }
    }
    return hits;
  }

  private static boolean isRelevant(Map<String, Integer> judged, String doc) {
    Integer g = judged.get(doc);
    return g != null && g > 0;
  }

  private static int countRelevant(Map<String, Integer> judged) {
    int n = 0;
    for (int g : judged.values()) {
      if (g > 0) {
        n++;
      }
    }
    return n;
  }

  private static void checkNoDuplicates(String qid, List<String> ranked) {
    Set<String> seen = new HashSet<>(ranked.size() * 2);
    for (String d : ranked) {
      if (!seen.add(d)) {
        throw new IllegalArgumentException("run for query " + qid + " lists doc " + d + " twice");
      }
    }
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
