package io.github.lucenepefa.cli.commands;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.cli.data.TrainingMemoryBuilder;
import io.github.lucenepefa.cli.eval.Metrics;
import io.github.lucenepefa.cli.eval.ScoredDoc;
import io.github.lucenepefa.cli.index.IndexBuilder;
import io.github.lucenepefa.cli.index.Bm25Settings;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.index.PefaSearch;
import io.github.lucenepefa.cli.index.TunedParams;
import io.github.lucenepefa.cli.report.MarkdownTable;
import io.github.lucenepefa.cli.vectors.VectorSource;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnVote;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.Neighbour;
import io.github.lucenepefa.search.XlCandidates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.lucene.store.ByteBuffersDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pefa tune}: chooses the search parameters on dev queries that are not the evaluated split's, then reports
 * the evaluated split's metrics of the choice. Dev queries are a held-out part of the training queries (or a dev
 * split); the choice is written to the index folder ({@link TunedParams}) for search and eval.
 */
@Command(name = "tune", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Chooses lam for PEFA-XS and lam, k and the neighbour vote (weighting, knn-norm or temperature) for PEFA-XL",
      "without looking at the evaluated split's qrels: dev queries are a held-out part of the training queries (fixed",
      "seed; the memory-minus-dev index is searched with them) or, with --dev-split, another split's queries. The",
      "best setting by --metric on dev is printed and kept in the index folder (pefa-tune.json, used by search and",
      "eval), then evaluated on --split with the full memory, as is the best setting of each weighting. A dataset",
      "without training queries or a dev split cannot be tuned: tune says so and reports the defaults."})
public final class TuneCommand implements Callable<Integer> {

  @Mixin Common common = new Common();
  @Mixin IndexBuildOptions indexOptions = new IndexBuildOptions();

  @Option(names = "--split", defaultValue = "test", description = "Split for the final report (default: ${DEFAULT-VALUE}).")
  String split = "test";

  @Option(names = "--dev-split", paramLabel = "SPLIT",
      description = "Tune on this split's queries (all of them, left out of the memory) instead of a held-out part of"
          + " the training queries (default: none; used automatically when there are no training queries and the"
          + " dataset has qrels/dev.tsv).")
  String devSplit;

  @Option(names = "--metric", defaultValue = "nDCG@10", description = "Selection metric on dev: nDCG@k, R@k, MRR@k, P@k (default: ${DEFAULT-VALUE}).")
  String metric = "nDCG@10";

  @Option(names = "--dev-fraction", defaultValue = "0.2", description = "Fraction of training queries held out as dev (default: ${DEFAULT-VALUE}).")
  double devFraction = 0.2;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the memory/dev split (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--lams", split = ",", defaultValue = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0", description = "lam grid (default: ${DEFAULT-VALUE}).")
  List<Float> lams = new ArrayList<>(List.of(0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f));

  @Option(names = "--ks", split = ",", defaultValue = "1,2,4,8,16,32,64", description = "k grid of PEFA-XL (default: ${DEFAULT-VALUE}).")
  List<Integer> ks = new ArrayList<>(List.of(1, 2, 4, 8, 16, 32, 64));

  @Option(names = "--knn-weights", split = ",", defaultValue = "similarity", description = "Neighbour votes to try: similarity, softmax (default: ${DEFAULT-VALUE}).")
  List<String> weights = new ArrayList<>(List.of("similarity"));

  @Option(names = "--knn-norms", split = ",", defaultValue = "sum,mean", description = "knn-norm grid of the similarity vote (default: ${DEFAULT-VALUE}).")
  List<String> norms = new ArrayList<>(List.of("sum", "mean"));

  @Option(names = "--temperatures", split = ",", defaultValue = "0.01,0.02,0.03,0.05,0.07,0.1", description = "Temperature grid of the softmax vote (default: ${DEFAULT-VALUE}).")
  List<Float> temperatures = new ArrayList<>(List.of(0.01f, 0.02f, 0.03f, 0.05f, 0.07f, 0.1f));

  @Option(names = "--bm25-weights", split = ",", defaultValue = "0,0.05,0.1,0.15,0.2,0.3,0.5",
      description = "Grid of the BM25 weight a of ERM+BM25, PEFA-XS+BM25 and PEFA-XL+BM25, chosen with lam and k (default: ${DEFAULT-VALUE}).")
  List<Float> bm25Weights = new ArrayList<>(List.of(0f, 0.05f, 0.1f, 0.15f, 0.2f, 0.3f, 0.5f));

