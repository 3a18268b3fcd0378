package io.github.lucenepefa.cli.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs trec_eval 9.0.4, the Linux binary that {@code uk.ac.gla.dcs.terrierteam:jtreceval} ships (as Anserini uses
 * it), and compares its numbers with the tool's metrics on the same run files.
 *
 * <p>The tool's metrics map to trec_eval's as: {@code nDCG@10} = {@code ndcg_cut_10}, {@code R@k} = {@code recall_k},
 * {@code MRR@10} = {@code recip_rank} with at most 10 hits per query read ({@code -M 10}). trec_eval prints 4
 * decimals, so values agree within 5e-5; it is run with {@code -c} (a judged query missing from the run counts 0) and
 * {@code -q} (per query), and every query's values are compared, not only the means.
 */
public final class TrecEval {

  private TrecEval() {}

  /** The tool's metric names and trec_eval's, with the {@code -M} each needs (0: all hits). */
  static final String[][] MEASURES = {
    {"nDCG@10", "ndcg_cut.10", "ndcg_cut_10", "0"},
    {"R@10", "recall.10", "recall_10", "0"},
    {"R@100", "recall.100", "recall_100", "0"},
    {"MRR@10", "recip_rank", "recip_rank", "10"},
  };

  /**
   * @return the trec_eval binary, extracted under java.io.tmpdir (the test is skipped off Linux x86-64)
   * @throws IOException on errors
   */
  static Path binary() throws IOException {
    Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
        && System.getProperty("os.arch").matches("amd64|x86_64"), "jtreceval's trec_eval binary here is for Linux x86-64");
    Path bin = Path.of(System.getProperty("java.io.tmpdir")).resolve("trec_eval-9.0.4-linux-amd64");
    if (!Files.isExecutable(bin)) {
      try (InputStream in = TrecEval.class.getClassLoader().getResourceAsStream("trec_eval-linux-amd64")) {
        assertTrue(in != null, "trec_eval-linux-amd64 is not on the test classpath (jtreceval)");
        Path tmp = Files.createTempFile(bin.getParent(), "trec_eval", ".tmp");
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        tmp.toFile().setExecutable(true);
        Files.move(tmp, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    }
    return bin;
  }

  /**
   * Writes qrels in TREC's format ({@code qid 0 docid rel}).
   *
   * @param qrels qid → (doc → grade)
   * @param file the file
   * @throws IOException on errors
   */
  public static void writeQrels(Map<String, Map<String, Integer>> qrels, Path file) throws IOException {
    StringBuilder sb = new StringBuilder();
    qrels.forEach((q, m) -> m.forEach((d, g) -> sb.append(q).append(" 0 ").append(d).append(' ').append(g).append('\n')));
    Files.writeString(file, sb.toString());
  }

  /**
   * @param qrels TREC qrels file
   * @param run TREC run file
   * @param maxHits {@code -M}, or 0 for none
   * @param measure a trec_eval measure ({@code ndcg_cut.10})
   * @return qid (and {@code all}) → value
   * @throws Exception on errors
   */
  static Map<String, Double> run(Path qrels, Path run, int maxHits, String measure) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(binary().toString(), "-c", "-q"));
    if (maxHits > 0) {
      cmd.add("-M");
      cmd.add(String.valueOf(maxHits));
    }
    cmd.addAll(List.of("-m", measure, qrels.toString(), run.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "trec_eval did not finish");
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
    Map<String, Double> values = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 3) {
        values.put(f[1], Double.parseDouble(f[2]));
      }
    }
    return values;
  }

  /**
   * Asserts that trec_eval gives, on a run file, the tool's means and per-query values.
   *
   * @param qrelsFile TREC qrels of the evaluated split
   * @param runFile the run file
   * @param means the tool's means (metrics.json's entry of the run's method)
   * @param perQuery the tool's per-query values (qid → metric → value), or null
   * @return how many values were compared
   * @throws Exception on errors or disagreement
   */
  public static int assertAgrees(Path qrelsFile, Path runFile, Map<String, Double> means,
      Map<String, Map<String, Double>> perQuery) throws Exception {
    int n = 0;
    for (String[] m : MEASURES) {
      Map<String, Double> te = run(qrelsFile, runFile, Integer.parseInt(m[3]), m[1]);
      assertTrue(te.containsKey("all"), "trec_eval printed no mean of " + m[1]);
      assertEquals(te.get("all"), means.get(m[0]), 5e-5, runFile.getFileName() + " " + m[0] + " vs trec_eval " + m[2]);
      n++;
      if (perQuery != null) {
        for (var q : perQuery.entrySet()) {
          // trec_eval -c -q prints no line for a judged query the run lacks; it counts 0 in the mean
          double v = te.getOrDefault(q.getKey(), 0.0);
          assertEquals(v, q.getValue().get(m[0]), 5e-5, runFile.getFileName() + " query " + q.getKey() + " " + m[0]);
          n++;
        }
      }
    }
    return n;
  }
}
