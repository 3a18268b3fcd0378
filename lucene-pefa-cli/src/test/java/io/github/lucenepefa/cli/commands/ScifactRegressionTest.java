package io.github.lucenepefa.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.cli.eval.TrecEval;
import io.github.lucenepefa.cli.vectors.Embedder;
import io.github.lucenepefa.cli.vectors.VectorCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SciFact regressions, one per model ({@code regressions/scifact-*.json}, in the style of Anserini's
 * regressions): each runs {@code pefa eval} with the file's parameters on the bundled SciFact, using the committed
 * vectors ({@code data/scifact/vectors/<model id>}), fails when a metric leaves its tolerance, and runs trec_eval on
 * the written runs. Each entry of the file's {@code quantized} list runs {@code pefa eval} again with its own
 * arguments (the same search parameters, a {@code --quantization}, default HNSW graphs and search effort) and checks
 * its own expected metrics within its tolerance.
 * A second test re-encodes a sample of each model's committed vectors with the project's encoder
 * and requires cosine >= 0.99999, so the seed cannot drift from the encoder.
 */
class ScifactRegressionTest {

  static Path repo() {
    return Path.of(System.getProperty("pefa.repo.dir", "..")).toAbsolutePath().normalize();
  }

  /** @return the regression files, {@code regressions/scifact-*.json} (one per model) */
  static List<Path> regressions() throws Exception {
    try (var s = Files.list(repo().resolve("regressions"))) {
      return s.filter(p -> p.getFileName().toString().matches("scifact-.*\\.json")).sorted().toList();
    }
  }

  static JsonNode regression(Path file) throws Exception {
    return new JsonMapper().readTree(file.toFile());
  }

  static Path seed(JsonNode reg) {
    return repo().resolve(reg.path("dataset").asText()).resolve("vectors").resolve(reg.path("model_id").asText());
  }

  static void requireSeed(JsonNode reg) {
    Path s = seed(reg);
    boolean present = Files.isRegularFile(s.resolve("doc.vec.gz")) && Files.isRegularFile(s.resolve("query.vec.gz"));
    if (reg.path("require_vectors").asBoolean(true)) {
      assertTrue(present, "committed SciFact vectors missing at " + s + " (regenerate: ./pefa vectors)");
    } else {
      Assumptions.assumeTrue(present, "committed SciFact vectors missing at " + s + "; regression skipped");
    }
  }

