package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.eval.Metrics;
import io.github.lucenepefa.cli.eval.ScoredDoc;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.index.PefaSearch;
import io.github.lucenepefa.cli.report.Charts;
import io.github.lucenepefa.cli.report.MarkdownTable;
import io.github.lucenepefa.cli.report.MetricsJson;
import io.github.lucenepefa.cli.report.TrecRun;
import io.github.lucenepefa.cli.vectors.Embedder;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.Neighbour;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pefa eval}: ERM, PEFA-XS and PEFA-XL on a qrels split, with report, chart and run files. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Evaluates ERM, PEFA-XS and PEFA-XL on the qrels of a split (Recall@10/@20/@100, nDCG@10, MRR@10) and writes",
      "into --out: metrics.json, report.md, recall.png (Recall@k curves), lam-sweep.png, runs/{erm,xs,xl}.trec."})
public final class EvalCommand implements Callable<Integer> {

  /** Method names in metrics.json and the report. */
  public static final String ERM = "ERM", XS = "PEFA-XS", XL = "PEFA-XL";

  @Mixin Common common = new Common();
  @Mixin IndexBuildOptions indexOptions = new IndexBuildOptions();

  @Option(names = "--split", defaultValue = "test", description = "qrels split to evaluate (default: ${DEFAULT-VALUE}).")
  String split = "test";

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: work/<dataset>/eval).")
  Path out;

  @Option(names = "--lam", description = "lambda of both PEFA-XS and PEFA-XL.")
  Float lam;

  @Option(names = "--xs-lam", description = "PEFA-XS lambda (default: --lam, else 0.5).")
  Float xsLam;

  @Option(names = "--xl-lam", description = "PEFA-XL lambda (default: --lam, else 0.5).")
  Float xlLam;

  @Option(names = "--k", defaultValue = "16", description = "PEFA-XL neighbours k (default: ${DEFAULT-VALUE}).")
  int k = 16;

  @Option(names = "--top-k", defaultValue = "100", description = "PEFA-XL ERM candidates K (default: ${DEFAULT-VALUE}).")
  int topK = 100;

  @Option(names = "--knn-norm", defaultValue = "sum", description = "sum (c = 1) or mean (c = 1/k) (default: ${DEFAULT-VALUE}).")
  String knnNorm = "sum";

  @Option(names = "--erm-score", defaultValue = "exact", description = "exact or top-k: ERM score of XL candidates outside the ERM top-K (default: ${DEFAULT-VALUE}).")
  String ermScore = "exact";

  @Option(names = "--hits", defaultValue = "100", description = "Hits per query in the runs (default: ${DEFAULT-VALUE}).")
  int hits = 100;

  @Option(names = "--ef", defaultValue = "0", description = "HNSW efSearch; 0 = exact search (default: ${DEFAULT-VALUE}).")
  int ef = 0;

  @Option(names = "--ignore-identical-ids", description = "Drop a hit whose doc id equals the query id (BEIR's evaluate() default).")
  boolean ignoreIdenticalIds;

  @Option(names = "--no-sweep", description = "Skip the lambda sweep chart.")
  boolean noSweep;

  /** Set by tune/demo: extra lines for the report. */
  public List<String> notes = new ArrayList<>();

  /** The metrics of the last run. */
  public Map<String, Map<String, Double>> result;

  /** @return the output folder */
  public Path outDir() {
    return (out != null ? out : common.work().resolve("eval")).toAbsolutePath().normalize();
  }

  static KnnNormalization norm(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "sum" -> KnnNormalization.SUM;
      case "mean" -> KnnNormalization.MEAN;
      default -> throw new IllegalArgumentException("--knn-norm must be sum or mean, got " + s);
    };
  }

  static ErmScoreMode ermMode(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "exact" -> ErmScoreMode.EXACT;
      case "top-k", "topk", "top_k_only" -> ErmScoreMode.TOP_K_ONLY;
      default -> throw new IllegalArgumentException("--erm-score must be exact or top-k, got " + s);
    };
  }

  static AnnEffort effort(int ef) {
    return ef <= 0 ? AnnEffort.EXHAUSTIVE : AnnEffort.ef(ef);
  }

  /** @return XS lambda */
  public float xsLam() {
    return xsLam != null ? xsLam : lam != null ? lam : 0.5f;
  }

  /** @return XL lambda */
  public float xlLam() {
    return xlLam != null ? xlLam : lam != null ? lam : 0.5f;
  }

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    indexOptions.check();
    check(xsLam(), "--xs-lam");
    check(xlLam(), "--xl-lam");
    PefaSearch.XlParams xl = new PefaSearch.XlParams(xlLam(), k, topK, norm(knnNorm), ermMode(ermScore));
    try (Embedder emb = common.embedder()) {
      BeirDataset ds = Workbench.load(common.data(), List.of(indexOptions.trainSplit, split));
      IndexInfo info = indexOptions.ensure(common, ds, emb);
      List<BeirDataset.Query> queries = ds.queries(split);
      List<String> qids = queries.stream().map(BeirDataset.Query::id).toList();
      float[][] qv = Workbench.queryVectors(emb, queries);
      Map<String, Map<String, Integer>> qrels = ds.qrels(split);
      Path outDir = outDir();
      Files.createDirectories(outDir);
      long ts = System.nanoTime();
      try (PefaSearch ps = PefaSearch.open(indexOptions.indexDir(common), effort(ef))) {
        int th = common.threads;
        List<List<Neighbour>> nb = Workbench.neighbours(ps, qv, k, th);
        Map<String, Map<String, List<ScoredDoc>>> runs = new LinkedHashMap<>();
        runs.put(ERM, Workbench.run(ps, qids, qv, null, (q, n) -> ps.ermTop(q, hits), th, ignoreIdenticalIds));
        runs.put(XS, Workbench.run(ps, qids, qv, null, (q, n) -> ps.xsTop(q, xsLam(), hits), th, ignoreIdenticalIds));
        runs.put(XL, Workbench.run(ps, qids, qv, nb, (q, n) -> ps.xlTop(q, xl, hits, n), th, ignoreIdenticalIds));
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        Map<String, double[]> curves = new LinkedHashMap<>();
        for (var e : runs.entrySet()) {
          metrics.put(e.getKey(), Workbench.metrics(e.getValue(), qrels));
          curves.put(e.getKey(), Metrics.recallCurve(Workbench.ids(e.getValue()), qrels, hits));
        }
        double searchSecs = (System.nanoTime() - ts) / 1e9;
        TrecRun.write(outDir.resolve("runs/erm.trec"), runs.get(ERM), "pefa-erm", hits);
        TrecRun.write(outDir.resolve("runs/xs.trec"), runs.get(XS), "pefa-xs", hits);
        TrecRun.write(outDir.resolve("runs/xl.trec"), runs.get(XL), "pefa-xl", hits);
        String title = ds.dir().getFileName() + " " + split + " (" + info.modelId() + ")";
        Charts.recallCurve(outDir.resolve("recall.png"), "Recall@k, " + title, curves);
        double[] lams = null;
        Map<String, double[]> sweep = null;
        if (!noSweep) {
          lams = new double[11];
          sweep = new LinkedHashMap<>();
          double[] xsS = new double[11], xlS = new double[11], ermS = new double[11];
          double ermN = metrics.get(ERM).get("nDCG@10");
          List<io.github.lucenepefa.search.XlCandidates> grids = Workbench.parallel(qids.size(), th,
              j -> ps.xlCandidates(qv[j], k, topK));
          for (int i = 0; i <= 10; i++) {
            float l = i / 10f;
            lams[i] = l;
            PefaSearch.XlParams p = new PefaSearch.XlParams(l, k, topK, xl.norm(), xl.ermMode());
            xsS[i] = Workbench.metrics(Workbench.run(ps, qids, qv, null, (q, n) -> ps.xsTop(q, l, hits), th, ignoreIdenticalIds), qrels).get("nDCG@10");
            Map<String, List<ScoredDoc>> xlRun = new LinkedHashMap<>();
            for (int j = 0; j < qids.size(); j++) {
              List<ScoredDoc> h = new ArrayList<>(ps.xlRank(grids.get(j), p, hits));
              String qid = qids.get(j);
              if (ignoreIdenticalIds) {
                h.removeIf(x -> x.docId().equals(qid));
              }
              xlRun.put(qid, h);
            }
            xlS[i] = Workbench.metrics(xlRun, qrels).get("nDCG@10");
            ermS[i] = ermN;
          }
          sweep.put(ERM, ermS);
          sweep.put(XS, xsS);
          sweep.put(XL + " (k=" + k + ", " + knnNorm + ")", xlS);
          Charts.lamSweep(outDir.resolve("lam-sweep.png"), "nDCG@10 vs lam, " + title, "nDCG@10", lams, sweep);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("dataset", ds.dir().toString());
        params.put("split", split);
        params.put("queries", qids.size());
        params.put("model", info.modelId());
        params.put("index", indexOptions.indexDir(common).toString());
        params.put("train_split", info.trainSplit());
        params.put("memory_rows", info.memoryRows());
        params.put("chunks", info.chunks());
        params.put("chunk_words", info.chunkWords());
        params.put("xs_lam", xsLam());
        params.put("xs_index_lam", info.lam());
        params.put("xl_lam", xlLam());
        params.put("k", k);
        params.put("top_k", topK);
        params.put("knn_norm", knnNorm.toLowerCase(Locale.ROOT));
        params.put("erm_score", ermScore.toLowerCase(Locale.ROOT));
        params.put("hits", hits);
        params.put("search", ef <= 0 ? "exact" : "hnsw ef=" + ef);
        params.put("ignore_identical_ids", ignoreIdenticalIds);
        params.put("gain_over_ERM", gains(metrics));
        MetricsJson.write(outDir.resolve("metrics.json"), metrics, params);
        String table = MarkdownTable.render(metrics);
        writeReport(outDir, title, table, params, lams, sweep, searchSecs);
        System.out.println();
        System.out.println(table);
        System.out.println("report:  " + outDir.resolve("report.md"));
        System.out.println("metrics: " + outDir.resolve("metrics.json"));
        System.out.println("charts:  " + outDir.resolve("recall.png") + (noSweep ? "" : ", " + outDir.resolve("lam-sweep.png")));
        System.out.println("runs:    " + outDir.resolve("runs") + " (erm.trec, xs.trec, xl.trec)");
        result = metrics;
        System.err.printf("eval: %d %s queries x 3 methods (+ sweep) in %.1f s; total %.1f s%n", qids.size(), split,
            searchSecs, (System.nanoTime() - t0) / 1e9);
      }
    }
    return 0;
  }

  static void check(float l, String name) {
    if (!(l >= 0 && l <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0,1], got " + l);
    }
  }

  static Map<String, Map<String, Double>> gains(Map<String, Map<String, Double>> metrics) {
    Map<String, Map<String, Double>> g = new LinkedHashMap<>();
    Map<String, Double> base = metrics.get(ERM);
    for (var e : metrics.entrySet()) {
      if (e.getKey().equals(ERM)) {
        continue;
      }
      Map<String, Double> m = new LinkedHashMap<>();
      e.getValue().forEach((name, v) -> m.put(name, base.get(name) == 0 ? 0 : (v - base.get(name)) / base.get(name)));
      g.put(e.getKey(), m);
    }
    return g;
  }

  private void writeReport(Path outDir, String title, String table, Map<String, Object> params, double[] lams,
      Map<String, double[]> sweep, double secs) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# PEFA evaluation: ").append(title).append("\n\n");
    for (String n : notes) {
      sb.append(n).append("\n\n");
    }
    sb.append(table).append("\n");
    sb.append("Gains are relative to ERM: (method - ERM) / ERM. ")
        .append("ERM = plain dense retrieval by <q, p_d>; PEFA-XS = one index over e_d = lam p_d + (1-lam) u_d; ")
        .append("PEFA-XL = lam <q,p_d> + (1-lam) s_knn(q,d) over the ERM top-K plus the docs labelled by the k nearest training queries.\n\n");
    sb.append("## Parameters\n\n| parameter | value |\n|---|---|\n");
    params.forEach((key, v) -> {
      if (!key.equals("gain_over_ERM")) {
        sb.append("| ").append(key).append(" | ").append(v).append(" |\n");
      }
    });
    sb.append("\nTies are broken by corpus order (Lucene doc id; documents are indexed in corpus.jsonl order).\n\n");
    sb.append("## Charts\n\n![Recall@k](recall.png)\n\n");
    if (sweep != null) {
      sb.append("![nDCG@10 vs lam](lam-sweep.png)\n\n| lam |");
      sweep.keySet().forEach(m -> sb.append(' ').append(m).append(" |"));
      sb.append("\n|---|");
      sweep.keySet().forEach(m -> sb.append("---|"));
      sb.append('\n');
      for (int i = 0; i < lams.length; i++) {
        sb.append(String.format(Locale.ROOT, "| %.1f |", lams[i]));
        for (double[] v : sweep.values()) {
          sb.append(String.format(Locale.ROOT, " %.4f |", v[i]));
        }
        sb.append('\n');
      }
      sb.append("\nThe sweep is on the evaluated split itself: it shows sensitivity, it is not a way to choose lam (use `pefa tune`).\n\n");
    }
    sb.append("## Runs\n\n`runs/erm.trec`, `runs/xs.trec`, `runs/xl.trec`: `qid Q0 docid rank score tag`, ")
        .append(params.get("hits")).append(" hits per query.\n\n");
    sb.append(String.format(Locale.ROOT, "Search time (all methods and the sweep): %.1f s.%n", secs));
    Files.writeString(outDir.resolve("report.md"), sb.toString());
  }
}
