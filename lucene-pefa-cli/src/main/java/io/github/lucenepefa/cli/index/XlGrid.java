package io.github.lucenepefa.cli.index;

import io.github.lucenepefa.cli.eval.ScoredDoc;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.PefaScoring;
import io.github.lucenepefa.search.Neighbour;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;

/**
 * A fast evaluator of many PEFA-XL settings for one query, for {@code pefa tune}: the expensive parts (the ERM top-K
 * and {@code N_kmax(q)}) are searched once through Lucene; each setting then only recombines them with {@link
 * PefaScoring} (the one implementation of the formulas), exactly as {@link io.github.lucenepefa.search.PefaQuery}
 * scores its candidates: ERM top-K plus every doc labelled by one of the first k neighbours, {@code lam * s_erm + (1
 * - lam) * s_knn}, ties broken by index order (= corpus order). Tune checks the chosen setting against PefaQuery.
 */
public final class XlGrid {

  private final float[] q;
  private final List<Neighbour> neighbours;
  private final LinkedHashMap<String, Float> ermTop = new LinkedHashMap<>();
  private final Map<String, Float> ermOther = new HashMap<>();
  private final Map<String, float[]> docVectors;
  private final Map<String, Integer> order;

  /**
   * @param ps the searcher
   * @param q query vector
   * @param neighbours {@code N_kmax(q)} in neighbour order
   * @param topK ERM candidates K
   * @param docVectors doc key → ERM vector (exactly the indexed floats)
   * @param order doc key → index order (corpus position)
   * @throws IOException on errors
   */
  public XlGrid(PefaSearch ps, float[] q, List<Neighbour> neighbours, int topK, Map<String, float[]> docVectors,
      Map<String, Integer> order) throws IOException {
    this.q = q;
    this.neighbours = neighbours;
    this.docVectors = docVectors;
    this.order = order;
    TopDocs top = ps.ermTop(q, topK);
    for (ScoreDoc sd : top.scoreDocs) {
      ermTop.put(ps.key(sd.doc), sd.score);
    }
  }

  /**
   * @param p the setting
   * @param n hits
   * @return the ranking PefaQuery would return
   */
  public List<ScoredDoc> rank(PefaSearch.XlParams p, int n) {
    List<Neighbour> nk = neighbours.subList(0, Math.min(p.k(), neighbours.size()));
    Map<String, Float> knn = PefaScoring.knnScores(nk, p.norm(), p.k());
    Set<String> cands = new LinkedHashSet<>(ermTop.keySet());
    for (String key : knn.keySet()) {
      if (docVectors.containsKey(key)) {
        cands.add(key);
      }
    }
    List<Object[]> scored = new ArrayList<>(cands.size());
    for (String key : cands) {
      Float erm = ermTop.get(key);
      if (erm == null) {
        erm = p.ermMode() == ErmScoreMode.TOP_K_ONLY ? 0f
            : ermOther.computeIfAbsent(key, kk -> PefaScoring.similarity(q, docVectors.get(kk)));
      }
      float s = PefaScoring.xlScore(p.lam(), erm, knn.getOrDefault(key, 0f));
      scored.add(new Object[] {key, s});
    }
    scored.sort((a, b) -> {
      int c = Float.compare((Float) b[1], (Float) a[1]);
      return c != 0 ? c : Integer.compare(order.get((String) a[0]), order.get((String) b[0]));
    });
    List<ScoredDoc> out = new ArrayList<>(Math.min(n, scored.size()));
    for (int i = 0; i < scored.size() && i < n; i++) {
      out.add(new ScoredDoc((String) scored.get(i)[0], (Float) scored.get(i)[1]));
    }
    return out;
  }
}
