package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.index.TunedParams;

/**
 * The BM25 weight {@code a} of each hybrid method ({@code h = a * bm25 / max + (1 - a) * s_m}): from {@code
 * --bm25-weight} (all three), else from {@code pefa tune} (per method), else unset.
 *
 * @param erm {@code a} of ERM+BM25, or null when unset
 * @param xs {@code a} of PEFA-XS+BM25, or null
 * @param xl {@code a} of PEFA-XL+BM25, or null
 * @param source {@code option}, {@code tuned} or {@code default}
 */
public record Bm25Weights(Float erm, Float xs, Float xl, String source) {

  /** The weight eval uses when neither the option nor a tuned value gives one. */
  public static final float DEFAULT = 0.1f;

  /**
   * @param option {@code --bm25-weight}, or null
   * @param tuned tuned parameters, or null
   * @return the weights
   * @throws IllegalArgumentException if the option is outside [0,1]
   */
  static Bm25Weights resolve(Float option, Float erm, Float xs, Float xl, TunedParams tuned) {
    check("--bm25-weight", option);
    check("--erm-bm25-weight", erm);
    check("--xs-bm25-weight", xs);
    check("--xl-bm25-weight", xl);
    if (option != null || erm != null || xs != null || xl != null) {
      Float te = tuned == null ? null : tuned.bm25Erm();
      Float ts = tuned == null ? null : tuned.bm25Xs();
      Float tl = tuned == null ? null : tuned.bm25Xl();
      return new Bm25Weights(pick(erm, option, te), pick(xs, option, ts), pick(xl, option, tl), "option");
    }
    if (tuned != null && tuned.bm25Xl() != null) {
      return new Bm25Weights(tuned.bm25Erm(), tuned.bm25Xs(), tuned.bm25Xl(), "tuned");
    }
    return new Bm25Weights(null, null, null, "default");
  }

  private static Float pick(Float method, Float all, Float tuned) {
    return method != null ? method : all != null ? all : tuned != null ? tuned : DEFAULT;
  }

  private static void check(String name, Float a) {
    if (a != null && !(a >= 0f && a <= 1f)) {
      throw new IllegalArgumentException(name + " must be in [0,1], got " + a);
    }
  }

  /** @return whether the option gave the weights */
  public boolean given() {
    return source.equals("option");
  }

  /** @return whether the option or tuning gave the weights */
  public boolean set() {
    return xl != null;
  }

  /**
   * @param w a weight or null
   * @return it, or {@link #DEFAULT}
   */
  public static float orDefault(Float w) {
    return w != null ? w : DEFAULT;
  }

  /**
   * The PEFA-XS lambda of PEFA-XS+BM25: the tuned hybrid one when the lambda itself was not given as an option.
   *
   * @param r the resolved parameters
   * @param tuned tuned parameters or null
   * @return lambda
   */
  public static float xsLam(SearchOptions.Resolved r, TunedParams tuned) {
    return tuned != null && tuned.bm25XsLam() != null && "tuned".equals(r.source().get("xs_lam"))
        ? tuned.bm25XsLam() : r.xsLam();
  }

  /**
   * The PEFA-XL parameters of PEFA-XL+BM25: each tuned hybrid value where the parameter came from tuning.
   *
   * @param r the resolved parameters
   * @param tuned tuned parameters or null
   * @return the parameters
   */
  public static io.github.lucenepefa.cli.index.PefaSearch.XlParams xl(SearchOptions.Resolved r, TunedParams tuned) {
    var xl = r.xl();
    if (tuned == null || tuned.bm25XlLam() == null) {
      return xl;
    }
    java.util.Map<String, String> src = r.source();
    float lam = "tuned".equals(src.get("xl_lam")) ? tuned.bm25XlLam() : xl.lam();
    int k = "tuned".equals(src.get("k")) ? tuned.bm25K() : xl.k();
    String weight = "tuned".equals(src.get("knn_weight")) ? tuned.bm25KnnWeight()
        : xl.vote().weighting().name().toLowerCase(java.util.Locale.ROOT);
    String norm = "tuned".equals(src.get("knn_norm")) ? tuned.bm25KnnNorm()
        : xl.vote().normalization().name().toLowerCase(java.util.Locale.ROOT);
    float t = "tuned".equals(src.get("temperature")) ? tuned.bm25Temperature() : xl.vote().temperature();
    io.github.lucenepefa.scoring.KnnVote vote = new io.github.lucenepefa.scoring.KnnVote(k,
        SearchOptions.weighting(weight), SearchOptions.norm(norm), t);
    return new io.github.lucenepefa.cli.index.PefaSearch.XlParams(lam, vote, xl.topK(), xl.ermMode());
  }

  /**
   * The one-line error for a hybrid search on an index without the text field.
   *
   * @param index the index folder
   * @return the message
   */
  public static String noTextField(Object index) {
    return "--bm25-weight: the index " + index + " has no BM25 text field; rebuild it with pefa index";
  }
}
