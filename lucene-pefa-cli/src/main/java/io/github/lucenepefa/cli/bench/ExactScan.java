package io.github.lucenepefa.cli.bench;

import java.util.Arrays;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.VectorUtil;

/**
 * The exact reference of {@code pefa bench} for the document vectors (and its {@code exact-scan-*}
 * methods): a plain top-n scan of in-heap vectors by dot product, ties to the smaller index.
 */
final class ExactScan {

  private ExactScan() {}

  /** Plain exact top-n scan of in-heap vectors: the "exact scan" reference. */
  static ScoreDoc[] scan(float[][] vectors, float[] q, int n) {
    // bounded min-heap on (score, -doc) in parallel arrays
    int size = 0;
    float[] hs = new float[n];
    int[] hd = new int[n];
    for (int i = 0; i < vectors.length; i++) {
      float s = VectorUtil.dotProduct(q, vectors[i]);
      if (size < n) {
        int pos = size++;
        while (pos > 0) {
          int parent = (pos - 1) >>> 1;
          if (worse(s, i, hs[parent], hd[parent])) {
            hs[pos] = hs[parent];
            hd[pos] = hd[parent];
            pos = parent;
          } else {
            break;
          }
        }
        hs[pos] = s;
        hd[pos] = i;
      } else if (worse(hs[0], hd[0], s, i)) {
        int pos = 0;
        while (true) {
          int l = 2 * pos + 1;
          if (l >= size) {
            break;
          }
          int r = l + 1;
          int c = r < size && worse(hs[r], hd[r], hs[l], hd[l]) ? r : l;
          if (worse(hs[c], hd[c], s, i)) {
            hs[pos] = hs[c];
            hd[pos] = hd[c];
            pos = c;
          } else {
            break;
          }
        }
        hs[pos] = s;
        hd[pos] = i;
      }
    }
    ScoreDoc[] out = new ScoreDoc[size];
    for (int j = 0; j < size; j++) {
      out[j] = new ScoreDoc(hd[j], hs[j]);
    }
    Arrays.sort(out, (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
    return out;
  }

  /** Whether (s1, d1) ranks below (s2, d2): lower score, or equal score and larger doc. */
  private static boolean worse(float s1, int d1, float s2, int d2) {
    return s1 < s2 || (s1 == s2 && d1 > d2);
  }
}