  @ParameterizedTest
  @MethodSource("regressions")
  void scifactMetricsWithinTolerance(Path file) throws Exception {
    JsonNode reg = regression(file);
    requireSeed(reg);
    Path work = CliRunner.work("regression");
    List<String> args = new ArrayList<>(List.of(
        "eval", "--data", repo().resolve(reg.path("dataset").asText()).toString(),
        "--cache", work.resolve("cache").toString(), "--index", work.resolve("index").toString(),
        "--out", work.resolve("eval").toString(), "--no-sweep", "--per-query"));
    for (JsonNode a : reg.path("eval_args")) {
      args.add(a.asText());
    }
    long t0 = System.nanoTime();
    CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    System.err.printf("regression: eval on SciFact in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    JsonNode got = new JsonMapper().readTree(work.resolve("eval/metrics.json").toFile());
    double defTol = reg.path("tolerance").asDouble(0.005);
    List<String> failures = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = reg.path("expected").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> method = it.next();
      for (Iterator<Map.Entry<String, JsonNode>> mt = method.getValue().fields(); mt.hasNext(); ) {
        Map.Entry<String, JsonNode> metric = mt.next();
        double want = metric.getValue().asDouble();
        double tol = reg.path("tolerances").path(metric.getKey()).asDouble(defTol);
        double have = got.path(method.getKey()).path(metric.getKey()).asDouble(Double.NaN);
        String line = String.format(java.util.Locale.ROOT, "%s %s: expected %.4f ± %.4f, got %.4f",
            method.getKey(), metric.getKey(), want, tol, have);
        System.err.println("regression: " + line);
        if (!(Math.abs(have - want) <= tol)) {
          failures.add(line);
        }
      }
    }
    failures.addAll(pValueMisses(reg.path("p_values"), got, "expected"));
    assertTrue(failures.isEmpty(), "SciFact regression failed:\n" + String.join("\n", failures));
    // trec_eval on the written runs gives metrics.json's numbers, per query too
    Path qrelsFile = work.resolve("test.qrels");
    TrecEval.writeQrels(BeirDataset.load(repo().resolve(reg.path("dataset").asText())).qrels("test"), qrelsFile);
    Map<String, Map<String, Map<String, Double>>> perQuery = readPerQuery(work.resolve("eval/per-query.tsv"));
    int compared = 0;
    for (String[] m : new String[][] {{"ERM", "erm"}, {"PEFA-XS", "xs"}, {"PEFA-XL", "xl"}, {"BM25", "bm25"},
        {"ERM+BM25", "erm-bm25"}, {"PEFA-XS+BM25", "xs-bm25"}, {"PEFA-XL+BM25", "xl-bm25"}}) {
      Map<String, Double> means = new java.util.LinkedHashMap<>();
      got.path(m[0]).fields().forEachRemaining(e -> means.put(e.getKey(), e.getValue().asDouble()));
      compared += TrecEval.assertAgrees(qrelsFile, work.resolve("eval/runs/" + m[1] + ".trec"), means, perQuery.get(m[0]));
    }
    System.err.printf("regression: trec_eval agrees with metrics.json on %d values (means and per query)%n", compared);
    checkPublishedBm25(reg, got);
    // quality smoke of the encoder: plain ERM within 0.005 of the published figures the file names (MTEB's)
    for (Iterator<Map.Entry<String, JsonNode>> it = reg.path("published").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      double erm = got.path("ERM").path("nDCG@10").asDouble();
      assertTrue(Math.abs(erm - p.getValue().asDouble()) <= 0.005, "ERM nDCG@10 " + erm + " vs " + p.getKey());
    }
  }

  @ParameterizedTest
  @MethodSource("regressions")
  void quantizedGraphsWithinTolerance(Path file) throws Exception {
    JsonNode reg = regression(file);
    Assumptions.assumeTrue(reg.path("quantized").size() > 0, file + " has no quantized rows");
    requireSeed(reg);
    List<String> failures = evalRows(reg, "quantized", "quantization", "regression-quantized");
    assertTrue(failures.isEmpty(), "SciFact quantized regression failed:\n" + String.join("\n", failures));
  }

  @Test
  void lossAgainstFloatIsCheckedPerMethod() throws Exception {
    JsonMapper json = new JsonMapper();
    JsonNode row = json.readTree("{\"max_loss_vs_float\": 0.003, \"float_nDCG@10\": {\"ERM\": 0.7, \"PEFA-XL\": 0.8}}");
    JsonNode within = json.readTree("{\"ERM\": {\"nDCG@10\": 0.6971}, \"PEFA-XL\": {\"nDCG@10\": 0.81}}");
    JsonNode lost = json.readTree("{\"ERM\": {\"nDCG@10\": 0.7}, \"PEFA-XL\": {\"nDCG@10\": 0.7969}}");
    assertEquals(List.of(), lossesVsFloat(row, within, "int8"));
    List<String> failures = lossesVsFloat(row, lost, "int8");
    assertEquals(1, failures.size(), failures.toString());
    assertTrue(failures.get(0).startsWith("int8 PEFA-XL"), failures.get(0));
    assertEquals(1, lossesVsFloat(row, json.readTree("{\"ERM\": {\"nDCG@10\": 0.7}}"), "int8").size()); // missing
    for (Path file : regressions()) { // every quantized row carries the check
      for (JsonNode q : regression(file).path("quantized")) {
        assertTrue(q.has("max_loss_vs_float") && q.path("float_nDCG@10").size() > 0, file + " " + q.path("quantization"));
      }
    }
  }

