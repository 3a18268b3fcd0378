package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.index.PefaSearch;
import io.github.lucenepefa.cli.index.TunedParams;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.KnnVote;
import io.github.lucenepefa.scoring.KnnWeighting;
import io.github.lucenepefa.search.PefaQuery;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The search parameters of PEFA-XS and PEFA-XL, spelled the same in every command (eval, search, bench). An option
 * not given takes the value {@code pefa tune} chose for the index when there is one ({@link TunedParams}), else the
 * built-in default.
 */
public final class SearchOptions {

  /** Built-in defaults. */
  public static final float DEFAULT_LAM = 0.5f;
  /** Built-in default k. */
  public static final int DEFAULT_K = 16;

  @Option(names = "--lam", paramLabel = "L", description = "lambda of both PEFA-XS and PEFA-XL, in [0,1].")
  Float lam;

  @Option(names = "--xs-lam", paramLabel = "L",
      description = "PEFA-XS lambda (default: --lam, else tuned, else 0.5).")
  Float xsLam;

  @Option(names = "--xl-lam", paramLabel = "L",
      description = "PEFA-XL lambda (default: --lam, else tuned, else 0.5).")
  Float xlLam;

  @Option(names = "--k", paramLabel = "K", description = "PEFA-XL neighbours k (default: tuned, else 16).")
  Integer k;

  @Option(names = "--top-k", paramLabel = "K", description = "PEFA-XL ERM candidates K (default: tuned, else the number of hits, as PefaQuery.defaultTopK).")
  Integer topK;

  @Option(names = "--knn-weight", paramLabel = "W",
      description = "PEFA-XL neighbour vote: similarity (the paper's: each votes with <q,x_i>) or softmax (exp((s_i - s_1)/T), summing to 1) (default: tuned, else similarity).")
  String knnWeight;

  @Option(names = "--knn-norm", paramLabel = "N",
      description = "sum (c = 1) or mean (c = 1/k): scales the similarity vote (default: tuned, else sum).")
  String knnNorm;

  @Option(names = "--temperature", paramLabel = "T",
      description = "Temperature T of the softmax vote, > 0 (default: tuned, else 0.05).")
  Float temperature;

  @Option(names = "--bm25-weight", paramLabel = "A",
      description = "Weight a of BM25 in the hybrid score a * bm25 / max bm25 + (1 - a) * PEFA score, in [0,1] (default: tuned per method, else "
          + Bm25Weights.DEFAULT + " in eval; search fuses only when given or tuned).")
  Float bm25Weight;

  @Option(names = "--erm-bm25-weight", paramLabel = "A", description = "a of ERM+BM25 (default: --bm25-weight, else tuned).")
  Float ermBm25Weight;

  @Option(names = "--xs-bm25-weight", paramLabel = "A", description = "a of PEFA-XS+BM25 (default: --bm25-weight, else tuned).")
  Float xsBm25Weight;

  @Option(names = "--xl-bm25-weight", paramLabel = "A", description = "a of PEFA-XL+BM25 (default: --bm25-weight, else tuned).")
  Float xlBm25Weight;

  @Option(names = "--bm25-xs-lam", paramLabel = "L",
      description = "PEFA-XS lambda of PEFA-XS+BM25 (default: --xs-lam/--lam if given, else tuned with a, else as PEFA-XS).")
  Float bm25XsLam;

  @Option(names = "--bm25-xl-lam", paramLabel = "L",
      description = "PEFA-XL lambda of PEFA-XL+BM25 (default: --xl-lam/--lam if given, else tuned with a, else as PEFA-XL).")
  Float bm25XlLam;

  @Option(names = "--bm25-k", paramLabel = "K",
      description = "PEFA-XL k of PEFA-XL+BM25 (default: --k if given, else tuned with a, else as PEFA-XL).")
  Integer bm25K;

  @Option(names = "--erm-score", paramLabel = "MODE",
      description = "exact or top-k: ERM score of XL candidates outside the ERM top-K (default: tuned, else exact).")
  String ermScore;

