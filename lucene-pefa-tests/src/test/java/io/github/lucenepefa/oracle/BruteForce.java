package io.github.lucenepefa.oracle;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * PEFA computed by brute force, in double precision, straight from the formulas of
 * docs/pefa-semantics.md. It calls nothing of the library it checks (no {@code PefaScoring}, no
 * scorer): a formula bug in the library fails the tests that compare with it.
 *
 * <ul>
 *   <li>{@code N_k(q)}: the k rows with the largest {@code <q,x_i>} (ties: row id ascending);
 *   <li>PEFA-XL: candidates are the ERM top-K (by {@code <q,p_d>}, ties by doc id) and every
 *       document a neighbour labels; {@code score = lam * s_erm + (1 - lam) * c * sum_{i in N_k}
 *       v_i * Y[i,d]}, with {@code v_i = <q,x_i>} (c = 1 or 1/k) or the softmax vote {@code v_i =
 *       exp((s_i - s_1)/T) / sum_j exp((s_j - s_1)/T)} (c = 1); {@code s_erm = <q,p_d>}, or 0
 *       outside the top-K in TOP_K_ONLY mode;
 *   <li>PEFA-XS: {@code <q, lam * p_d + (1 - lam) * normalize(sum_i Y[i,d] x_i)>}, the second term
 *       zero for a document no row labels.
 * </ul>
 *
 * Documents without an ERM vector, or rejected by the filter, are never results.
 */
public final class BruteForce {

  /** Parameters of a PEFA-XL query. */
  public record Xl(
      double lambda,
      int k,
      int topK,
      boolean mean,
      boolean softmax,
      double temperature,
      boolean topKOnly) {}

  /** A result: doc id and raw score. */
  public record Hit(int doc, double score) {}

  /**
   * A ranking with everything needed to compare it with a search's: the top {@code n}, the score
   * of every candidate, and whether a boundary decision (which rows are the k nearest, which docs
   * are the ERM top-K) was too close to call in double against float.
   */
  public record Ranking(List<Hit> top, Map<Integer, Double> candidates, boolean ambiguous) {}

  /** Relative width of a near-tie: float and double may order two values this close differently. */
  public static final double NEAR_TIE = 1e-5;

  private final Content content;