  /**
   * The file's {@code variants}: other search settings the README reports (tune's default grid, the softmax vote),
   * each a {@code pefa eval} with its own arguments on one index, within the file's tolerance.
   */
  @ParameterizedTest
  @MethodSource("regressions")
  void variantsWithinTolerance(Path file) throws Exception {
    JsonNode reg = regression(file);
    Assumptions.assumeTrue(reg.path("variants").size() > 0, file + " has no variants");
    requireSeed(reg);
    Map<String, Map<String, Map<String, Map<String, Double>>>> perQuery = new java.util.LinkedHashMap<>();
    List<String> failures = evalRows(reg, "variants", "name", "regression-variants", perQuery);
    failures.addAll(pValuesBetweenSettings(reg, perQuery));
    assertTrue(failures.isEmpty(), "SciFact variant regression failed:\n" + String.join("\n", failures));
  }

  /**
   * Tolerance of a pinned p-value: {@code 0.002 + 0.25 p}. The evals are deterministic (exact search, committed
   * vectors, seeded test), so a fresh p equals the pinned one unless a per-query metric moved within the metrics'
   * tolerance.
   */
  static boolean pValueWithin(double want, double have) {
    return Math.abs(have - want) <= 0.002 + 0.25 * want;
  }

  /**
   * The pinned {@code p_values} of one eval ({@code vs_ERM}: {@code params.p_value_vs_ERM}, {@code
   * vs_method_without_BM25}: {@code params.p_value_vs_method_without_BM25} of metrics.json) against the fresh ones.
   *
   * @return one line per p-value outside its tolerance
   */
  static List<String> pValueMisses(JsonNode pinned, JsonNode got, String name) {
    List<String> failures = new ArrayList<>();
    for (String[] kind : new String[][] {{"vs_ERM", "p_value_vs_ERM"}, {"vs_method_without_BM25",
        "p_value_vs_method_without_BM25"}}) {
      pinned.path(kind[0]).fields().forEachRemaining(method -> method.getValue().fields().forEachRemaining(metric -> {
        double want = metric.getValue().asDouble();
        double have = got.path("params").path(kind[1]).path(method.getKey()).path(metric.getKey()).asDouble(Double.NaN);
        String line = String.format(java.util.Locale.ROOT, "%s p %s %s %s: expected %.5f, got %.5f", name, kind[0],
            method.getKey(), metric.getKey(), want, have);
        System.err.println("regression: " + line);
        if (!pValueWithin(want, have)) {
          failures.add(line);
        }
      }));
    }
    return failures;
  }

  /**
   * The file's {@code p_values_between_settings}: a paired randomisation test ({@link
   * io.github.lucenepefa.cli.eval.PairedTest#randomisation}, as {@code pefa eval} runs it) of one method's per-query
   * metric under setting {@code a} against setting {@code b} ({@code expected} or a variant's name), from the
   * per-query metrics of the evals just run; the {@code expected} settings are evaluated here when an item names them.
   *
   * @return one line per p-value outside its tolerance
   */
  private static List<String> pValuesBetweenSettings(
      JsonNode reg, Map<String, Map<String, Map<String, Map<String, Double>>>> perQuery) throws Exception {
    List<String> failures = new ArrayList<>();
    for (JsonNode item : reg.path("p_values_between_settings")) {
      for (String setting : List.of(item.path("a").asText(), item.path("b").asText())) {
        if (setting.equals("expected") && !perQuery.containsKey("expected")) {
          Path work = CliRunner.work("regression-expected");
          List<String> args = evalArgs(reg, work, reg.path("eval_args"));
          args.add("--per-query");
          CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
          assertEquals(0, r.code(), r.err());
          perQuery.put("expected", readPerQuery(work.resolve("eval/per-query.tsv")));
        }
      }
      String method = item.path("method").asText();
      String metric = item.path("metric").asText();
      Map<String, Map<String, Double>> a = perQuery.get(item.path("a").asText()).get(method);
      Map<String, Map<String, Double>> b = perQuery.get(item.path("b").asText()).get(method);
      List<String> qids = new ArrayList<>(a.keySet());
      double[] x = new double[qids.size()];
      double[] y = new double[qids.size()];
      for (int i = 0; i < qids.size(); i++) {
        x[i] = a.get(qids.get(i)).get(metric);
        y[i] = b.get(qids.get(i)).get(metric);
      }
      double have = io.github.lucenepefa.cli.eval.PairedTest.randomisation(x, y);
      double want = item.path("p").asDouble();
      String line = String.format(java.util.Locale.ROOT, "p %s %s, %s against %s: expected %.5f, got %.5f", method,
          metric, item.path("a").asText(), item.path("b").asText(), want, have);
      System.err.println("regression: " + line);
      if (!pValueWithin(want, have)) {
        failures.add(line);
      }
    }
    return failures;
  }

