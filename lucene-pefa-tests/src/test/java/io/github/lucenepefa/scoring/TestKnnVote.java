package io.github.lucenepefa.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kNN votes, checked against numbers computed by hand from the formulas. */
class TestKnnVote {

  record Row(String rowId, float similarity, Map<String, Float> labels)
      implements PefaScoring.LabelledRow {}

  static final List<Row> NEIGHBOURS =
      List.of(
          new Row("a", 0.8f, Map.of("d1", 1f, "d2", 2f)),
          new Row("b", 0.7f, Map.of("d1", 1f)),
          new Row("c", 0.5f, Map.of("d3", 1f)));

  @Test
  void similarityVoteSumsSimilarityTimesWeight() {
    Map<String, Float> sum = PefaScoring.knnScores(NEIGHBOURS, KnnVote.similarity(3, KnnNormalization.SUM));
    assertEquals(0.8 + 0.7, sum.get("d1"), 1e-6);
    assertEquals(2 * 0.8, sum.get("d2"), 1e-6);
    assertEquals(0.5, sum.get("d3"), 1e-6);
    Map<String, Float> mean = PefaScoring.knnScores(NEIGHBOURS, KnnVote.similarity(4, KnnNormalization.MEAN));
    assertEquals((0.8 + 0.7) / 4, mean.get("d1"), 1e-6); // 1/k with the requested k
  }

  @Test
  void softmaxVoteIsNormalisedAndSharp() {
    double t = 0.05;
    double ea = 1, eb = Math.exp((0.7 - 0.8) / t), ec = Math.exp((0.5 - 0.8) / t);
    double z = ea + eb + ec;
    Map<String, Float> s = PefaScoring.knnScores(NEIGHBOURS, KnnVote.softmax(3, (float) t));
    assertEquals((ea + eb) / z, s.get("d1"), 1e-6);
    assertEquals(2 * ea / z, s.get("d2"), 1e-6);
    assertEquals(ec / z, s.get("d3"), 1e-6);
    // normalisation does not apply to the softmax vote
    Map<String, Float> m =
        PefaScoring.knnScores(NEIGHBOURS, new KnnVote(3, KnnWeighting.SOFTMAX, KnnNormalization.MEAN, 0.05f));
    assertEquals(s, m);
  }

  @Test
  void badParametersAreNamed() {
    assertEquals(
        "temperature must be finite and > 0, got 0.0",
        assertThrows(IllegalArgumentException.class, () -> KnnVote.softmax(3, 0f)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> KnnVote.softmax(3, Float.NaN));
    assertThrows(IllegalArgumentException.class, () -> KnnVote.softmax(3, Float.POSITIVE_INFINITY));
    assertEquals(
        "k must be > 0, got 0",
        assertThrows(IllegalArgumentException.class, () -> KnnVote.similarity(0, KnnNormalization.SUM))
            .getMessage());
  }
}
