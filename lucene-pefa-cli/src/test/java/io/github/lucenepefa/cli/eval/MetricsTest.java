package io.github.lucenepefa.cli.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {

  static final double EPS = 1e-12;

  static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  static Map<String, Map<String, Integer>> qrels() {
    Map<String, Map<String, Integer>> q = new LinkedHashMap<>();
    q.put("q1", Map.of("a", 1, "b", 1, "c", 1));
    q.put("q2", Map.of("x", 1));
    q.put("q3", Map.of("y", 0)); // no relevant doc: not evaluated
    q.put("q4", Map.of("z", 1)); // not in the run: counts as 0
    return q;
  }

  static Map<String, List<String>> run() {
    Map<String, List<String>> r = new LinkedHashMap<>();
    r.put("q1", List.of("d", "a", "e", "b"));
    r.put("q2", List.of("x"));
    r.put("q3", List.of("y"));
    r.put("q9", List.of("a")); // not judged: ignored
    return r;
  }

  @Test
  void handComputedMeans() {
    Map<String, Double> m = Metrics.evaluate(run(), qrels());
    assertEquals(List.of("R@10", "R@20", "R@100", "nDCG@10", "MRR@10"), List.copyOf(m.keySet()));
    double q1Ndcg = (1 / log2(3) + 1 / log2(5)) / (1 + 1 / log2(3) + 1 / log2(4));
    assertEquals(0.498189, q1Ndcg, 1e-6);
    assertEquals((2.0 / 3 + 1 + 0) / 3, m.get("R@10"), EPS);
    assertEquals((2.0 / 3 + 1 + 0) / 3, m.get("R@100"), EPS);
    assertEquals((q1Ndcg + 1 + 0) / 3, m.get("nDCG@10"), EPS);
    assertEquals((0.5 + 1 + 0) / 3, m.get("MRR@10"), EPS);

    Map<String, Double> c = Metrics.evaluate(run(), qrels(), List.of("R@1", "R@2", "P@2", "nDCG@1"));
    assertEquals((0 + 1 + 0) / 3.0, c.get("R@1"), EPS);
    assertEquals((1.0 / 3 + 1 + 0) / 3, c.get("R@2"), EPS);
    assertEquals((0.5 + 0.5 + 0) / 3, c.get("P@2"), EPS);
    assertEquals((0 + 1 + 0) / 3.0, c.get("nDCG@1"), EPS);
  }

  @Test
  void gradedGainsAreLinear() {
    Map<String, Integer> judged = Map.of("a", 2, "b", 1, "n", 0);
    double expected = (1 + 2 / log2(3)) / (2 + 1 / log2(3));
    assertEquals(expected, Metrics.ndcg(List.of("b", "a", "n"), judged, 10), EPS);
    assertEquals(1.0, Metrics.ndcg(List.of("a", "b"), judged, 10), EPS);
    // ideal cut at k: only the best grade counts at k=1
    assertEquals(0.5, Metrics.ndcg(List.of("b"), judged, 1), EPS);
    assertEquals(1.0, Metrics.recall(List.of("n", "a", "b"), judged, 3), EPS); // grade 0 is not relevant
  }

  @Test
  void cutoffs() {
    List<String> ranked = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ranked.add("n" + i);
    }
    ranked.add("r");
    Map<String, Integer> judged = Map.of("r", 1);
    assertEquals(0, Metrics.reciprocalRank(ranked, judged, 10), EPS);
    assertEquals(1.0 / 11, Metrics.reciprocalRank(ranked, judged, 11), EPS);
    assertEquals(0, Metrics.ndcg(ranked, judged, 10), EPS);
    assertEquals(1 / log2(12), Metrics.ndcg(ranked, judged, 20), EPS);
    assertEquals(1, Metrics.recall(ranked, judged, 20), EPS);
  }

  @Test
  void recallCurveMatchesPointMetrics() {
    double[] curve = Metrics.recallCurve(run(), qrels(), 100);
    Map<String, Double> m = Metrics.evaluate(run(), qrels(), List.of("R@1", "R@2", "R@4", "R@100"));
    assertEquals(m.get("R@1"), curve[0], EPS);
    assertEquals(m.get("R@2"), curve[1], EPS);
    assertEquals(m.get("R@4"), curve[3], EPS);
    assertEquals(m.get("R@100"), curve[99], EPS);
  }

  @Test
  void perQueryAndErrors() {
    Map<String, Map<String, Double>> per = Metrics.perQuery(run(), qrels(), List.of("MRR@10"));
    assertEquals(List.of("q1", "q2", "q4"), List.copyOf(per.keySet()));
    assertThrows(IllegalArgumentException.class, () -> Metrics.evaluate(run(), qrels(), List.of("MAP@10")));
    assertThrows(IllegalArgumentException.class, () -> Metrics.evaluate(run(), qrels(), List.of("R@0")));
    assertThrows(
        IllegalArgumentException.class,
        () -> Metrics.evaluate(Map.of("q2", List.of("x", "x")), qrels()));
    assertThrows(
        IllegalArgumentException.class, () -> Metrics.evaluate(run(), Map.of("q3", Map.of("y", 0))));
  }
}
