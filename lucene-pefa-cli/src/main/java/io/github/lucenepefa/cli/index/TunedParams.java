package io.github.lucenepefa.cli.index;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The search parameters {@code pefa tune} chose for an index, kept in the index folder ({@value #FILE}) so that
 * {@code pefa search} and {@code pefa eval} use them when no option overrides them. They hold for the memory they
 * were chosen with: {@link #memoryKey} is the index's {@link IndexInfo#memoryKey()} at tuning time, and a file whose
 * key no longer matches (the memory was changed by {@code pefa memory add/remove}) is not used.
 *
 * @param xsLam PEFA-XS lambda
 * @param xlLam PEFA-XL lambda
 * @param k PEFA-XL neighbours
 * @param knnWeight {@code similarity} or {@code softmax}
 * @param knnNorm {@code sum} or {@code mean}
 * @param temperature softmax temperature
 * @param topK ERM candidates K
 * @param ermScore {@code exact} or {@code top-k}
 * @param metric the dev metric that chose them
 * @param devQueries number of dev queries
 * @param devSource where the dev queries came from (e.g. {@code 20% of train, seed 42})
 * @param memoryKey the index memory they were chosen for
 * @param bm25Erm BM25 weight {@code a} of ERM+BM25, or null (not tuned)
 * @param bm25Xs BM25 weight {@code a} of PEFA-XS+BM25 (at {@code xsLam}), or null
 * @param bm25Xl BM25 weight {@code a} of PEFA-XL+BM25, or null
 * @param bm25XsLam PEFA-XS lambda of PEFA-XS+BM25 (chosen with its {@code a}), or null
 * @param bm25XlLam PEFA-XL lambda of PEFA-XL+BM25, or null
 * @param bm25K PEFA-XL k of PEFA-XL+BM25, or null
 * @param bm25KnnWeight neighbour vote of PEFA-XL+BM25, or null
 * @param bm25KnnNorm knn-norm of PEFA-XL+BM25, or null
 * @param bm25Temperature softmax temperature of PEFA-XL+BM25, or null
 */
public record TunedParams(
    float xsLam,
    float xlLam,
    int k,
    String knnWeight,
    String knnNorm,
    float temperature,
    int topK,
    String ermScore,
    String metric,
    int devQueries,
    String devSource,
    String memoryKey,
    Float bm25Erm,
    Float bm25Xs,
    Float bm25Xl,
    Float bm25XsLam,
    Float bm25XlLam,
    Integer bm25K,
    String bm25KnnWeight,
    String bm25KnnNorm,
    Float bm25Temperature) {

  /** Parameters without BM25 weights. */
  public TunedParams(float xsLam, float xlLam, int k, String knnWeight, String knnNorm, float temperature, int topK,
      String ermScore, String metric, int devQueries, String devSource, String memoryKey) {
    this(xsLam, xlLam, k, knnWeight, knnNorm, temperature, topK, ermScore, metric, devQueries, devSource, memoryKey,
        null, null, null, null, null, null, null, null, null);
  }

  /** The file in the index folder. */
  public static final String FILE = "pefa-tune.json";

  private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  /**
   * @param indexDir an index folder
   * @throws IOException on write errors
   */
  public void write(Path indexDir) throws IOException {
    Path tmp = indexDir.resolve(FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, indexDir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * The tuned parameters of an index, if {@code pefa tune} chose some for its current memory.
   *
   * @param indexDir the index folder
   * @param info its info
   * @param log where to say why a file is not used (may be null)
   * @return the parameters, or null
   * @throws IOException on read errors
   */
  public static TunedParams read(Path indexDir, IndexInfo info, java.io.PrintStream log) throws IOException {
    Path f = indexDir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    TunedParams t = JSON.readValue(f.toFile(), TunedParams.class);
    if (!info.memoryKey().equals(t.memoryKey())) {
      if (log != null) {
        log.println("tuned parameters in " + f + " were chosen for another memory of this index (before pefa memory"
            + " add/remove); not used: run pefa tune again");
      }
      return null;
    }
    return t;
  }
}
