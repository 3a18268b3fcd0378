package io.github.lucenepefa.cli.eval;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.report.TrecRun;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool's metrics equal trec_eval's on runs with tied scores: both read a run file in trec_eval's order. */
class TrecEvalTest {

  @Test
  void tiedScoresAreEvaluatedAsTrecEvalOrdersThem(@TempDir Path dir) throws Exception {
    Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
    qrels.put("q1", Map.of("d2", 1, "d10", 1));
    qrels.put("q2", Map.of("b", 2, "a", 1));
    qrels.put("q3", Map.of("zz", 1)); // not in the run: 0 (trec_eval -c)
    Map<String, List<ScoredDoc>> run = new LinkedHashMap<>();
    // ranked in corpus order within ties, as the tool lists them; trec_eval puts d9 before d2 and d10 (doc id
    // decreasing), and "b" before "a"
    run.put("q1", List.of(new ScoredDoc("d1", 0.9f), new ScoredDoc("d2", 0.5f), new ScoredDoc("d10", 0.5f),
        new ScoredDoc("d9", 0.5f), new ScoredDoc("d3", 0.25f)));
    List<ScoredDoc> q2 = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      q2.add(new ScoredDoc("x" + i, 1f));
    }
    q2.add(new ScoredDoc("a", 0.75f));
    q2.add(new ScoredDoc("b", 0.75f));
    run.put("q2", q2);
    Path runFile = dir.resolve("run.trec");
    TrecRun.write(runFile, run, "t", Integer.MAX_VALUE);
    Path qrelsFile = dir.resolve("qrels.txt");
    TrecEval.writeQrels(qrels, qrelsFile);
    List<String> names = List.of("nDCG@10", "R@10", "R@100", "MRR@10");
    Map<String, Double> ours = Workbench.metrics(TrecRun.read(runFile), qrels, names);
    Map<String, Map<String, Double>> per =
        Metrics.perQuery(Workbench.ids(TrecRun.evaluationOrder(TrecRun.read(runFile))), qrels, names);
    TrecEval.assertAgrees(qrelsFile, runFile, ours, per);
    // the tie order matters here: in the run's own order the numbers differ (so this test can fail)
    assertNotEquals(ours, Metrics.evaluate(Workbench.ids(run), qrels, names));
  }
}