  @Option(names = "--top-k", defaultValue = "0", description = "PEFA-XL ERM candidates K; 0 = the number of hits (-n), as PefaQuery.defaultTopK (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--erm-score", defaultValue = "exact", description = "exact or top-k (default: ${DEFAULT-VALUE}).")
  String ermScore = "exact";

  @Option(names = {"-n", "--hits"}, defaultValue = "100", description = "Hits per query (default: ${DEFAULT-VALUE}).")
  int hits = 100;

  @Option(names = "--out", paramLabel = "DIR", description = "Where tune.json and tune.md go (default: work/<dataset>/tune).")
  Path out;

  @Option(names = "--reuse", description = "Reuse tune.json when it was made with the same index, data and grid (demo does this).")
  boolean reuse;

  /**
   * The choice.
   *
   * @param xsLam PEFA-XS lambda
   * @param xlLam PEFA-XL lambda
   * @param k neighbours
   * @param knnWeight similarity or softmax
   * @param knnNorm sum or mean (similarity vote)
   * @param temperature T (softmax vote)
   * @param metric the dev metric
   * @param devXs dev metric of PEFA-XS
   * @param devXl dev metric of PEFA-XL
   * @param devErm dev metric of ERM
   * @param fallback true when nothing could be tuned (the defaults)
   */
  public record Choice(float xsLam, float xlLam, int k, String knnWeight, String knnNorm, float temperature,
      String metric, double devXs, double devXl, double devErm, boolean fallback) {
    /** @return the vote as the report names it */
    public String voteLabel() {
      return knnWeight.equals("softmax") ? "softmax, T=" + fmtT(temperature) : "similarity, " + knnNorm;
    }
  }

  /** One PEFA-XL setting of the grid. */
  record XlSetting(String weight, String norm, float temperature, int k, float lam) {
    KnnVote vote() {
      return weight.equals("softmax") ? KnnVote.softmax(k, temperature)
          : KnnVote.similarity(k, SearchOptions.norm(norm));
    }

    String label() {
      return (weight.equals("softmax") ? "softmax,T=" + fmtT(temperature) : "similarity," + norm) + ",k=" + k
          + ",lam=" + fmt(lam);
    }
  }

  /** Set after {@link #call()}. */
  public Choice choice;