  /** The arguments of {@code pefa eval} of a regression file's settings ({@code evalArgs}) into {@code work}. */
  private static List<String> evalArgs(JsonNode reg, Path work, JsonNode evalArgs) {
    List<String> args = new ArrayList<>(List.of(
        "eval", "--data", repo().resolve(reg.path("dataset").asText()).toString(),
        "--cache", work.resolve("cache").toString(), "--index", work.resolve("index").toString(),
        "--out", work.resolve("eval").toString(), "--no-sweep"));
    evalArgs.forEach(a -> args.add(a.asText()));
    return args;
  }

  /**
   * Runs {@code pefa eval} with each row's {@code eval_args} of the list {@code rows} of a regression file, on one
   * index, and compares its metrics with the row's {@code expected} within the row's (else the file's) tolerance.
   *
   * @return one line per metric outside its tolerance
   */
  private static List<String> evalRows(JsonNode reg, String rows, String label, String workName) throws Exception {
    return evalRows(reg, rows, label, workName, null);
  }

  /**
   * As {@link #evalRows(JsonNode, String, String, String)}, and also compares each row's pinned {@code p_values} with
   * its eval's; with {@code perQuery}, keeps each row's per-query metrics there (row name → method → query → metric).
   */
  private static List<String> evalRows(JsonNode reg, String rows, String label, String workName,
      Map<String, Map<String, Map<String, Map<String, Double>>>> perQuery) throws Exception {
    Path work = CliRunner.work(workName);
    List<String> failures = new ArrayList<>();
    for (JsonNode row : reg.path(rows)) {
      List<String> args = evalArgs(reg, work, row.path("eval_args"));
      if (perQuery != null) {
        args.add("--per-query");
      }
      long t0 = System.nanoTime();
      CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
      assertEquals(0, r.code(), r.err());
      String name = row.path(label).asText();
      System.err.printf("regression: %s %s in %.1f s%n", rows, name, (System.nanoTime() - t0) / 1e9);
      JsonNode got = new JsonMapper().readTree(work.resolve("eval/metrics.json").toFile());
      failures.addAll(pValueMisses(row.path("p_values"), got, name));
      if (perQuery != null) {
        perQuery.put(name, readPerQuery(work.resolve("eval/per-query.tsv")));
      }
      failures.addAll(lossesVsFloat(row, got, name));
      double tol = row.path("tolerance").asDouble(reg.path("tolerance").asDouble(0.005));
      for (Iterator<Map.Entry<String, JsonNode>> it = row.path("expected").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> method = it.next();
        for (Iterator<Map.Entry<String, JsonNode>> mt = method.getValue().fields(); mt.hasNext(); ) {
          Map.Entry<String, JsonNode> metric = mt.next();
          double want = metric.getValue().asDouble();
          double have = got.path(method.getKey()).path(metric.getKey()).asDouble(Double.NaN);
          String line = String.format(java.util.Locale.ROOT, "%s %s %s: expected %.4f ± %.4f, got %.4f",
              name, method.getKey(), metric.getKey(), want, tol, have);
          System.err.println("regression: " + line);
          if (!(Math.abs(have - want) <= tol)) {
            failures.add(line);
          }
        }
      }
    }
    return failures;
  }

  /**
   * A quantized row's quality target: each method's nDCG@10 loses at most the row's {@code max_loss_vs_float} against
   * the float figure of the same settings ({@code float_nDCG@10}); a row without the two checks nothing.
   *
   * @return one line per method that loses more
   */
  static List<String> lossesVsFloat(JsonNode row, JsonNode got, String name) {
    List<String> failures = new ArrayList<>();
    if (row.has("max_loss_vs_float") == false) {
      return failures;
    }
    double maxLoss = row.path("max_loss_vs_float").asDouble();
    for (Iterator<Map.Entry<String, JsonNode>> it = row.path("float_nDCG@10").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      double have = got.path(f.getKey()).path("nDCG@10").asDouble(Double.NaN);
      String line = String.format(java.util.Locale.ROOT, "%s %s nDCG@10 %.4f against float %.4f: loses more than %.4f",
          name, f.getKey(), have, f.getValue().asDouble(), maxLoss);
      if (!(have >= f.getValue().asDouble() - maxLoss - 1e-9)) {
        failures.add(line);
      }
    }
    return failures;
  }

