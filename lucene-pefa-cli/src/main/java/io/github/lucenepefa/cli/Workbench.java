package io.github.lucenepefa.cli;

import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.cli.data.TrainingMemoryBuilder;
import io.github.lucenepefa.cli.eval.Metrics;
import io.github.lucenepefa.cli.eval.ScoredDoc;
import io.github.lucenepefa.cli.index.IndexBuilder;
import io.github.lucenepefa.cli.index.Bm25Settings;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.index.PefaSearch;
import io.github.lucenepefa.cli.progress.ProgressBar;
import io.github.lucenepefa.cli.report.TrecRun;
import io.github.lucenepefa.cli.vectors.Embedder;
import io.github.lucenepefa.cli.vectors.VectorCache;
import io.github.lucenepefa.cli.vectors.VectorSource;
import io.github.lucenepefa.encoder.EncoderConfig;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.search.Neighbour;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.lucene.search.TopDocs;

/** The shared steps of the commands: locations, dataset, memory, vectors, index build and batch search. */
public final class Workbench {

  private Workbench() {}

  /** @return the repository root (system property {@code pefa.home}, set by the launcher), else the working dir */
  public static Path home() {
    String h = System.getProperty("pefa.home");
    return Path.of(h != null ? h : ".").toAbsolutePath().normalize();
  }

  /** @return the bundled SciFact folder */
  public static Path defaultData() {
    return home().resolve("data").resolve("scifact");
  }

  /**
   * @param data the dataset folder
   * @return the default work folder for a dataset: {@code <home>/work/<dataset name>}
   */
  public static Path defaultWork(Path data) {
    return home().resolve("work").resolve(data.toAbsolutePath().normalize().getFileName().toString());
  }

