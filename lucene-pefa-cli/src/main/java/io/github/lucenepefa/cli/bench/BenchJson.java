package io.github.lucenepefa.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.lucenepefa.cli.bench.BenchRunner.Build;
import io.github.lucenepefa.cli.bench.BenchRunner.Record;
import io.github.lucenepefa.cli.bench.BenchRunner.Report;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.KnnVote;
import io.github.lucenepefa.scoring.KnnWeighting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON file of a {@link Report} ({@code pefa bench --json}): written with its settings, builds,
 * records and targets, and read back so that {@link BenchReport} renders its tables and chart again
 * ({@code pefa bench --from-json}).
 */
final class BenchJson {

  private BenchJson() {}

  private static String overlapName(Report r) {
    return "overlap_at_" + r.config().n();
  }

  /**
   * Writes the JSON file: one record per method and ANN setting ({@code method}, {@code ef}, {@code
   * latency_ms_mean}, {@code latency_ms_p99}, {@code qps}, {@code overlap_at_100}, ...), with the
   * build figures of the index it searched, and the run's header, build table and targets.
   *
   * @param r the report
   * @param file the output file
   * @throws IOException on write errors
   */
  static void write(Report r, Path file) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("dataset", r.dataset());
    root.put("docs", r.docs());
    root.put("memory_rows", r.memoryRows());
    root.put("labels", r.labels());
    root.put("queries", r.queries());
    root.put("dim", r.dim());
    root.put("simd", r.simd());
    root.put("java", r.javaVersion());
    root.put("cpus", r.cpus());
    BenchConfig c = r.config();
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("n", c.n());
    cfg.put("k", c.k());
    cfg.put("K", c.topK());
    cfg.put("xl_lambda", c.xlLambda());
    cfg.put("xs_lambda", c.xsLambda());
    cfg.put("knn_weighting", c.vote().weighting().name());
    cfg.put("knn_normalization", c.vote().normalization().name());
    cfg.put("temperature", c.vote().temperature());
    cfg.put("erm_score", c.ermMode().name());
    cfg.put("hnsw_max_conn", c.maxConn());
    cfg.put("xs_hnsw_max_conn", c.xsMaxConn());
    cfg.put("hnsw_beam_width", c.beamWidth());
    cfg.put("threads", c.threads());
    cfg.put("warmup_seconds", c.warmupSeconds());
    cfg.put("warmup_full_pass", true);
    cfg.put("min_timed_queries", c.minTimedQueries());
    cfg.put("efs", c.efs());
    cfg.put("k_sweep", c.kSweep());
    cfg.put("xs_any_lambda", c.xsAnyLambda());
    cfg.put("graph_only", c.graphOnly());
    cfg.put("only", c.only());
    cfg.put("index_threads", c.indexThreads());
    cfg.put("force_merge", c.forceMerge());
    cfg.put("stock_memory", c.stockMemory());
    cfg.put("build_repeats", c.buildRepeats());
    cfg.put("ram_buffer_mb", c.ramBufferMb());
    cfg.put("quantization", c.quantization().id());
    cfg.put("oversample", c.oversample());
    if (c.hybrid()) {
      cfg.put("bm25_weight", c.bm25Weight());
    }
    root.put("config", cfg);
    Map<String, Build> builds = new LinkedHashMap<>();
    List<Object> buildList = new ArrayList<>();
    for (Build b : r.builds()) {
      builds.put(b.index(), b);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("index", b.index());
      m.put("build_s", b.seconds());
      m.put("size_bytes", b.bytes());
      m.put("phases_s", b.phases());
      m.put("field_vector_bytes", b.fieldBytes());
      buildList.add(m);
    }
    root.put("builds", buildList);
    root.put("heap_used_mb", r.heapUsedMb());
    List<Object> records = new ArrayList<>();
    for (Record x : r.records()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("method", x.method());
      m.put("ef", x.ef());
      m.put("latency_ms_mean", x.latencyMsMean());
      m.put("latency_ms_p99", x.latencyMsP99());
      m.put("qps", x.qps());
      m.put(overlapName(r), x.overlapAtN());
      m.put("K", x.topK());
      m.put("nodes_visited", x.nodesVisited());
      m.put("alloc_bytes_per_query", x.allocBytesPerQuery());
      m.put("timed_queries", x.timedQueries());
      Build b =
          x.method().startsWith("pefa")
              ? builds.get("pefa")
              : x.method().startsWith("lucene") ? builds.get("stock-docs") : null;
      m.put("index", b == null ? null : b.index());
      m.put("index_build_s", b == null ? null : b.seconds());
      m.put("index_size_bytes", b == null ? null : b.bytes());
      records.add(m);
    }
    root.put("records", records);
    List<Object> targets = new ArrayList<>();
    for (BenchTargets.Target t : BenchTargets.of(r)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("target", t.name());
      m.put("value", t.value());
      m.put("limit", t.limit());
      m.put("at_most", t.atMost());
      m.put("met", t.met());
      m.put("detail", t.detail());
      targets.add(m);
    }
    root.put("targets", targets);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }

  /**
   * Reads a report written by {@link #write}: its tables and chart can then be rendered again. The targets are
   * recomputed from the records. Settings that the file does not hold (files written before they were added) take the
   * defaults of {@link BenchConfig#defaults()}, except that PEFA-XS counts as {@code e_d} only when the PEFA
   * index has no pair field.
   *
   * @param file the JSON file
   * @return the report
   * @throws IOException on read errors, or when the file is not a bench result (the message names the missing field)
   */
  static Report read(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    if (root == null || root.isObject() == false) {
      throw new IOException(file + ": not a pefa bench JSON result (expected an object)");
    }
    JsonNode cfg = required(file, root, "config");
    List<Build> builds = new ArrayList<>();
    for (JsonNode b : required(file, root, "builds")) {
      Map<String, Double> phases = new LinkedHashMap<>();
      b.path("phases_s").fields().forEachRemaining(e -> phases.put(e.getKey(), e.getValue().asDouble()));
      Map<String, Long> fieldBytes = new LinkedHashMap<>();
      b.path("field_vector_bytes").fields().forEachRemaining(e -> fieldBytes.put(e.getKey(), e.getValue().asLong()));
      builds.add(
          new Build(
              required(file, b, "index").asText(),
              required(file, b, "build_s").asDouble(),
              phases,
              b.path("size_bytes").asLong(),
              fieldBytes));
    }
    int n = required(file, cfg, "n").asInt();
    List<Record> records = new ArrayList<>();
    for (JsonNode x : required(file, root, "records")) {
      records.add(
          new Record(
              required(file, x, "method").asText(),
              required(file, x, "ef").asInt(),
              x.path("K").asInt(),
              required(file, x, "latency_ms_mean").asDouble(),
              required(file, x, "latency_ms_p99").asDouble(),
              required(file, x, "qps").asDouble(),
              required(file, x, "overlap_at_" + n).asDouble(),
              x.path("nodes_visited").asDouble(),
              x.path("alloc_bytes_per_query").asDouble(),
              x.path("timed_queries").asInt()));
    }
    BenchConfig d = BenchConfig.defaults();
    boolean pairField =
        builds.stream()
            .filter(b -> b.index().equals("pefa"))
            .findFirst()
            .map(b -> b.fieldBytes().isEmpty() || b.fieldBytes().containsKey("pefa.xs"))
            .orElse(true);
    int[] efs =
        cfg.has("efs")
            ? ints(cfg.get("efs"))
            : records.stream().mapToInt(Record::ef).filter(ef -> ef > 0).distinct().sorted().toArray();
    BenchConfig config =
        new BenchConfig(
            efs,
            n,
            new KnnVote(
                cfg.path("k").asInt(d.vote().k()),
                KnnWeighting.valueOf(cfg.path("knn_weighting").asText(d.vote().weighting().name())),
                KnnNormalization.valueOf(
                    cfg.path("knn_normalization").asText(d.vote().normalization().name())),
                (float) cfg.path("temperature").asDouble(d.vote().temperature())),
            ErmScoreMode.valueOf(cfg.path("erm_score").asText(d.ermMode().name())),
            cfg.path("K").asInt(d.topK()),
            cfg.has("k_sweep") ? ints(cfg.get("k_sweep")) : d.kSweep(),
            (float) cfg.path("xl_lambda").asDouble(d.xlLambda()),
            (float) cfg.path("xs_lambda").asDouble(d.xsLambda()),
            cfg.path("hnsw_max_conn").asInt(d.maxConn()),
            cfg.path("hnsw_beam_width").asInt(d.beamWidth()),
            cfg.path("threads").asInt(d.threads()),
            cfg.path("warmup_seconds").asDouble(d.warmupSeconds()),
            cfg.path("min_timed_queries").asInt(d.minTimedQueries()),
            cfg.path("ram_buffer_mb").asDouble(d.ramBufferMb()),
            d.workDir(),
            false,
            cfg.path("graph_only").asBoolean(d.graphOnly()),
            cfg.hasNonNull("only") ? cfg.get("only").asText() : null,
            cfg.has("xs_any_lambda") ? cfg.get("xs_any_lambda").asBoolean() : pairField,
            cfg.path("index_threads").asInt(d.indexThreads()),
            cfg.path("force_merge").asBoolean(d.forceMerge()),
            cfg.path("stock_memory").asBoolean(d.stockMemory()),
            cfg.path("build_repeats").asInt(d.buildRepeats()),
            io.github.lucenepefa.codec.PefaQuantization.parse(cfg.path("quantization").asText("none")),
            (float) cfg.path("oversample").asDouble(0),
            cfg.hasNonNull("bm25_weight") ? (float) cfg.get("bm25_weight").asDouble() : Float.NaN,
            // a bench.json without the key: its PEFA-XS graph had every graph's maxConn
            cfg.path("xs_hnsw_max_conn").asInt(cfg.path("hnsw_max_conn").asInt(d.maxConn())));
    return new Report(
        required(file, root, "dataset").asText(),
        required(file, root, "docs").asInt(),
        required(file, root, "memory_rows").asInt(),
        root.path("labels").asLong(),
        required(file, root, "queries").asInt(),
        required(file, root, "dim").asInt(),
        root.path("simd").asBoolean(),
        root.path("java").asText(""),
        root.path("cpus").asInt(0),
        config,
        builds,
        root.path("heap_used_mb").asDouble(),
        records);
  }

  private static JsonNode required(Path file, JsonNode node, String field) throws IOException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IOException(file + ": not a pefa bench JSON result (no \"" + field + "\")");
    }
    return v;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
