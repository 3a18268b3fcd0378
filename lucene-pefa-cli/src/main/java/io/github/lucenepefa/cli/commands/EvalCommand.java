package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.eval.Metrics;
import io.github.lucenepefa.cli.eval.PairedTest;
import io.github.lucenepefa.cli.eval.ScoredDoc;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.index.PefaSearch;
import io.github.lucenepefa.cli.index.TunedParams;
import io.github.lucenepefa.cli.report.Charts;
import io.github.lucenepefa.cli.report.MarkdownTable;
import io.github.lucenepefa.cli.report.MetricsJson;
import io.github.lucenepefa.cli.report.TrecRun;
import io.github.lucenepefa.cli.vectors.VectorSource;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.Neighbour;
import io.github.lucenepefa.search.XlCandidates;
import java.io.IOException;
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
      "into --out: metrics.json, report.md (with a paired randomisation test of each PEFA method against ERM),",
      "recall.png (Recall@k curves), lam-sweep.png, runs/{erm,xs,xl}.trec, and with --per-query per-query.tsv.",
      "Search parameters not given take the values pefa tune chose for the index, if any, else the defaults."})
public final class EvalCommand implements Callable<Integer> {

  /** Method names in metrics.json and the report. */
  public static final String ERM = "ERM", XS = "PEFA-XS", XL = "PEFA-XL";

  /** The BM25 rows: BM25 alone and each method fused with it ({@link io.github.lucenepefa.search.PefaHybridQuery}). */
  public static final String BM25 = "BM25", ERM_BM25 = "ERM+BM25", XS_BM25 = "PEFA-XS+BM25", XL_BM25 = "PEFA-XL+BM25";

  @Mixin Common common = new Common();
  @Mixin IndexBuildOptions indexOptions = new IndexBuildOptions();
  @Mixin SearchOptions search = new SearchOptions();

