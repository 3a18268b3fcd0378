package io.github.lucenepefa.cli;

import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.cli.data.TrainingMemoryBuilder;
import io.github.lucenepefa.cli.eval.Metrics;
import io.github.lucenepefa.cli.eval.ScoredDoc;
import io.github.lucenepefa.cli.index.IndexBuilder;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.index.PefaSearch;
import io.github.lucenepefa.cli.progress.ProgressBar;
import io.github.lucenepefa.cli.vectors.Embedder;
import io.github.lucenepefa.cli.vectors.VectorCache;
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
   * @return the dataset
   * @throws IOException on errors (a {@link io.github.lucenepefa.cli.data.DatasetException} names file and line)
   */
  public static BeirDataset load(Path dir, Collection<String> required) throws IOException {
    long t0 = System.nanoTime();
    BeirDataset ds = BeirDataset.load(dir, required);
    System.err.printf(
        "loaded %s: %d docs, %d queries, splits %s (%.1f s)%n",
        dir, ds.docs().size(), ds.queries().size(), ds.splits(), (System.nanoTime() - t0) / 1e9);
    return ds;
  }

  /**
   * The training memory: the split's queries (except {@code exclude}) and the doc-as-query chunks, merged by text.
   *
   * @param ds dataset
   * @param trainSplit split of the training queries
   * @param exclude query ids left out (the dev part in tune)
   * @param chunks chunks per doc (0: none)
   * @param chunkWords words per chunk
   * @return the rows
   */
  public static TrainingMemoryBuilder memory(
      BeirDataset ds, String trainSplit, Set<String> exclude, int chunks, int chunkWords) {
    TrainingMemoryBuilder b = new TrainingMemoryBuilder();
    for (Map.Entry<String, Map<String, Integer>> e : ds.qrels(trainSplit).entrySet()) {
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
      b.addQuery(q.id(), q.text(), rel);
    }
    if (chunks > 0) {
      b.addDocChunks(ds.docs(), chunkWords, chunks);
    }
    return b;
  }

  /**
   * @param emb embedder
   * @param ds dataset
   * @return document vectors in corpus order
   * @throws IOException on errors
   */
  public static float[][] docVectors(Embedder emb, BeirDataset ds) throws IOException {
    List<String> texts = new ArrayList<>(ds.docs().size());
    for (BeirDataset.Doc d : ds.docs()) {
      texts.add(d.titleAndText());
    }
    return emb.docs(texts, "encode docs");
  }

  /**
   * @param emb embedder
   * @param rows memory rows
   * @return their vectors
   * @throws IOException on errors
   */
  public static float[][] rowVectors(Embedder emb, List<MemoryRow> rows) throws IOException {
    List<String> texts = new ArrayList<>(rows.size());
    for (MemoryRow r : rows) {
      texts.add(r.text());
    }
    return emb.queries(texts, "encode memory");
  }

  /**
   * @param emb embedder
   * @param queries queries
   * @return their vectors
   * @throws IOException on errors
   */
  public static float[][] queryVectors(Embedder emb, List<BeirDataset.Query> queries) throws IOException {
    List<String> texts = new ArrayList<>(queries.size());
    for (BeirDataset.Query q : queries) {
      texts.add(q.text());
    }
    return emb.queries(texts, "encode queries");
  }

  /**
   * @param data dataset folder
   * @return sizes and modification times of its files
   * @throws IOException on errors
   */
  public static String fingerprint(Path data) throws IOException {
    StringBuilder sb = new StringBuilder();
    List<Path> files = new ArrayList<>();
    try (var s = Files.list(data)) {
      s.filter(p -> p.getFileName().toString().matches("(corpus|queries)\\.jsonl(\\.gz)?")).sorted().forEach(files::add);
    }
    Path qrels = data.resolve("qrels");
    if (Files.isDirectory(qrels)) {
      try (var s = Files.list(qrels)) {
        s.sorted().forEach(files::add);
      }
    }
    for (Path f : files) {
      sb.append(data.relativize(f)).append(':').append(Files.size(f)).append(':')
          .append(Files.getLastModifiedTime(f).toMillis()).append(';');
    }
    return sb.toString();
  }

  /** Settings of an index build. */
  public record IndexSettings(
      String model, String trainSplit, int chunks, int chunkWords, float lam, int hnswM, int hnswEfConstruction) {}

  /**
   * The info an index with these settings would carry (counts zero).
   *
   * @param data dataset folder
   * @param emb embedder
   * @param s settings
   * @return the info
   * @throws IOException on errors
   */
  public static IndexInfo wantedInfo(Path data, Embedder emb, IndexSettings s) throws IOException {
    return new IndexInfo(
        emb.config().name(), emb.modelId(), data.toAbsolutePath().normalize().toString(), fingerprint(data),
        s.trainSplit(), s.chunks(), s.chunkWords(), s.lam(), s.hnswM(), s.hnswEfConstruction(), 0, 0, 0, 0);
  }

  /**
   * Builds an index atomically.
   *
   * @param ds dataset
   * @param emb embedder
   * @param s settings
   * @param target index folder
   * @return the info written
   * @throws IOException on errors
   */
  public static IndexInfo buildIndex(BeirDataset ds, Embedder emb, IndexSettings s, Path target) throws IOException {
    long t0 = System.nanoTime();
    TrainingMemoryBuilder mb = memory(ds, s.trainSplit(), Set.of(), s.chunks(), s.chunkWords());
    List<MemoryRow> rows = mb.build();
    System.err.printf(
        "memory: %d training inputs (%s queries + chunks) -> %d rows after merging identical texts%n",
        mb.inputCount(), s.trainSplit(), rows.size());
    float[][] rowVecs = rowVectors(emb, rows);
    float[][] docVecs = docVectors(emb, ds);
    PefaSchema schema =
        PefaSchema.builder(docVecs[0].length).xsLambda(s.lam()).hnsw(s.hnswM(), s.hnswEfConstruction()).build();
    IndexInfo base = wantedInfo(ds.dir(), emb, s);
    IndexInfo[] info = {null};
    IndexBuilder.buildAtomically(
        target,
        () -> info[0] =
            new IndexInfo(
                base.model(), base.modelId(), base.dataset(), base.datasetFingerprint(), base.trainSplit(),
                base.chunks(), base.chunkWords(), base.lam(), base.hnswM(), base.hnswEfConstruction(),
                ds.docs().size(), rows.size(), mb.inputCount(), Math.round((System.nanoTime() - t0) / 1e8) / 10.0),
        dir -> IndexBuilder.write(dir, schema, ds, rows, rowVecs, docVecs, true));
    return info[0];
  }

  /** One search per query, given the query vector and its precomputed neighbours (may be null). */
  @FunctionalInterface
  public interface Searcher {
    /**
     * @param q query vector
     * @param neighbours precomputed neighbours or null
     * @return hits
     * @throws IOException on errors
     */
    TopDocs search(float[] q, List<Neighbour> neighbours) throws IOException;
  }

  /**
   * Runs a search for every query on {@code threads} threads.
   *
   * @param ps the searcher
   * @param qids query ids
   * @param vectors query vectors
   * @param neighbours per-query neighbours (or null)
   * @param s the search
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
      int threads,
      boolean ignoreIdenticalIds)
      throws IOException {
    List<List<ScoredDoc>> results = parallel(qids.size(), threads, i -> {
      List<ScoredDoc> hits = ps.toScored(s.search(vectors[i], neighbours == null ? null : neighbours.get(i)));
      if (ignoreIdenticalIds) {
        String qid = qids.get(i);
        hits = new ArrayList<>(hits);
        hits.removeIf(h -> h.docId().equals(qid));
      }
      return hits;
    });
    Map<String, List<ScoredDoc>> run = new LinkedHashMap<>();
    for (int i = 0; i < qids.size(); i++) {
      run.put(qids.get(i), results.get(i));
    }
    return run;
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
   * @param run run
   * @param qrels qrels
   * @return the default metrics
   */
  public static Map<String, Double> metrics(Map<String, List<ScoredDoc>> run, Map<String, Map<String, Integer>> qrels) {
    return Metrics.evaluate(ids(run), qrels);
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
