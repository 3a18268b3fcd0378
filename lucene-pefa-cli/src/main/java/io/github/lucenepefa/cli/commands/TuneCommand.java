package io.github.lucenepefa.cli.commands;

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
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.index.PefaSearch;
import io.github.lucenepefa.cli.report.MarkdownTable;
import io.github.lucenepefa.cli.vectors.Embedder;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.Neighbour;
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

/** {@code pefa tune}: chooses lam (and k, knn-norm) on a dev part of the training queries, then reports test metrics. */
@Command(name = "tune", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Chooses lam for PEFA-XS and lam, k and knn-norm for PEFA-XL without looking at the test qrels: the training",
      "queries are split (fixed seed) into memory and dev; the memory-minus-dev index is searched with the dev",
      "queries over the grid; the best setting by --metric on dev is printed, then evaluated on the test split",
      "with the full training memory."})
public final class TuneCommand implements Callable<Integer> {

  @Mixin Common common = new Common();
  @Mixin IndexBuildOptions indexOptions = new IndexBuildOptions();

  @Option(names = "--split", defaultValue = "test", description = "Split for the final report (default: ${DEFAULT-VALUE}).")
  String split = "test";

  @Option(names = "--metric", defaultValue = "nDCG@10", description = "Selection metric on dev: nDCG@k, R@k, MRR@k, P@k (default: ${DEFAULT-VALUE}).")
  String metric = "nDCG@10";

  @Option(names = "--dev-fraction", defaultValue = "0.2", description = "Fraction of training queries held out as dev (default: ${DEFAULT-VALUE}).")
  double devFraction = 0.2;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the memory/dev split (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--lams", split = ",", defaultValue = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0", description = "lam grid (default: ${DEFAULT-VALUE}).")
  List<Float> lams = new ArrayList<>(List.of(0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f));

  @Option(names = "--ks", split = ",", defaultValue = "4,8,16,32,64", description = "k grid of PEFA-XL (default: ${DEFAULT-VALUE}).")
  List<Integer> ks = new ArrayList<>(List.of(4, 8, 16, 32, 64));

  @Option(names = "--knn-norms", split = ",", defaultValue = "sum,mean", description = "knn-norm grid of PEFA-XL (default: ${DEFAULT-VALUE}).")
  List<String> norms = new ArrayList<>(List.of("sum", "mean"));

  @Option(names = "--top-k", defaultValue = "100", description = "PEFA-XL ERM candidates K (default: ${DEFAULT-VALUE}).")
  int topK = 100;

  @Option(names = "--erm-score", defaultValue = "exact", description = "exact or top-k (default: ${DEFAULT-VALUE}).")
  String ermScore = "exact";

  @Option(names = "--hits", defaultValue = "100", description = "Hits per query (default: ${DEFAULT-VALUE}).")
  int hits = 100;

  @Option(names = "--out", paramLabel = "DIR", description = "Where tune.json and tune.md go (default: work/<dataset>/tune).")
  Path out;

  @Option(names = "--reuse", description = "Reuse tune.json when it was made with the same index, data and grid (demo does this).")
  boolean reuse;