  @Option(names = "--oversample", paramLabel = "F",
      description = "Candidates a quantized graph walk collects and rescores with the float vectors, as a factor of"
          + " the results wanted, >= 1 (default: the index's quantization's: none 1, int8 1, int4 2, binary 3).")
  Float oversample;

  /**
   * @return the {@code --oversample} factor, or 0 when not given (each graph's quantization default)
   * @throws IllegalArgumentException naming the option when the value is below 1 or not finite
   */
  public float oversample() {
    if (oversample == null) {
      return 0f;
    }
    if (!(oversample >= 1f) || Float.isInfinite(oversample)) {
      throw new IllegalArgumentException("--oversample must be >= 1 and finite, got " + oversample);
    }
    return oversample;
  }

  /**
   * The resolved parameters.
   *
   * @param xsLam PEFA-XS lambda
   * @param xl PEFA-XL parameters
   * @param source where the values came from, per parameter ("option", "tuned" or "default")
   */
  public record Resolved(float xsLam, PefaSearch.XlParams xl, Map<String, String> source) {
    /** @return the PEFA-XL vote as the report names it, e.g. {@code similarity, sum} or {@code softmax, T=0.05} */
    public String voteLabel() {
      return voteLabel(xl.vote());
    }

    /**
     * @param v a vote
     * @return its label
     */
    public static String voteLabel(KnnVote v) {
      return v.weighting() == KnnWeighting.SOFTMAX
          ? "softmax, T=" + TuneCommand.fmtT(v.temperature())
          : "similarity, " + v.normalization().name().toLowerCase(Locale.ROOT);
    }

    /** @return a one-line description with the sources */
    public String describe() {
      return String.format(Locale.ROOT, "PEFA-XS lam=%s (%s); PEFA-XL lam=%s (%s), k=%d (%s), vote %s (%s), K=%d, erm-score %s",
          TuneCommand.fmt(xsLam), source.get("xs_lam"), TuneCommand.fmt(xl.lam()), source.get("xl_lam"), xl.k(),
          source.get("k"), voteLabel(), source.get("knn_weight"), xl.topK(),
          xl.ermMode() == ErmScoreMode.EXACT ? "exact" : "top-k");
    }
  }

  /**
   * Resolves every parameter: the option if given, else the tuned value, else the default.
   *
   * @param tuned what {@code pefa tune} chose for the index, or {@code null}
   * @param defaultXsLam the PEFA-XS lambda when neither option nor tuned value is there
   * @param hits the number of hits asked (K follows it when neither option nor tuned value is there)
   * @return the parameters
   * @throws IllegalArgumentException naming the option at fault
   */
  public Resolved resolve(TunedParams tuned, float defaultXsLam, int hits) {
    oversample();
    Map<String, String> src = new LinkedHashMap<>();
    float xs = pick(xsLam != null ? xsLam : lam, tuned == null ? null : tuned.xsLam(), defaultXsLam, "xs_lam", src);
    float xl = pick(xlLam != null ? xlLam : lam, tuned == null ? null : tuned.xlLam(), DEFAULT_LAM, "xl_lam", src);
    check(xs, xsLam != null ? "--xs-lam" : "--lam");
    check(xl, xlLam != null ? "--xl-lam" : "--lam");
    int kk = pick(k, tuned == null ? null : tuned.k(), DEFAULT_K, "k", src);
    int kTop = pick(topK, tuned == null ? null : tuned.topK(), PefaQuery.defaultTopK(hits), "top_k", src);
    if (kk < 1) {
      throw new IllegalArgumentException("--k must be >= 1, got " + kk);
    }
    if (kTop < 1) {
      throw new IllegalArgumentException("--top-k must be >= 1, got " + kTop);
    }
    KnnWeighting w = weighting(pick(knnWeight, tuned == null ? null : tuned.knnWeight(), "similarity", "knn_weight", src));
    KnnNormalization norm = norm(pick(knnNorm, tuned == null ? null : tuned.knnNorm(), "sum", "knn_norm", src));
    float t = pick(temperature, tuned == null ? null : tuned.temperature(), KnnVote.DEFAULT_TEMPERATURE, "temperature", src);
    if (!(t > 0) || Float.isInfinite(t)) {
      throw new IllegalArgumentException("--temperature must be finite and > 0, got " + t);
    }
    ErmScoreMode mode = ermMode(ermScore != null ? ermScore : tuned != null ? tuned.ermScore() : "exact");
    src.put("erm_score", ermScore != null ? "option" : tuned != null ? "tuned" : "default");
    KnnVote vote = new KnnVote(kk, w, norm, t);
    return new Resolved(xs, new PefaSearch.XlParams(xl, vote, kTop, mode), src);
  }