  public BruteForce(Content content) {
    this.content = content;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  static boolean near(double a, double b) {
    return Math.abs(a - b) <= NEAR_TIE * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
  }

  /** A row with its similarity. */
  public record Neighbour(Content.Row row, double sim) {}

  /** All rows by similarity descending, then row id ascending. */
  public List<Neighbour> rankedRows(float[] q) {
    List<Neighbour> all = new ArrayList<>();
    for (Content.Row r : content.rows()) {
      all.add(new Neighbour(r, dot(q, r.x())));
    }
    all.sort(
        Comparator.comparingDouble((Neighbour nb) -> -nb.sim())
            .thenComparing(nb -> nb.row().rowId()));
    return all;
  }

  public Ranking xl(float[] q, Xl p, Predicate<Content.Doc> filter, int n) {
    return xl(q, p, filter, n, false, Double.NEGATIVE_INFINITY);
  }

  /**
   * PEFA-XL with the ERM top-K's boundary given from outside (the K-th best ERM score of a sharded
   * index): a document is in the ERM top-K iff it is among the K best of this index and {@code
   * <q,p_d> >= ermThreshold}; the other documents are candidates only through their labels.
   */
  public Ranking xl(float[] q, Xl p, Predicate<Content.Doc> filter, int n, double ermThreshold) {
    return xl(q, p, filter, n, false, ermThreshold);
  }

  /**
   * The PEFA-XL formula applied to every accepted document with a vector, not only the candidates
   * (the {@code s_m} of a hybrid query with exhaustive effort): {@code lam * s_erm + (1 - lam) *
   * s_knn}, {@code s_knn = 0} for a document no neighbour labels.
   */
  public Ranking xlEveryDoc(float[] q, Xl p, Predicate<Content.Doc> filter) {
    return xl(q, p, filter, Integer.MAX_VALUE, true, Double.NEGATIVE_INFINITY);
  }

  private Ranking xl(
      float[] q, Xl p, Predicate<Content.Doc> filter, int n, boolean everyDoc, double ermThreshold) {
    List<Neighbour> ranked = rankedRows(q);
    List<Neighbour> nk = ranked.subList(0, Math.min(p.k(), ranked.size()));
    boolean ambiguous = ranked.size() > p.k() && near(ranked.get(p.k() - 1).sim(), ranked.get(p.k()).sim());
    // votes
    double[] v = new double[nk.size()];
    if (p.softmax()) {
      double z = 0;
      for (int i = 0; i < v.length; i++) {
        v[i] = Math.exp((nk.get(i).sim() - nk.get(0).sim()) / p.temperature());
        z += v[i];
      }
      for (int i = 0; i < v.length; i++) {
        v[i] /= z;
      }
    } else {
      for (int i = 0; i < v.length; i++) {
        v[i] = nk.get(i).sim();
      }
    }
    double c = p.softmax() || p.mean() == false ? 1 : 1.0 / p.k();
    Map<String, Double> knn = new HashMap<>();
    for (int i = 0; i < v.length; i++) {
      for (Map.Entry<String, Float> e : nk.get(i).row().labels().entrySet()) {
        knn.merge(e.getKey(), c * v[i] * e.getValue(), Double::sum);
      }
    }
    // ERM top-K among accepted documents with a vector
    List<Hit> erm = new ArrayList<>();
    Map<Integer, Content.Doc> byDoc = new HashMap<>();
    for (Content.Doc d : content.docs()) {
      if (d.p() != null && filter.test(d)) {
        erm.add(new Hit(d.globalDoc(), dot(q, d.p())));
        byDoc.put(d.globalDoc(), d);
      }
    }
    erm.sort(ORDER);
    if (erm.size() > p.topK() && near(erm.get(p.topK() - 1).score(), erm.get(p.topK()).score())) {
      ambiguous = true;
    }
    Set<Integer> topK = new HashSet<>();
    for (int i = 0; i < Math.min(p.topK(), erm.size()); i++) {
      if (Double.isFinite(ermThreshold) && near(erm.get(i).score(), ermThreshold)) {
        ambiguous = true;
      }
      if (erm.get(i).score() >= ermThreshold) {
        topK.add(erm.get(i).doc());
      }
    }
    Map<Integer, Double> candidates = new HashMap<>();
    for (Hit h : erm) {
      String key = byDoc.get(h.doc()).key();
      boolean inTopK = topK.contains(h.doc());
      if (inTopK || knn.containsKey(key) || everyDoc) {
        double ermPart = p.topKOnly() && inTopK == false ? 0 : h.score();
        candidates.put(h.doc(), p.lambda() * ermPart + (1 - p.lambda()) * knn.getOrDefault(key, 0.0));
      }
    }
    return ranking(candidates, n, ambiguous);
  }

  /** The label centroid {@code normalize(sum_i Y[i,d] x_i)} of a key, or null when zero. */
  public double[] centroid(String key, int dim) {
    double[] u = new double[dim];
    boolean any = false;
    for (Content.Row r : content.rows()) {
      Float w = r.labels().get(key);
      if (w != null) {
        any = true;
        for (int j = 0; j < dim; j++) {
          u[j] += w * r.x()[j];
        }
      }
    }
    double norm = 0;
    for (double x : u) {
      norm += x * x;
    }
    if (any == false || norm == 0) {
      return null;
    }
    norm = Math.sqrt(norm);
    for (int j = 0; j < dim; j++) {
      u[j] /= norm;
    }
    return u;
  }

  public Ranking xs(float[] q, double lambda, Predicate<Content.Doc> filter, int n) {
    Map<Integer, Double> candidates = new HashMap<>();
    for (Content.Doc d : content.docs()) {
      if (d.p() == null || filter.test(d) == false) {
        continue;
      }
      double[] u = centroid(d.key(), q.length);
      double s = 0;
      for (int j = 0; j < q.length; j++) {
        double e = lambda * d.p()[j] + (1 - lambda) * (u == null ? 0 : u[j]);
        s += q[j] * e;
      }
      candidates.put(d.globalDoc(), s);
    }
    // documents with the same label centroid tie exactly at lambda 0 (and come close at others): the
    // query's float scores may order a near-tie at the n-th place otherwise than these doubles
    List<Double> scores = new ArrayList<>(candidates.values());
    scores.sort(Comparator.reverseOrder());
    boolean ambiguous = scores.size() > n && n > 0 && near(scores.get(n - 1), scores.get(n));
    return ranking(candidates, n, ambiguous);
  }

  static final Comparator<Hit> ORDER =
      Comparator.comparingDouble((Hit h) -> -h.score()).thenComparingInt(Hit::doc);

  /** The top {@code n} of scored candidates, score descending then doc id ascending. */
  public static Ranking rank(Map<Integer, Double> candidates, int n, boolean ambiguous) {
    return ranking(candidates, n, ambiguous);
  }

  private static Ranking ranking(Map<Integer, Double> candidates, int n, boolean ambiguous) {
    List<Hit> all = new ArrayList<>();
    candidates.forEach((doc, s) -> all.add(new Hit(doc, s)));
    all.sort(ORDER);
    return new Ranking(List.copyOf(all.subList(0, Math.min(n, all.size()))), candidates, ambiguous);
  }
}