  /** @return the default vector cache: {@code $PEFA_CACHE} or {@code ~/.cache/lucene-pefa/vectors} */
  public static Path defaultCache() {
    String env = System.getenv("PEFA_CACHE");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "lucene-pefa", "vectors");
  }

  /**
   * @param cacheDir the writable cache folder, or null for none
   * @param data the dataset folder (its {@code vectors/} subfolder is a read-only seed)
   * @return the cache
   */
  public static VectorCache cache(Path cacheDir, Path data) {
    List<Path> seeds = new ArrayList<>();
    if (data != null) {
      seeds.add(data.resolve("vectors"));
    }
    return new VectorCache(cacheDir, seeds);
  }

  /**
   * @param model a preset name
   * @return its configuration
   */
  public static EncoderConfig encoderConfig(String model) {
    return EncoderConfig.preset(model).build();
  }

  /**
   * @param dir dataset folder
   * @param required splits that must exist
   * @return the dataset (its warnings printed)
   * @throws IOException on errors (a {@link io.github.lucenepefa.cli.data.DatasetException} names file and line)
   */
  public static BeirDataset load(Path dir, Collection<String> required) throws IOException {
    long t0 = System.nanoTime();
    BeirDataset ds = BeirDataset.load(dir, required);
    for (String w : ds.warnings()) {
      System.err.println("warning: " + w);
    }
    System.err.printf(
        "loaded %s: %d docs, %d queries, splits %s (%.1f s)%n",
        dir, ds.docs().size(), ds.queries().size(), ds.splits(), (System.nanoTime() - t0) / 1e9);
    return ds;
  }

  /** The training split used when {@code --train-split} is not given and the dataset has it. */
  public static final String DEFAULT_TRAIN_SPLIT = "train";

  /**
   * The training splits of a memory: the ones asked for (each must exist), or by default {@code train} when the
   * dataset has it and none otherwise (most BEIR datasets: the memory is then the doc-as-query rows alone).
   *
   * @param ds the dataset
   * @param asked the splits given with {@code --train-split}, or null for the default
   * @return the splits
   * @throws IllegalArgumentException when an asked split is missing or named twice
   */
  public static List<String> trainSplits(BeirDataset ds, List<String> asked) {
    if (asked == null) {
      if (ds.splits().contains(DEFAULT_TRAIN_SPLIT)) {
        return List.of(DEFAULT_TRAIN_SPLIT);
      }
      System.err.println("note: " + ds.dir() + " has no qrels/" + DEFAULT_TRAIN_SPLIT + ".tsv: the memory is the"
          + " doc-as-query rows alone (--train-split NAME names another split of training queries)");
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String s : asked) {
      if (!ds.splits().contains(s)) {
        throw new IllegalArgumentException("--train-split " + s + ": no qrels/" + s + ".tsv in " + ds.dir()
            + " (have: " + ds.splits() + ")");
      }
      if (out.contains(s)) {
        throw new IllegalArgumentException("--train-split names " + s + " twice");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /**
   * The training memory: the queries of the training splits (in split order, except {@code exclude}), then the
   * doc-as-query rows of the vector source, merged by text.
   *
   * @param ds dataset
   * @param src the vectors (they decide what a doc-as-query row is)
   * @param trainSplits splits of the training queries
   * @param exclude query ids left out (the dev part in tune)
   * @param chunks doc-as-query rows per doc (0: none)
   * @param chunkWords words per chunk
   * @return the rows
   * @throws IOException on errors
   */
  public static TrainingMemoryBuilder memory(BeirDataset ds, VectorSource src, List<String> trainSplits,
      Set<String> exclude, int chunks, int chunkWords) throws IOException {
    TrainingMemoryBuilder b = new TrainingMemoryBuilder();
    Map<String, String> firstIdOfText = new java.util.HashMap<>();
    for (String split : trainSplits) {
      for (Map.Entry<String, Map<String, Integer>> e : ds.qrels(split).entrySet()) {
        if (exclude.contains(e.getKey())) {
          continue;
        }
        List<String> rel = new ArrayList<>();
        e.getValue().forEach((d, g) -> {
          if (g > 0) {
            rel.add(d);
          }
        });
        BeirDataset.Query q = ds.query(e.getKey());
        if (!rel.isEmpty()) {
          checkOneVectorPerText(src, firstIdOfText, q);
        }
        b.addQuery(q.id(), q.text(), rel);
      }
    }
    if (chunks > 0) {
      src.addChunks(b, ds, chunks, chunkWords);
    }
    return b;
  }

  /**
   * Training queries of the same text share one memory row (that of the first): with precomputed vectors (--vectors),
   * they must have the same vector, else the row's vector would silently be the first query's.
   *
   * @throws IllegalArgumentException naming both query ids
   */
  private static void checkOneVectorPerText(VectorSource src, Map<String, String> firstIdOfText, BeirDataset.Query q) {
    if (!(src instanceof io.github.lucenepefa.cli.vectors.NpyVectors npy)) {
      return; // an encoder gives one text one vector
    }
    String first = firstIdOfText.putIfAbsent(q.text(), q.id());
    if (first == null || first.equals(q.id())) {
      return;
    }
    float[] a = npy.query(first);
    float[] b = npy.query(q.id());
    if (a != null && b != null && !java.util.Arrays.equals(a, b)) {
      throw new IllegalArgumentException("training queries " + first + " and " + q.id() + " have the same text, so"
          + " one memory row, but different vectors in queries.npy");
    }
  }

  /**
   * The memory of an encoder: the split's queries and the text chunks of the documents.
   *
   * @param ds dataset
   * @param trainSplit split of the training queries
   * @param exclude query ids left out
   * @param chunks chunks per doc
   * @param chunkWords words per chunk
   * @return the rows
   */
  public static TrainingMemoryBuilder memory(
      BeirDataset ds, String trainSplit, Set<String> exclude, int chunks, int chunkWords) {
    try (Embedder texts = new Embedder(EncoderConfig.defaults(), new VectorCache(null, List.of()))) {
      return memory(ds, texts, List.of(trainSplit), exclude, chunks, chunkWords);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * @param data dataset folder
   * @return sizes and modification times of its corpus and queries files
   * @throws IOException on errors
   */
  public static String fingerprint(Path data) throws IOException {
    StringBuilder sb = new StringBuilder();
    List<Path> files = new ArrayList<>();
    try (var s = Files.list(data)) {
      s.filter(p -> p.getFileName().toString().matches("(corpus|queries)\\.jsonl(\\.gz)?")).sorted().forEach(files::add);
    }
    for (Path f : files) {
      sb.append(data.relativize(f)).append(':').append(Files.size(f)).append(':')
          .append(Files.getLastModifiedTime(f).toMillis()).append(';');
    }
    return sb.toString();
  }

  /**
   * @param data dataset folder
   * @param splits qrels splits
   * @return split name to the sizes and modification times of its qrels file(s)
   * @throws IOException on errors
   */
  public static Map<String, String> splitFingerprints(Path data, List<String> splits) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String split : splits) {
      StringBuilder sb = new StringBuilder();
      for (String name : List.of(split + ".tsv", split + ".tsv.gz")) {
        Path f = data.resolve("qrels").resolve(name);
        if (Files.isRegularFile(f)) {
          sb.append(name).append(':').append(Files.size(f)).append(':')
              .append(Files.getLastModifiedTime(f).toMillis()).append(';');
        }
      }
      out.put(split, sb.toString());
    }
    return out;
  }

  /**
   * Settings of an index build.
   *
   * @param trainSplits qrels splits of the training queries
   * @param chunks doc-as-query rows per doc
   * @param chunkWords words per chunk
   * @param lam PEFA-XS index-time lambda
   * @param hnswM HNSW max connections
   * @param hnswEfConstruction HNSW construction beam
   * @param quantization the graphs' {@link PefaQuantization#id()}
   * @param bm25 BM25 settings of the text field
   */
  public record IndexSettings(
      List<String> trainSplits, int chunks, int chunkWords, float lam, int hnswM, int hnswEfConstruction,
      String quantization, Bm25Settings bm25, int xsHnswM) {}

  /**
   * The info an index with these settings would carry (counts zero).
   *
   * @param data dataset folder
   * @param src the vectors
   * @param s settings
   * @return the info
   * @throws IOException on errors
   */
  public static IndexInfo wantedInfo(Path data, VectorSource src, IndexSettings s) throws IOException {
    Path abs = data.toAbsolutePath().normalize();
    return new IndexInfo(IndexInfo.FORMAT, src.model(), src.modelId(), abs.toString(), fingerprint(abs),
        s.trainSplits(), splitFingerprints(abs, s.trainSplits()), s.chunks(), s.chunkWords(), s.lam(), s.hnswM(),
        s.hnswEfConstruction(), 0, 0, 0, 0, s.quantization(), null, s.xsHnswM()).withBm25(s.bm25());
  }

  /**
   * Builds an index atomically.
   *
   * @param ds dataset
   * @param src the vectors
   * @param s settings
   * @param target index folder
   * @return the info written
   * @throws IOException on errors
   */
  public static IndexInfo buildIndex(BeirDataset ds, VectorSource src, IndexSettings s, Path target)
      throws IOException {
    return buildIndex(ds, src, s, target, 1);
  }

  /**
   * {@link #buildIndex(BeirDataset, VectorSource, IndexSettings, Path)} with {@code threads}
   * indexing and graph-merge threads ({@link IndexBuilder#write(org.apache.lucene.store.Directory,
   * PefaSchema, BeirDataset, List, float[][], float[][], boolean, int, Bm25Settings)}).
   *
   * @param ds the dataset
   * @param src the vectors
   * @param s settings
   * @param target the index folder
   * @param threads indexing and graph-merge threads, at least 1
   * @return the index info
   * @throws IOException on errors
   */
  public static IndexInfo buildIndex(
      BeirDataset ds, VectorSource src, IndexSettings s, Path target, int threads)
      throws IOException {
    long t0 = System.nanoTime();
    TrainingMemoryBuilder mb = memory(ds, src, s.trainSplits(), Set.of(), s.chunks(), s.chunkWords());
    List<MemoryRow> rows = mb.build();
    System.err.printf(
        "memory: %d training inputs (queries of %s + doc-as-query rows) -> %d rows after merging identical texts%n",
        mb.inputCount(), s.trainSplits().isEmpty() ? "no split" : String.join(", ", s.trainSplits()), rows.size());
    float[][] rowVecs = src.rows(rows);
    float[][] docVecs = src.docs(ds);
    PefaSchema schema =
        PefaSchema.builder(docVecs[0].length).xsLambda(s.lam()).hnsw(s.hnswM(), s.hnswEfConstruction())
            .xsHnsw(s.xsHnswM(), s.hnswEfConstruction())
            .quantization(PefaQuantization.parse(s.quantization())).build();
    IndexInfo base = wantedInfo(ds.dir(), src, s);
    IndexInfo[] info = {null};
    IndexBuilder.buildAtomically(
        target,
        () -> info[0] = base.withCounts(ds.docs().size(), rows.size(), mb.inputCount(),
            Math.round((System.nanoTime() - t0) / 1e8) / 10.0),
        dir -> {
          IndexBuilder.write(dir, schema, ds, rows, rowVecs, docVecs, true, threads, s.bm25());
          PefaSearch.writeCorpusOrder(dir, ds.docs().stream().map(BeirDataset.Doc::id).toList());
        });
    return info[0];
  }

  /** A search of one query: its vector, precomputed neighbours (may be null) and the number of hits. */
  @FunctionalInterface
  public interface Searcher {
    /**
     * @param q query vector
     * @param neighbours precomputed neighbours or null
     * @param n hits wanted
     * @return hits
     * @throws IOException on errors
     */
    TopDocs search(float[] q, List<Neighbour> neighbours, int n) throws IOException;
  }

  /**
   * Runs a search for every query on {@code threads} threads, each ranking as {@link PefaSearch#ranked} makes it.
   *
   * @param ps the searcher
   * @param qids query ids
   * @param vectors query vectors
   * @param neighbours per-query neighbours (or null)
   * @param s the search
   * @param hits hits per query
   * @param threads threads
   * @param ignoreIdenticalIds drop hits whose doc id equals the query id (BEIR's default)
   * @return qid → hits, in the given order
   * @throws IOException on errors
   */
  public static Map<String, List<ScoredDoc>> run(
      PefaSearch ps,
      List<String> qids,
      float[][] vectors,
      List<List<Neighbour>> neighbours,
      Searcher s,
      int hits,
      int threads,
      boolean ignoreIdenticalIds)
      throws IOException {
    List<List<ScoredDoc>> results = parallel(qids.size(), threads, i -> {
      List<Neighbour> nb = neighbours == null ? null : neighbours.get(i);
      List<ScoredDoc> h = ps.ranked(n -> s.search(vectors[i], nb, n), hits);
      return ignoreIdenticalIds ? dropIdentical(h, qids.get(i)) : h;
    });
    Map<String, List<ScoredDoc>> run = new LinkedHashMap<>();
    for (int i = 0; i < qids.size(); i++) {
      run.put(qids.get(i), results.get(i));
    }
    return run;
  }

  /**
   * @param hits a ranking
   * @param qid the query id
   * @return the ranking without the document whose id is the query id
   */
  public static List<ScoredDoc> dropIdentical(List<ScoredDoc> hits, String qid) {
    List<ScoredDoc> out = new ArrayList<>(hits);
    out.removeIf(h -> h.docId().equals(qid));
    return out;
  }

  /**
   * @param run a run
   * @return qid → ranked doc ids
   */
  public static Map<String, List<String>> ids(Map<String, List<ScoredDoc>> run) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    run.forEach((q, hits) -> {
      List<String> ids = new ArrayList<>(hits.size());
      hits.forEach(h -> ids.add(h.docId()));
      out.put(q, ids);
    });
    return out;
  }

  /**
   * The default metrics of a run as trec_eval reads its run file ({@link TrecRun#evaluationOrder}).
   *
   * @param run run
   * @param qrels qrels
   * @return metric → mean
   */
  public static Map<String, Double> metrics(Map<String, List<ScoredDoc>> run, Map<String, Map<String, Integer>> qrels) {
    return Metrics.evaluate(ids(TrecRun.evaluationOrder(run)), qrels);
  }

  /**
   * Named metrics of a run as trec_eval reads its run file.
   *
   * @param run run
   * @param qrels qrels
   * @param metrics metric names
   * @return metric → mean
   */
  public static Map<String, Double> metrics(
      Map<String, List<ScoredDoc>> run, Map<String, Map<String, Integer>> qrels, List<String> metrics) {
    return Metrics.evaluate(ids(TrecRun.evaluationOrder(run)), qrels, metrics);
  }

  /** An indexed task. */
  @FunctionalInterface
  public interface IndexedTask<T> {
    /**
     * @param i index
     * @return result
     * @throws IOException on errors
     */
    T apply(int i) throws IOException;
  }

  /**
   * Runs {@code n} tasks on a fixed pool.
   *
   * @param n tasks
   * @param threads threads
   * @param task the task
   * @param <T> result type
   * @return results in order
   * @throws IOException the first failure
   */
  public static <T> List<T> parallel(int n, int threads, IndexedTask<T> task) throws IOException {
    List<T> out = new ArrayList<>(n);
    if (threads <= 1 || n < 4) {
      for (int i = 0; i < n; i++) {
        out.add(task.apply(i));
      }
      return out;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<T>> fs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int j = i;
        fs.add(pool.submit(() -> task.apply(j)));
      }
      for (Future<T> f : fs) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Neighbours of every query ({@code k} each).
   *
   * @param ps searcher
   * @param vectors query vectors
   * @param k neighbours
   * @param threads threads
   * @return per query
   * @throws IOException on errors
   */
  public static List<List<Neighbour>> neighbours(PefaSearch ps, float[][] vectors, int k, int threads)
      throws IOException {
    return parallel(vectors.length, threads, i -> ps.neighbours(vectors[i], k));
  }

  /**
   * Prints a line to stderr with the elapsed time.
   *
   * @param what the message
   * @param t0 start (nanoTime)
   */
  public static void summary(String what, long t0) {
    System.err.println(what + " (" + ProgressBar.duration((System.nanoTime() - t0) / 1e9) + ")");
  }
}