  @Option(names = "--split", defaultValue = "test", description = "qrels split to evaluate (default: ${DEFAULT-VALUE}).")
  String split = "test";

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: work/<dataset>/eval).")
  Path out;

  @Option(names = {"-n", "--hits"}, defaultValue = "100", description = "Hits per query in the runs (default: ${DEFAULT-VALUE}).")
  int hits = 100;

  @Option(names = "--ef", defaultValue = "0", description = "HNSW efSearch; 0 = exact search (default: ${DEFAULT-VALUE}).")
  int ef = 0;

  @Option(names = "--ignore-identical-ids", description = "Drop a hit whose doc id equals the query id (BEIR's evaluate() default).")
  boolean ignoreIdenticalIds;

  @Option(names = "--no-sweep", description = "Skip the lambda sweep chart.")
  boolean noSweep;

  @Option(names = "--per-query", description = "Also write per-query.tsv: every metric of every method for every query.")
  boolean perQuery;

  /** Set by tune/demo: extra lines for the report. */
  public List<String> notes = new ArrayList<>();

  /** The metrics of the last run. */
  public Map<String, Map<String, Double>> result;

  /** @return the output folder */
  public Path outDir() {
    return (out != null ? out : common.work().resolve("eval")).toAbsolutePath().normalize();
  }

  static AnnEffort effort(int ef) {
    return ef <= 0 ? AnnEffort.EXHAUSTIVE : AnnEffort.ef(ef);
  }

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    indexOptions.check();
    if (hits < 1) {
      throw new IllegalArgumentException("--hits must be >= 1, got " + hits);
    }
    search.resolve(null, SearchOptions.DEFAULT_LAM, hits); // checks the options before anything is read
    search.bm25Weights(null);
    try (VectorSource src = indexOptions.vectorSource(common)) {
      BeirDataset ds = Workbench.load(common.data(), List.of(split));
      IndexInfo info = indexOptions.ensure(common, ds, src);
      Path indexDir = indexOptions.indexDir(common);
      TunedParams tuned = TunedParams.read(indexDir, info, System.err);
      SearchOptions.Resolved params = search.resolve(tuned, info.lam(), hits);
      System.err.println("eval: " + params.describe()
          + (tuned != null ? "; tuned values from " + indexDir.resolve(TunedParams.FILE) : ""));
      Bm25Weights bm25 = search.bm25Weights(tuned);
      if (info.bm25() == null && bm25.given()) {
        throw new IllegalArgumentException(Bm25Weights.noTextField(indexDir));
      }
      float xsLam = params.xsLam();
      PefaSearch.XlParams xl = params.xl();
      List<BeirDataset.Query> queries = ds.queries(split);
      if (queries.isEmpty()) {
        throw new IllegalArgumentException("qrels/" + split + ".tsv judges no query of the dataset");
      }
      List<String> qids = queries.stream().map(BeirDataset.Query::id).toList();
      float[][] qv = src.queries(queries);
      Map<String, Map<String, Integer>> qrels = ds.qrels(split);
      Path outDir = outDir();
      Files.createDirectories(outDir);
      long ts = System.nanoTime();
      try (PefaSearch ps = PefaSearch.open(indexDir, effort(ef)).oversample(search.oversample())) {
        int th = common.threads;
        List<List<Neighbour>> nb = Workbench.neighbours(ps, qv, xl.k(), th);
        Map<String, Map<String, List<ScoredDoc>>> runs = new LinkedHashMap<>();
        runs.put(ERM, Workbench.run(ps, qids, qv, null, (q, b, n) -> ps.ermTop(q, n), hits, th, ignoreIdenticalIds));
        runs.put(XS, Workbench.run(ps, qids, qv, null, (q, b, n) -> ps.xsTop(q, xsLam, n), hits, th, ignoreIdenticalIds));
        runs.put(XL, Workbench.run(ps, qids, qv, nb, (q, b, n) -> ps.xlTop(q, xl, n, b), hits, th, ignoreIdenticalIds));
        float aErm = Bm25Weights.orDefault(bm25.erm()), aXs = Bm25Weights.orDefault(bm25.xs());
        float aXl = Bm25Weights.orDefault(bm25.xl());
        float xsLamH = search.bm25XsLam(params, tuned);
        PefaSearch.XlParams xlH = search.bm25Xl(params, tuned);
        List<List<Neighbour>> nbH = xlH.k() == xl.k() ? nb : Workbench.neighbours(ps, qv, xlH.k(), th);
        if (ps.bm25() != null) {
          Map<float[], String> text = new java.util.IdentityHashMap<>();
          for (int i = 0; i < qv.length; i++) {
            text.put(qv[i], queries.get(i).text());
          }
          runs.put(BM25, Workbench.run(ps, qids, qv, null, (q, b, n) -> ps.bm25Top(text.get(q), n), hits, th,
              ignoreIdenticalIds));
          runs.put(ERM_BM25, Workbench.run(ps, qids, qv, null,
              (q, b, n) -> ps.hybridTop(ps.ermQuery(q, n), text.get(q), aErm), hits, th, ignoreIdenticalIds));
          runs.put(XS_BM25, Workbench.run(ps, qids, qv, null,
              (q, b, n) -> ps.hybridTop(ps.xsQuery(q, xsLamH, n), text.get(q), aXs), hits, th, ignoreIdenticalIds));
          runs.put(XL_BM25, Workbench.run(ps, qids, qv, nbH,
              (q, b, n) -> ps.hybridTop(ps.xlQuery(q, xlH, n, b), text.get(q), aXl), hits, th, ignoreIdenticalIds));
        }
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        Map<String, double[]> curves = new LinkedHashMap<>();
        Map<String, Map<String, Map<String, Double>>> per = new LinkedHashMap<>();
        for (var e : runs.entrySet()) {
          Map<String, List<String>> ranked = Workbench.ids(TrecRun.evaluationOrder(e.getValue()));
          metrics.put(e.getKey(), Metrics.evaluate(ranked, qrels));
          per.put(e.getKey(), Metrics.perQuery(ranked, qrels, Metrics.DEFAULT_METRICS));
          curves.put(e.getKey(), Metrics.recallCurve(ranked, qrels, hits));
        }
        double searchSecs = (System.nanoTime() - ts) / 1e9;
        TrecRun.write(outDir.resolve("runs/erm.trec"), runs.get(ERM), "pefa-erm", hits);
        TrecRun.write(outDir.resolve("runs/xs.trec"), runs.get(XS), "pefa-xs", hits);
        TrecRun.write(outDir.resolve("runs/xl.trec"), runs.get(XL), "pefa-xl", hits);
        if (runs.containsKey(BM25)) {
          TrecRun.write(outDir.resolve("runs/bm25.trec"), runs.get(BM25), "bm25", hits);
          TrecRun.write(outDir.resolve("runs/erm-bm25.trec"), runs.get(ERM_BM25), "pefa-erm-bm25", hits);
          TrecRun.write(outDir.resolve("runs/xs-bm25.trec"), runs.get(XS_BM25), "pefa-xs-bm25", hits);
          TrecRun.write(outDir.resolve("runs/xl-bm25.trec"), runs.get(XL_BM25), "pefa-xl-bm25", hits);
        }
        if (perQuery) {
          writePerQuery(outDir.resolve("per-query.tsv"), per);
        }
        String title = ds.dir().getFileName() + " " + split + " (" + info.modelId() + ")";
        Charts.recallCurve(outDir.resolve("recall.png"), "Recall@k, " + title, curves);
        double[] lams = null;
        Map<String, double[]> sweep = null;
        if (!noSweep) {
          lams = new double[11];
          sweep = new LinkedHashMap<>();
          double[] xsS = new double[11], xlS = new double[11], ermS = new double[11];
          double ermN = metrics.get(ERM).get("nDCG@10");
          List<XlCandidates> grids = Workbench.parallel(qids.size(), th, j -> ps.xlCandidates(qv[j], xl.k(), xl.topK()));
          for (int i = 0; i <= 10; i++) {
            float l = i / 10f;
            lams[i] = l;
            PefaSearch.XlParams p = xl.withLam(l);
            xsS[i] = Workbench.metrics(Workbench.run(ps, qids, qv, null, (q, b, n) -> ps.xsTop(q, l, n), hits, th,
                ignoreIdenticalIds), qrels).get("nDCG@10");
            Map<String, List<ScoredDoc>> xlRun = new LinkedHashMap<>();
            for (int j = 0; j < qids.size(); j++) {
              List<ScoredDoc> h = ps.xlRank(grids.get(j), p, hits);
              xlRun.put(qids.get(j), ignoreIdenticalIds ? Workbench.dropIdentical(h, qids.get(j)) : h);
            }
            xlS[i] = Workbench.metrics(xlRun, qrels).get("nDCG@10");
            ermS[i] = ermN;
          }
          sweep.put(ERM, ermS);
          sweep.put(XS, xsS);
          sweep.put(XL + " (k=" + xl.k() + ", " + params.voteLabel() + ")", xlS);
          Charts.lamSweep(outDir.resolve("lam-sweep.png"), "nDCG@10 vs lam, " + title, "nDCG@10", lams, sweep);
        }
        Map<String, Object> prm = new LinkedHashMap<>();
        prm.put("dataset", ds.dir().toString());
        prm.put("split", split);
        prm.put("queries", qids.size());
        prm.put("model", info.modelId());
        prm.put("index", indexDir.toString());
        prm.put("train_splits", info.trainSplits());
        prm.put("memory_rows", info.memoryRows());
        prm.put("chunks", info.chunks());
        prm.put("chunk_words", info.chunkWords());
        prm.put("xs_lam", xsLam);
        prm.put("xs_index_lam", info.lam());
        prm.put("xl_lam", xl.lam());
        prm.put("k", xl.k());
        prm.put("top_k", xl.topK());
        prm.put("knn_weight", xl.vote().weighting().name().toLowerCase(Locale.ROOT));
        prm.put("knn_norm", xl.vote().normalization().name().toLowerCase(Locale.ROOT));
        prm.put("temperature", xl.vote().temperature());
        prm.put("erm_score", SearchOptions.ermName(xl.ermMode()));
        if (runs.containsKey(BM25)) {
          prm.put("bm25_k1", info.bm25().k1());
          prm.put("bm25_b", info.bm25().b());
          Map<String, Float> weights = new LinkedHashMap<>();
          weights.put(ERM_BM25, aErm);
          weights.put(XS_BM25, aXs);
          weights.put(XL_BM25, aXl);
          prm.put("bm25_weight", weights);
          prm.put("bm25_weight_from", bm25.source());
          prm.put("bm25_xs_lam", xsLamH);
          prm.put("bm25_xl", String.format(Locale.ROOT, "lam=%s, k=%d, vote %s", TuneCommand.fmt(xlH.lam()), xlH.k(),
              SearchOptions.Resolved.voteLabel(xlH.vote())));
        }
        prm.put("params_from", params.source());
        prm.put("hits", hits);
        prm.put("search", ef <= 0 ? "exact" : "hnsw ef=" + ef);
        prm.put("quantization", info.quantization());
        prm.put("oversample", search.oversample() > 0 ? search.oversample() : "default");
        prm.put("ignore_identical_ids", ignoreIdenticalIds);
        prm.put("gain_over_ERM", gains(metrics));
        Map<String, Map<String, Double>> pValues = pValues(per);
        prm.put("p_value_vs_ERM", pValues);
        if (runs.containsKey(BM25)) {
          prm.put("p_value_vs_method_without_BM25", hybridPValues(per));
        }
        MetricsJson.write(outDir.resolve("metrics.json"), metrics, prm);
        String table = MarkdownTable.render(metrics);
        writeReport(outDir, title, table, prm, metrics, pValues, lams, sweep, searchSecs);
        System.out.println();
        System.out.println(table);
        System.out.println("report:  " + outDir.resolve("report.md"));
        System.out.println("metrics: " + outDir.resolve("metrics.json"));
        System.out.println("charts:  " + outDir.resolve("recall.png") + (noSweep ? "" : ", " + outDir.resolve("lam-sweep.png")));
        System.out.println("runs:    " + outDir.resolve("runs") + " (erm.trec, xs.trec, xl.trec)"
            + (perQuery ? "; per-query metrics: " + outDir.resolve("per-query.tsv") : ""));
        result = metrics;
        System.err.printf("eval: %d %s queries x 3 methods (+ sweep) in %.1f s; total %.1f s%n", qids.size(), split,
            searchSecs, (System.nanoTime() - t0) / 1e9);
      }
    }
    return 0;
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

  /** Two-sided paired randomisation test of every method against ERM, per metric. */
  static Map<String, Map<String, Double>> pValues(Map<String, Map<String, Map<String, Double>>> per) {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    Map<String, Map<String, Double>> erm = per.get(ERM);
    List<String> qids = new ArrayList<>(erm.keySet());
    for (var e : per.entrySet()) {
      if (e.getKey().equals(ERM)) {
        continue;
      }
      Map<String, Double> ps = new LinkedHashMap<>();
      for (String m : Metrics.DEFAULT_METRICS) {
        double[] a = new double[qids.size()];
        double[] b = new double[qids.size()];
        for (int i = 0; i < qids.size(); i++) {
          a[i] = e.getValue().get(qids.get(i)).get(m);
          b[i] = erm.get(qids.get(i)).get(m);
        }
        ps.put(m, PairedTest.randomisation(a, b));
      }
      out.put(e.getKey(), ps);
    }
    return out;
  }

  /** Two-sided paired randomisation test of each method + BM25 against the method alone, per metric. */
  static Map<String, Map<String, Double>> hybridPValues(Map<String, Map<String, Map<String, Double>>> per) {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    List<String> qids = new ArrayList<>(per.get(ERM).keySet());
    for (String[] pair : new String[][] {{ERM_BM25, ERM}, {XS_BM25, XS}, {XL_BM25, XL}}) {
      Map<String, Double> ps = new LinkedHashMap<>();
      for (String m : Metrics.DEFAULT_METRICS) {
        double[] a = new double[qids.size()];
        double[] b = new double[qids.size()];
        for (int i = 0; i < qids.size(); i++) {
          a[i] = per.get(pair[0]).get(qids.get(i)).get(m);
          b[i] = per.get(pair[1]).get(qids.get(i)).get(m);
        }
        ps.put(m, PairedTest.randomisation(a, b));
      }
      out.put(pair[0], ps);
    }
    return out;
  }

  static void writePerQuery(Path file, Map<String, Map<String, Map<String, Double>>> per) throws IOException {
    StringBuilder sb = new StringBuilder("query-id\tmethod");
    for (String m : Metrics.DEFAULT_METRICS) {
      sb.append('\t').append(m);
    }
    sb.append('\n');
    for (String qid : per.get(ERM).keySet()) {
      for (var e : per.entrySet()) {
        sb.append(qid).append('\t').append(e.getKey());
        for (String m : Metrics.DEFAULT_METRICS) {
          sb.append('\t').append(String.format(Locale.ROOT, "%.6f", e.getValue().get(qid).get(m)));
        }
        sb.append('\n');
      }
    }
    Files.writeString(file, sb.toString());
  }

  private void writeReport(Path outDir, String title, String table, Map<String, Object> params,
      Map<String, Map<String, Double>> metrics, Map<String, Map<String, Double>> pValues, double[] lams,
      Map<String, double[]> sweep, double secs) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# PEFA evaluation: ").append(title).append("\n\n");
    for (String n : notes) {
      sb.append(n).append("\n\n");
    }
    sb.append(table).append("\n");
    sb.append("Gains are relative to ERM: (method - ERM) / ERM. ")
        .append("ERM = plain dense retrieval by <q, p_d>; PEFA-XS = one index over e_d = lam p_d + (1-lam) u_d; ")
        .append("PEFA-XL = lam <q,p_d> + (1-lam) s_knn(q,d) over the ERM top-K plus the docs labelled by the k nearest training queries.\n\n");
    sb.append("## Significance against ERM\n\n")
        .append("Two-sided paired randomisation test over the ").append(params.get("queries"))
        .append(" queries (").append(PairedTest.DEFAULT_TRIALS).append(" random sign flips of the per-query")
        .append(" differences, seed ").append(PairedTest.DEFAULT_SEED).append("; p = (flips at least as extreme + 1) / (")
        .append(PairedTest.DEFAULT_TRIALS).append(" + 1), so the smallest p it can give is about 1e-5).\n\n");
    sb.append("| method | metric | ERM | method | difference | p |\n|---|---|---:|---:|---:|---:|\n");
    for (var e : pValues.entrySet()) {
      for (var m : e.getValue().entrySet()) {
        double base = metrics.get(ERM).get(m.getKey());
        double v = metrics.get(e.getKey()).get(m.getKey());
        sb.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.4f | %+.4f | %s |%n", e.getKey(), m.getKey(), base, v,
            v - base, m.getValue() < 1e-4 ? String.format(Locale.ROOT, "%.1e", m.getValue())
                : String.format(Locale.ROOT, "%.4f", m.getValue())));
      }
    }
    sb.append("\n## Parameters\n\n| parameter | value |\n|---|---|\n");
    params.forEach((key, v) -> {
      if (!key.equals("gain_over_ERM") && !key.equals("p_value_vs_ERM")) {
        sb.append("| ").append(key).append(" | ").append(v).append(" |\n");
      }
    });
    sb.append("\nTied scores are listed in corpus order in the runs; the metrics are computed on the runs as trec_eval")
        .append(" reads them (score decreasing, ties by doc id decreasing), so trec_eval on runs/*.trec gives the")
        .append(" same numbers.\n\n");
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