  /** BM25 alone against Anserini's published figures (the file's {@code published_BM25}), within 0.005. */
  static void checkPublishedBm25(JsonNode reg, JsonNode got) {
    for (Iterator<Map.Entry<String, JsonNode>> it = reg.path("published_BM25").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      if (p.getValue().isNumber()) {
        double bm25 = got.path("BM25").path(p.getKey()).asDouble();
        assertTrue(Math.abs(bm25 - p.getValue().asDouble()) <= 0.005, "BM25 " + p.getKey() + " " + bm25 + " vs Anserini "
            + p.getValue());
      }
    }
  }

  /** per-query.tsv → method → qid → metric → value. */
  static Map<String, Map<String, Map<String, Double>>> readPerQuery(Path f) throws Exception {
    List<String> lines = Files.readAllLines(f);
    String[] header = lines.get(0).split("\t");
    Map<String, Map<String, Map<String, Double>>> out = new java.util.LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split("\t");
      Map<String, Double> v = new java.util.LinkedHashMap<>();
      for (int i = 2; i < c.length; i++) {
        v.put(header[i], Double.parseDouble(c[i]));
      }
      out.computeIfAbsent(c[1], k -> new java.util.LinkedHashMap<>()).put(c[0], v);
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("regressions")
  void committedVectorsMatchTheEncoder(Path file) throws Exception {
    JsonNode reg = regression(file);
    requireSeed(reg);
    Path data = repo().resolve(reg.path("dataset").asText());
    BeirDataset ds = BeirDataset.load(data);
    List<String> docTexts = new ArrayList<>();
    for (int i = 0; i < ds.docs().size() && docTexts.size() < 20; i += 257) {
      docTexts.add(ds.docs().get(i).titleAndText());
    }
    List<String> queryTexts = new ArrayList<>();
    for (int i = 0; i < ds.queries().size() && queryTexts.size() < 20; i += 53) {
      queryTexts.add(ds.queries().get(i).text());
    }
    List<MemoryRow> rows = Workbench.memory(ds, "train", Set.of(), 10, 64).build();
    for (int i = 1000; i < rows.size() && queryTexts.size() < 40; i += 911) {
      queryTexts.add(rows.get(i).text());
    }
    VectorCache seedOnly = Workbench.cache(null, data);
    try (Embedder emb = new Embedder(Workbench.encoderConfig(reg.path("model").asText()), seedOnly)) {
      check(emb, seedOnly, docTexts, "doc");
      check(emb, seedOnly, queryTexts, "query");
    }
    assertTrue(docTexts.size() + queryTexts.size() >= 50);
  }

  private static void check(Embedder emb, VectorCache seed, List<String> texts, String kind) throws Exception {
    Map<VectorCache.Key, float[]> cached = seed.vectors(emb.modelId(), kind);
    float[][] fresh = emb.encodeUncached(texts, kind);
    double worst = 1;
    for (int i = 0; i < texts.size(); i++) {
      float[] c = cached.get(VectorCache.key(texts.get(i)));
      assertTrue(c != null, kind + " text " + i + " is not in the committed vectors");
      double dot = 0, n1 = 0, n2 = 0;
      for (int j = 0; j < c.length; j++) {
        dot += (double) c[j] * fresh[i][j];
        n1 += (double) c[j] * c[j];
        n2 += (double) fresh[i][j] * fresh[i][j];
      }
      worst = Math.min(worst, dot / Math.sqrt(n1 * n2));
    }
    System.err.printf("regression: %d %s texts re-encoded, worst cosine to the committed vectors %.8f%n", texts.size(), kind, worst);
    assertTrue(worst >= 0.99999, kind + ": worst cosine " + worst);
  }
}