  /** The choice. */
  public record Choice(float xsLam, float xlLam, int k, String knnNorm, String metric, double devXs, double devXl, double devErm) {}

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
      EvalCommand.check(l, "--lams");
    }
    int kMax = Collections.max(ks);
    var ermMode = EvalCommand.ermMode(ermScore);
    try (Embedder emb = common.embedder()) {
      BeirDataset ds = Workbench.load(common.data(), List.of(indexOptions.trainSplit, split));
      IndexInfo info = indexOptions.ensure(common, ds, emb);
      Path outDir = (out != null ? out : common.work().resolve("tune")).toAbsolutePath().normalize();
      String key = String.join("|", info.modelId(), info.dataset(), info.datasetFingerprint(), info.trainSplit(),
          "" + info.chunks(), "" + info.chunkWords(), split, metric, "" + devFraction, "" + seed, "" + lams, "" + ks,
          "" + norms, "" + topK, ermScore, "" + hits);
      if (reuse && Files.isRegularFile(outDir.resolve("tune.json"))) {
        JsonNode old = new JsonMapper().readTree(outDir.resolve("tune.json").toFile());
        if (key.equals(old.path("key").asText())) {
          choice = new JsonMapper().treeToValue(old.get("choice"), Choice.class);
          testMetrics = new JsonMapper().convertValue(old.get("test"),
              new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Map<String, Double>>>() {});
          System.out.printf(Locale.ROOT, "tune: reusing %s (same index, data and grid; delete it to re-run): dev %s ERM %.4f | PEFA-XS %.4f at lam=%s | PEFA-XL %.4f at lam=%s k=%d knn-norm=%s%n",
              outDir.resolve("tune.json"), metric, choice.devErm(), choice.devXs(), fmt(choice.xsLam()), choice.devXl(),
              fmt(choice.xlLam()), choice.k(), choice.knnNorm());
          return 0;
        }
      }
      // memory / dev split of the training queries
      List<String> train = new ArrayList<>();
      ds.qrels(indexOptions.trainSplit).forEach((q, rel) -> {
        if (rel.values().stream().anyMatch(g -> g > 0)) {
          train.add(q);
        }
      });
      List<String> shuffled = new ArrayList<>(train);
      Collections.shuffle(shuffled, new Random(seed));
      int nDev = (int) Math.round(devFraction * train.size());
      Set<String> dev = new HashSet<>(shuffled.subList(0, nDev));
      List<BeirDataset.Query> devQueries = new ArrayList<>();
      Map<String, Map<String, Integer>> devQrels = new LinkedHashMap<>();
      for (String q : train) {
        if (dev.contains(q)) {
          devQueries.add(ds.query(q));
          devQrels.put(q, ds.qrels(indexOptions.trainSplit).get(q));
        }
      }
      TrainingMemoryBuilder mb = Workbench.memory(ds, indexOptions.trainSplit, dev, indexOptions.chunks, indexOptions.chunkWords);
      List<MemoryRow> rows = mb.build();
      System.err.printf("tune: %d training queries -> %d memory + %d dev (seed %d); memory-minus-dev: %d rows%n",
          train.size(), train.size() - nDev, nDev, seed, rows.size());
      float[][] rowVecs = Workbench.rowVectors(emb, rows);
      float[][] docVecs = Workbench.docVectors(emb, ds);
      float[][] devVecs = Workbench.queryVectors(emb, devQueries);
      List<String> devIds = devQueries.stream().map(BeirDataset.Query::id).toList();
      // a throw-away in-memory index; searched exactly, so a cheap graph is enough
      PefaSchema schema = PefaSchema.builder(docVecs[0].length).xsLambda(info.lam()).hnsw(8, 16).build();
      ByteBuffersDirectory dir = new ByteBuffersDirectory();
      long tb = System.nanoTime();
      IndexBuilder.write(dir, schema, ds, rows, rowVecs, docVecs, true);
      Workbench.summary("tune: built the memory-minus-dev index", tb);
      int th = common.threads;
      Map<String, Double> xsDev = new LinkedHashMap<>();
      Map<String, Double> xlDev = new LinkedHashMap<>();
      double ermDev;
      long tg = System.nanoTime();
      try (PefaSearch ps = new PefaSearch(dir, AnnEffort.EXHAUSTIVE)) {
        List<List<Neighbour>> nb = Workbench.neighbours(ps, devVecs, kMax, th);
        ermDev = score(Workbench.run(ps, devIds, devVecs, null, (q, n) -> ps.ermTop(q, hits), th, false), devQrels);
        for (float l : lams) {
          xsDev.put(fmt(l), score(Workbench.run(ps, devIds, devVecs, null, (q, n) -> ps.xsTop(q, l, hits), th, false), devQrels));
        }
        List<io.github.lucenepefa.search.XlCandidates> grids = Workbench.parallel(devIds.size(), th,
            i -> ps.xlCandidates(devVecs[i], kMax, topK));
        for (String normName : norms) {
          KnnNormalization norm = EvalCommand.norm(normName);
          for (int k : ks) {
            for (float l : lams) {
              PefaSearch.XlParams p = new PefaSearch.XlParams(l, k, topK, norm, ermMode);
              Map<String, List<ScoredDoc>> run = new LinkedHashMap<>();
              for (int i = 0; i < devIds.size(); i++) {
                run.put(devIds.get(i), ps.xlRank(grids.get(i), p, hits));
              }
              xlDev.put(normName.toLowerCase(Locale.ROOT) + ",k=" + k + ",lam=" + fmt(l), score(run, devQrels));
            }
          }
        }
        // self-check: the fast grid must agree with PefaQuery on the chosen setting
        String best = argmax(xlDev);
        String[] bp = best.split(",");
        PefaSearch.XlParams bestP = new PefaSearch.XlParams(Float.parseFloat(bp[2].substring(4)),
            Integer.parseInt(bp[1].substring(2)), topK, EvalCommand.norm(bp[0]), ermMode);
        double viaQuery = score(Workbench.run(ps, devIds, devVecs, nb, (q, n) -> ps.xlTop(q, bestP, hits, n), th, false), devQrels);
        if (Math.abs(viaQuery - xlDev.get(best)) > 1e-9) {
          System.err.printf("tune: WARNING: grid evaluation %.6f != PefaQuery %.6f for %s%n", xlDev.get(best), viaQuery, best);
        }
      }
      Workbench.summary("tune: grid of " + (xsDev.size() + xlDev.size()) + " settings on " + nDev + " dev queries", tg);
      String bestXs = argmax(xsDev);
      String bestXl = argmax(xlDev);
      String[] xlParts = bestXl.split(",");
      choice = new Choice(Float.parseFloat(bestXs), Float.parseFloat(xlParts[2].substring(4)),
          Integer.parseInt(xlParts[1].substring(2)), xlParts[0], metric, xsDev.get(bestXs), xlDev.get(bestXl), ermDev);
      System.out.printf(Locale.ROOT, "tune: dev %s (%d dev queries, memory without them):  ERM %.4f | PEFA-XS %.4f at lam=%s | PEFA-XL %.4f at lam=%s k=%d knn-norm=%s%n",
          metric, nDev, ermDev, choice.devXs(), fmt(choice.xsLam()), choice.devXl(), fmt(choice.xlLam()), choice.k(), choice.knnNorm());
      // test metrics of the choice with the full training memory
      List<BeirDataset.Query> testQ = ds.queries(split);
      List<String> testIds = testQ.stream().map(BeirDataset.Query::id).toList();
      float[][] testVecs = Workbench.queryVectors(emb, testQ);
      Map<String, Map<String, Integer>> qrels = ds.qrels(split);
      testMetrics = new LinkedHashMap<>();
      try (PefaSearch ps = PefaSearch.open(indexOptions.indexDir(common), AnnEffort.EXHAUSTIVE)) {
        PefaSearch.XlParams p = new PefaSearch.XlParams(choice.xlLam(), choice.k(), topK, EvalCommand.norm(choice.knnNorm()), ermMode);
        testMetrics.put(EvalCommand.ERM, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null, (q, n) -> ps.ermTop(q, hits), th, false), qrels));
        testMetrics.put(EvalCommand.XS, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null, (q, n) -> ps.xsTop(q, choice.xsLam(), hits), th, false), qrels));
        testMetrics.put(EvalCommand.XL, Workbench.metrics(Workbench.run(ps, testIds, testVecs, null, (q, n) -> ps.xlTop(q, p, hits, null), th, false), qrels));
      }
      String table = MarkdownTable.render(testMetrics);
      System.out.println("tune: " + split + " metrics of the chosen settings (full training memory):");
      System.out.println(table);
      Files.createDirectories(outDir);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("key", key);
      json.put("choice", choice);
      json.put("dev_queries", nDev);
      json.put("memory_queries", train.size() - nDev);
      json.put("seed", seed);
      json.put("metric", metric);
      json.put("dev_ERM", ermDev);
      json.put("dev_PEFA-XS", xsDev);
      json.put("dev_PEFA-XL", xlDev);
      json.put("test", testMetrics);
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValue(outDir.resolve("tune.json").toFile(), json);
      Files.writeString(outDir.resolve("tune.md"), "# pefa tune\n\nSelected by dev " + metric + " (" + nDev
          + " held-out training queries, seed " + seed + "): PEFA-XS lam=" + fmt(choice.xsLam()) + "; PEFA-XL lam="
          + fmt(choice.xlLam()) + ", k=" + choice.k() + ", knn-norm=" + choice.knnNorm() + ".\n\n## " + split
          + " metrics (full training memory)\n\n" + table);
      System.err.printf("tune: wrote %s (%.1f s)%n", outDir.resolve("tune.json"), (System.nanoTime() - t0) / 1e9);
    }
    return 0;
  }

  private double score(Map<String, List<ScoredDoc>> run, Map<String, Map<String, Integer>> qrels) {
    return Metrics.evaluate(Workbench.ids(run), qrels, List.of(metric)).get(metric);
  }

  static String fmt(float l) {
    return String.format(Locale.ROOT, "%.2f", l).replaceAll("0$", "");
  }

  /** First maximum in grid order. */
  static String argmax(Map<String, Double> m) {
    String best = null;
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