  /** Test metrics of the choice, set after {@link #call()}. */
  public Map<String, Map<String, Double>> testMetrics;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    indexOptions.check();
    Metrics.evaluate(Map.of(), Map.of("q", Map.of("d", 1)), List.of(metric)); // validates the metric name
    if (!(devFraction > 0 && devFraction < 1)) {
      throw new IllegalArgumentException("--dev-fraction must be in (0,1)");
    }
    for (float l : lams) {
      SearchOptions.check(l, "--lams");
    }
    for (float a : bm25Weights) {
      if (!(a >= 0 && a <= 1)) {
        throw new IllegalArgumentException("--bm25-weights must be in [0,1], got " + a);
      }
    }
    for (int k : ks) {
      if (k < 1) {
        throw new IllegalArgumentException("--ks must be >= 1, got " + k);
      }
    }
    for (String w : weights) {
      SearchOptions.weighting(w);
    }
    for (String nm : norms) {
      SearchOptions.norm(nm);
    }
    for (float t : temperatures) {
      if (!(t > 0) || Float.isInfinite(t)) {
        throw new IllegalArgumentException("--temperatures must be finite and > 0, got " + t);
      }
    }
    if (lams.isEmpty() || ks.isEmpty() || weights.isEmpty()) {
      throw new IllegalArgumentException("--lams, --ks and --knn-weights must not be empty");
    }
    if (hits < 1) {
      throw new IllegalArgumentException("--hits must be >= 1, got " + hits);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("--top-k must be >= 0, got " + topK);
    }
    if (topK == 0) {
      topK = io.github.lucenepefa.search.PefaQuery.defaultTopK(hits);
    }
    int kMax = Collections.max(ks);
    ErmScoreMode ermMode = SearchOptions.ermMode(ermScore);
    try (VectorSource src = indexOptions.vectorSource(common)) {
      BeirDataset ds = Workbench.load(common.data(), devSplit == null ? List.of(split) : List.of(split, devSplit));
      IndexInfo info = indexOptions.ensure(common, ds, src);
      Path indexDir = indexOptions.indexDir(common);
      Path outDir = (out != null ? out : common.work().resolve("tune")).toAbsolutePath().normalize();
      String key = String.join("|", info.memoryKey(), "" + info.lam(), split, "" + devSplit, metric, "" + devFraction,
          "" + seed, "" + lams, "" + ks, "" + weights, "" + norms, "" + temperatures, "" + topK, ermScore, "" + hits, "" + bm25Weights, "" + info.bm25());
      if (reuse && Files.isRegularFile(outDir.resolve("tune.json"))) {
        JsonNode old = new JsonMapper().readTree(outDir.resolve("tune.json").toFile());
        if (key.equals(old.path("key").asText()) && old.has("choice")) {
          choice = new JsonMapper().treeToValue(old.get("choice"), Choice.class);
          testMetrics = new JsonMapper().convertValue(old.get("test"),
              new TypeReference<LinkedHashMap<String, Map<String, Double>>>() {});
          System.out.printf(Locale.ROOT, "tune: reusing %s (same index, data and grid; delete it to re-run): %s%n",
              outDir.resolve("tune.json"), describe(choice));
          if (!choice.fallback()) {
            if (old.has("tuned")) {
              new JsonMapper().treeToValue(old.get("tuned"), TunedParams.class).write(indexDir);
            } else {
              tuned(choice, info, old.path("dev_queries").asInt(), old.path("dev_source").asText()).write(indexDir);
            }
          }
          return 0;
        }
      }
      // dev queries and the memory without them
      List<String> train = new ArrayList<>();
      for (String s : info.trainSplits()) {
        ds.qrels(s).forEach((q, rel) -> {
          if (rel.values().stream().anyMatch(g -> g > 0) && !train.contains(q)) {
            train.add(q);
          }
        });
      }
      String devFrom = devSplit;
      if (devFrom == null && train.isEmpty() && ds.splits().contains("dev") && !split.equals("dev")) {
        devFrom = "dev";
        System.err.println("tune: no training queries in the memory; tuning on the dataset's dev split (qrels/dev.tsv)");
      }
      List<String> devIds = new ArrayList<>();
      Map<String, Map<String, Integer>> devQrels = new LinkedHashMap<>();
      String devSource;
      if (devFrom != null) {
        if (devFrom.equals(split)) {
          throw new IllegalArgumentException("--dev-split must not be the evaluated split (" + split + ")");
        }
        if (!ds.splits().contains(devFrom)) {
          throw new IllegalArgumentException("--dev-split " + devFrom + ": no qrels/" + devFrom + ".tsv in " + ds.dir());
        }
        ds.qrels(devFrom).forEach((q, rel) -> {
          if (rel.values().stream().anyMatch(g -> g > 0)) {
            devIds.add(q);
            devQrels.put(q, rel);
          }
        });
        devSource = "split " + devFrom;
      } else if (!train.isEmpty()) {
        List<String> shuffled = new ArrayList<>(train);
        Collections.shuffle(shuffled, new Random(seed));
        int nDev = (int) Math.round(devFraction * train.size());
        Set<String> held = new HashSet<>(shuffled.subList(0, nDev));
        for (String q : train) {
          if (held.contains(q)) {
            devIds.add(q);
            Map<String, Integer> rel = new LinkedHashMap<>();
            for (String s : info.trainSplits()) {
              Map<String, Integer> r = ds.qrels(s).get(q);
              if (r != null) {
                r.forEach(rel::putIfAbsent);
              }
            }
            devQrels.put(q, rel);
          }
        }
        devSource = String.format(Locale.ROOT, "%s of the %d training queries (%s), seed %d", fmtFraction(devFraction),
            train.size(), String.join(", ", info.trainSplits()), seed);
      } else {
        devSource = null;
      }
      if (devSource == null || devIds.isEmpty()) {
        return fallback(ds, src, info, indexDir, outDir, key);
      }
      Set<String> exclude = new HashSet<>(devIds);
      TrainingMemoryBuilder mb = Workbench.memory(ds, src, info.trainSplits(), exclude, info.chunks(), info.chunkWords());
      List<MemoryRow> rows = mb.build();
      System.err.printf("tune: %d dev queries (%s); memory without them: %d rows%n", devIds.size(), devSource, rows.size());
      float[][] rowVecs = src.rows(rows);
      float[][] docVecs = src.docs(ds);
      List<BeirDataset.Query> devQueries = devIds.stream().map(ds::query).toList();
      float[][] devVecs = src.queries(devQueries);
      // a throw-away in-memory index; searched exactly, so a cheap graph is enough
      PefaSchema schema = PefaSchema.builder(docVecs[0].length).xsLambda(info.lam()).hnsw(8, 16).build();
      ByteBuffersDirectory dir = new ByteBuffersDirectory();
      long tb = System.nanoTime();
      Bm25Settings bm25 = info.bm25(); // null: an index without the text field, no hybrid tuning
      IndexBuilder.write(dir, schema, ds, rows, rowVecs, docVecs, true, 1, bm25 != null ? bm25 : Bm25Settings.DEFAULT);
      Workbench.summary("tune: built the memory-minus-dev index", tb);
      List<String> corpusOrder = ds.docs().stream().map(BeirDataset.Doc::id).toList();
      int th = common.threads;
      Map<String, Double> xsDev = new LinkedHashMap<>();
      Map<XlSetting, Double> xlDev = new LinkedHashMap<>();
      double ermDev;
      long tg = System.nanoTime();
      List<XlSetting> grid = grid();
      HybridTuning.Result hybrid = null;
      try (PefaSearch ps = new PefaSearch(dir, AnnEffort.EXHAUSTIVE, corpusOrder)) {
        ermDev = score(Workbench.run(ps, devIds, devVecs, null, (q, b, n) -> ps.ermTop(q, n), hits, th, false), devQrels);
        for (float l : lams) {
          xsDev.put(fmt(l), score(Workbench.run(ps, devIds, devVecs, null, (q, b, n) -> ps.xsTop(q, l, n), hits, th, false), devQrels));
        }
        List<XlCandidates> cands = Workbench.parallel(devIds.size(), th, i -> ps.xlCandidates(devVecs[i], kMax, topK));
        for (XlSetting st : grid) {
          PefaSearch.XlParams p = new PefaSearch.XlParams(st.lam(), st.vote(), topK, ermMode);
          List<List<ScoredDoc>> ranked = Workbench.parallel(devIds.size(), th, i -> ps.xlRank(cands.get(i), p, hits));
          Map<String, List<ScoredDoc>> run = new LinkedHashMap<>();
          for (int i = 0; i < devIds.size(); i++) {
            run.put(devIds.get(i), ranked.get(i));
          }
          xlDev.put(st, score(run, devQrels));
        }
        // self-check: the fast grid must agree with PefaQuery on the chosen setting
        XlSetting best = argmax(xlDev);
        PefaSearch.XlParams bestP = new PefaSearch.XlParams(best.lam(), best.vote(), topK, ermMode);
        List<List<Neighbour>> nb = Workbench.neighbours(ps, devVecs, best.k(), th);
        double viaQuery = score(Workbench.run(ps, devIds, devVecs, nb, (q, b, n) -> ps.xlTop(q, bestP, n, b), hits, th, false), devQrels);
        if (Math.abs(viaQuery - xlDev.get(best)) > 1e-9) {
          System.err.printf("tune: WARNING: grid evaluation %.6f != PefaQuery %.6f for %s%n", xlDev.get(best), viaQuery, best.label());
        }
        if (bm25 != null && !bm25Weights.isEmpty()) {
          long th0 = System.nanoTime();
          ps.useBm25(bm25);
          List<String> devTexts = devQueries.stream().map(BeirDataset.Query::text).toList();
          hybrid = HybridTuning.tune(ps, devIds, devVecs, devTexts, bm25Weights, lams, grid, cands, topK, ermMode, hits,
              th, run -> score(run, devQrels));
          double hybridViaQuery = HybridTuning.viaQuery(ps, devIds, devVecs, devTexts, hybrid, topK, ermMode, hits, th,
              run -> score(run, devQrels));
          if (Math.abs(hybridViaQuery - hybrid.xlDev()) > 1e-9) {
            System.err.printf("tune: WARNING: hybrid grid evaluation %.6f != PefaHybridQuery %.6f%n", hybrid.xlDev(),
                hybridViaQuery);
          }
          Workbench.summary("tune: BM25 weights " + bm25Weights + " with every setting", th0);
        }
      }
      Workbench.summary("tune: grid of " + (xsDev.size() + xlDev.size()) + " settings on " + devIds.size() + " dev queries", tg);
      String bestXs = argmax(xsDev);
      XlSetting bestXl = argmax(xlDev);
      choice = new Choice(Float.parseFloat(bestXs), bestXl.lam(), bestXl.k(), bestXl.weight(), bestXl.norm(),
          bestXl.temperature(), metric, xsDev.get(bestXs), xlDev.get(bestXl), ermDev, false);
      System.out.printf(Locale.ROOT, "tune: dev %s (%d dev queries, %s; memory without them):  ERM %.4f | %s%n",
          metric, devIds.size(), devSource, ermDev, describe(choice));
      if (hybrid != null) {
        System.out.printf(Locale.ROOT, "tune: dev %s with BM25: %s%n", metric, HybridTuning.describe(hybrid));
      }
      final HybridTuning.Result hy = hybrid;
      // the best setting of each weighting, for the report
      Map<String, XlSetting> bestPerWeight = new LinkedHashMap<>();
      for (String w : weights) {
        Map<XlSetting, Double> sub = new LinkedHashMap<>();
        xlDev.forEach((st, v) -> {
          if (st.weight().equals(w.toLowerCase(Locale.ROOT))) {
            sub.put(st, v);
          }
        });
        bestPerWeight.put(w.toLowerCase(Locale.ROOT), argmax(sub));
      }
      // test metrics of the choice (and of each weighting's best) with the full training memory
      List<BeirDataset.Query> testQ = ds.queries(split);
      List<String> testIds = testQ.stream().map(BeirDataset.Query::id).toList();
      float[][] testVecs = src.queries(testQ);
      Map<String, Map<String, Integer>> qrels = ds.qrels(split);
      testMetrics = new LinkedHashMap<>();
      Map<String, Map<String, Double>> perWeightTest = new LinkedHashMap<>();
      try (PefaSearch ps = PefaSearch.open(indexDir, AnnEffort.EXHAUSTIVE)) {
        PefaSearch.XlParams p = new PefaSearch.XlParams(bestXl.lam(), bestXl.vote(), topK, ermMode);
        testMetrics.put(EvalCommand.ERM, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null, (q, b, n) -> ps.ermTop(q, n), hits, th, false), qrels));
        testMetrics.put(EvalCommand.XS, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null, (q, b, n) -> ps.xsTop(q, choice.xsLam(), n), hits, th, false), qrels));
        testMetrics.put(EvalCommand.XL, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null, (q, b, n) -> ps.xlTop(q, p, n, null), hits, th, false), qrels));
        if (hy != null && ps.bm25() != null) {
          Map<float[], String> text = new java.util.IdentityHashMap<>();
          for (int i = 0; i < testVecs.length; i++) {
            text.put(testVecs[i], testQ.get(i).text());
          }
          PefaSearch.XlParams hp = new PefaSearch.XlParams(hy.xl().lam(), hy.xl().vote(), topK, ermMode);
          testMetrics.put(EvalCommand.BM25, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null,
              (q, b, n) -> ps.bm25Top(text.get(q), n), hits, th, false), qrels));
          testMetrics.put(EvalCommand.ERM_BM25, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null,
              (q, b, n) -> ps.hybridTop(ps.ermQuery(q, n), text.get(q), hy.ermA()), hits, th, false), qrels));
          testMetrics.put(EvalCommand.XS_BM25, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null,
              (q, b, n) -> ps.hybridTop(ps.xsQuery(q, hy.xsLam(), n), text.get(q), hy.xsA()), hits, th, false), qrels));
          testMetrics.put(EvalCommand.XL_BM25, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null,
              (q, b, n) -> ps.hybridTop(ps.xlQuery(q, hp, n, null), text.get(q), hy.xlA()), hits, th, false), qrels));
        }
        for (var e : bestPerWeight.entrySet()) {
          XlSetting st = e.getValue();
          PefaSearch.XlParams pw = new PefaSearch.XlParams(st.lam(), st.vote(), topK, ermMode);
          perWeightTest.put(EvalCommand.XL + " (" + st.label() + ")", Workbench.metrics(Workbench.run(ps, testIds, testVecs, null,
              (q, b, n) -> ps.xlTop(q, pw, n, null), hits, th, false), qrels));
        }
      }
      String table = MarkdownTable.render(testMetrics);
      System.out.println("tune: " + split + " metrics of the chosen settings (full training memory):");
      System.out.println(table);
      TunedParams tunedParams = withHybrid(tuned(choice, info, devIds.size(), devSource), hybrid);
      tunedParams.write(indexDir);
      Files.createDirectories(outDir);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("key", key);
      json.put("choice", choice);
      json.put("tuned", tunedParams);
      if (hybrid != null) {
        json.put("dev_BM25", hybrid.dev());
      }
      json.put("dev_queries", devIds.size());
      json.put("dev_source", devSource);
      json.put("memory_rows", rows.size());
      json.put("metric", metric);
      json.put("dev_ERM", ermDev);
      json.put("dev_PEFA-XS", xsDev);
      Map<String, Double> xlByLabel = new LinkedHashMap<>();
      xlDev.forEach((st, v) -> xlByLabel.put(st.label(), v));
      json.put("dev_PEFA-XL", xlByLabel);
      Map<String, Object> perWeight = new LinkedHashMap<>();
      bestPerWeight.forEach((w, st) -> perWeight.put(w, Map.of("setting", st.label(), "dev", xlDev.get(st),
          "test", perWeightTest.get(EvalCommand.XL + " (" + st.label() + ")"))));
      json.put("best_per_weighting", perWeight);
      json.put("test", testMetrics);
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValue(outDir.resolve("tune.json").toFile(), json);
      StringBuilder md = new StringBuilder("# pefa tune\n\nSelected by dev " + metric + " (" + devIds.size()
          + " dev queries: " + devSource + "): " + describe(choice) + (hybrid == null ? ""
          : "; with BM25: " + HybridTuning.describe(hybrid)) + ".\n\n## " + split
          + " metrics (full training memory)\n\n" + table);
      if (bestPerWeight.size() > 1) {
        md.append("\n## Best setting of each neighbour vote (dev ").append(metric).append(", then ").append(split)
            .append(")\n\n| vote | setting | dev ").append(metric).append(" | ").append(split).append(" nDCG@10 | ")
            .append(split).append(" R@100 |\n|---|---|---:|---:|---:|\n");
        bestPerWeight.forEach((w, st) -> {
          Map<String, Double> tm = perWeightTest.get(EvalCommand.XL + " (" + st.label() + ")");
          md.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.4f | %.4f |%n", w, st.label(), xlDev.get(st),
              tm.get("nDCG@10"), tm.get("R@100")));
        });
      }
      Files.writeString(outDir.resolve("tune.md"), md.toString());
      System.err.printf("tune: wrote %s and %s (%.1f s)%n", outDir.resolve("tune.json"), indexDir.resolve(TunedParams.FILE),
          (System.nanoTime() - t0) / 1e9);
    }
    return 0;
  }

  /** No dev queries: says what tune needs, reports the defaults on the evaluated split. */
  private int fallback(BeirDataset ds, VectorSource src, IndexInfo info, Path indexDir, Path outDir, String key)
      throws Exception {
    String why = "tune needs judged queries that are not the evaluated split's: training queries in the memory"
        + " (qrels/train.tsv, or --train-split NAME) to hold out a dev part from, or a dev split (--dev-split NAME,"
        + " e.g. qrels/dev.tsv). " + ds.dir() + " has neither (its splits: " + ds.splits() + "), so there is nothing to"
        + " tune on without looking at the " + split + " qrels. Falling back to the defaults: PEFA-XS lam = the index"
        + " lam (" + fmt(info.lam()) + "), PEFA-XL lam 0.5, k 16, similarity vote, sum; the memory is the"
        + " doc-as-query rows alone. Their " + split + " metrics follow; nothing is written to the index.";
    System.out.println("tune: " + why);
    choice = new Choice(info.lam(), SearchOptions.DEFAULT_LAM, SearchOptions.DEFAULT_K, "similarity", "sum",
        KnnVote.DEFAULT_TEMPERATURE, metric, Double.NaN, Double.NaN, Double.NaN, true);
    List<BeirDataset.Query> testQ = ds.queries(split);
    List<String> testIds = testQ.stream().map(BeirDataset.Query::id).toList();
    float[][] testVecs = src.queries(testQ);
    Map<String, Map<String, Integer>> qrels = ds.qrels(split);
    testMetrics = new LinkedHashMap<>();
    int th = common.threads;
    try (PefaSearch ps = PefaSearch.open(indexDir, AnnEffort.EXHAUSTIVE)) {
      PefaSearch.XlParams p = new PefaSearch.XlParams(choice.xlLam(), KnnVote.similarity(choice.k(),
          SearchOptions.norm("sum")), topK, SearchOptions.ermMode(ermScore));
      testMetrics.put(EvalCommand.ERM, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null, (q, b, n) -> ps.ermTop(q, n), hits, th, false), qrels));
      testMetrics.put(EvalCommand.XS, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null, (q, b, n) -> ps.xsTop(q, choice.xsLam(), n), hits, th, false), qrels));
      testMetrics.put(EvalCommand.XL, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null, (q, b, n) -> ps.xlTop(q, p, n, null), hits, th, false), qrels));
    }
    String table = MarkdownTable.render(testMetrics);
    System.out.println(table);
    Files.createDirectories(outDir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("key", key);
    json.put("fallback", why);
    json.put("choice", choice);
    json.put("test", testMetrics);
    JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValue(outDir.resolve("tune.json").toFile(), json);
    Files.writeString(outDir.resolve("tune.md"), "# pefa tune\n\nNothing tuned: " + why + "\n\n## " + split
        + " metrics of the defaults\n\n" + table);
    return 0;
  }

  private List<XlSetting> grid() {
    List<XlSetting> grid = new ArrayList<>();
    for (String w : weights) {
      String weight = w.toLowerCase(Locale.ROOT);
      if (weight.equals("softmax")) {
        for (float t : temperatures) {
          for (int k : ks) {
            for (float l : lams) {
              grid.add(new XlSetting(weight, "sum", t, k, l));
            }
          }
        }
      } else {
        for (String nm : norms) {
          for (int k : ks) {
            for (float l : lams) {
              grid.add(new XlSetting(weight, nm.toLowerCase(Locale.ROOT), KnnVote.DEFAULT_TEMPERATURE, k, l));
            }
          }
        }
      }
    }
    return grid;
  }

  private TunedParams tuned(Choice c, IndexInfo info, int devQueries, String devSource) {
    return new TunedParams(c.xsLam(), c.xlLam(), c.k(), c.knnWeight(), c.knnNorm(), c.temperature(), topK,
        SearchOptions.ermName(SearchOptions.ermMode(ermScore)), metric, devQueries, devSource, info.memoryKey());
  }

  /** The tuned parameters with the BM25 choice, if any. */
  private static TunedParams withHybrid(TunedParams t, HybridTuning.Result h) {
    if (h == null) {
      return t;
    }
    XlSetting x = h.xl();
    return new TunedParams(t.xsLam(), t.xlLam(), t.k(), t.knnWeight(), t.knnNorm(), t.temperature(), t.topK(),
        t.ermScore(), t.metric(), t.devQueries(), t.devSource(), t.memoryKey(), h.ermA(), h.xsA(), h.xlA(), h.xsLam(),
        x.lam(), x.k(), x.weight(), x.norm(), x.temperature());
  }

  static String describe(Choice c) {
    return String.format(Locale.ROOT, "PEFA-XS %.4f at lam=%s | PEFA-XL %.4f at lam=%s, k=%d, vote %s", c.devXs(),
        fmt(c.xsLam()), c.devXl(), fmt(c.xlLam()), c.k(), c.voteLabel());
  }

  private double score(Map<String, List<ScoredDoc>> run, Map<String, Map<String, Integer>> qrels) {
    return Workbench.metrics(run, qrels, List.of(metric)).get(metric);
  }

  static String fmt(float l) {
    return String.format(Locale.ROOT, "%.2f", l).replaceAll("0$", "");
  }

  static String fmtT(float t) {
    return new java.math.BigDecimal(Float.toString(t)).stripTrailingZeros().toPlainString();
  }

  private static String fmtFraction(double f) {
    return new java.math.BigDecimal(Double.toString(f * 100)).stripTrailingZeros().toPlainString() + "%";
  }

  /** First maximum in grid order. */
  static <K> K argmax(Map<K, Double> m) {
    K best = null;
    double bv = Double.NEGATIVE_INFINITY;
    for (var e : m.entrySet()) {
      if (e.getValue() > bv + 1e-12) {
        bv = e.getValue();
        best = e.getKey();
      }
    }
    return best;
  }
}