  /**
   * The BM25 weights of the hybrid methods: the option, else the tuned values, else none.
   *
   * @param tuned what {@code pefa tune} chose, or {@code null}
   * @return the weights
   * @throws IllegalArgumentException if {@code --bm25-weight} is outside [0,1]
   */
  public Bm25Weights bm25Weights(TunedParams tuned) {
    Bm25Weights w = Bm25Weights.resolve(bm25Weight, ermBm25Weight, xsBm25Weight, xlBm25Weight, tuned);
    if (bm25XsLam != null) {
      check(bm25XsLam, "--bm25-xs-lam");
    }
    if (bm25XlLam != null) {
      check(bm25XlLam, "--bm25-xl-lam");
    }
    if (bm25K != null && bm25K < 1) {
      throw new IllegalArgumentException("--bm25-k must be >= 1, got " + bm25K);
    }
    return w;
  }

  /**
   * @param r the resolved parameters
   * @param tuned tuned parameters or null
   * @return PEFA-XS lambda of PEFA-XS+BM25
   */
  public float bm25XsLam(Resolved r, TunedParams tuned) {
    return bm25XsLam != null ? bm25XsLam : Bm25Weights.xsLam(r, tuned);
  }

  /**
   * @param r the resolved parameters
   * @param tuned tuned parameters or null
   * @return PEFA-XL parameters of PEFA-XL+BM25
   */
  public PefaSearch.XlParams bm25Xl(Resolved r, TunedParams tuned) {
    PefaSearch.XlParams p = Bm25Weights.xl(r, tuned);
    KnnVote v = p.vote();
    return new PefaSearch.XlParams(bm25XlLam != null ? bm25XlLam : p.lam(),
        bm25K != null ? new KnnVote(bm25K, v.weighting(), v.normalization(), v.temperature()) : v, p.topK(), p.ermMode());
  }

  private static <T> T pick(T option, T tuned, T def, String name, Map<String, String> src) {
    src.put(name, option != null ? "option" : tuned != null ? "tuned" : "default");
    return option != null ? option : tuned != null ? tuned : def;
  }

  static void check(float l, String name) {
    if (!(l >= 0 && l <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0,1], got " + l);
    }
  }

  /**
   * @param s {@code sum} or {@code mean}
   * @return the normalisation
   */
  public static KnnNormalization norm(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "sum" -> KnnNormalization.SUM;
      case "mean" -> KnnNormalization.MEAN;
      default -> throw new IllegalArgumentException("--knn-norm must be sum or mean, got " + s);
    };
  }

  /**
   * @param s {@code similarity} or {@code softmax}
   * @return the weighting
   */
  public static KnnWeighting weighting(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "similarity" -> KnnWeighting.SIMILARITY;
      case "softmax" -> KnnWeighting.SOFTMAX;
      default -> throw new IllegalArgumentException("--knn-weight must be similarity or softmax, got " + s);
    };
  }

  /**
   * @param s {@code exact} or {@code top-k}
   * @return the mode
   */
  public static ErmScoreMode ermMode(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "exact" -> ErmScoreMode.EXACT;
      case "top-k" -> ErmScoreMode.TOP_K_ONLY;
      default -> throw new IllegalArgumentException("--erm-score must be exact or top-k, got " + s);
    };
  }

  /**
   * @param m a mode
   * @return its option spelling
   */
  public static String ermName(ErmScoreMode m) {
    return m == ErmScoreMode.EXACT ? "exact" : "top-k";
  }
}
