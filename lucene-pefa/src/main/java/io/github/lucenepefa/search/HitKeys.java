package io.github.lucenepefa.search;

import org.apache.lucene.util.NumericUtils;

/**
 * Hits packed into one {@code long} each: sorting the keys ascending orders the hits by score
 * descending, then doc ascending, with primitive sorts only.
 */
final class HitKeys {

  private HitKeys() {}

  /**
   * A sort key whose ascending order is score descending, then doc ascending ({@code -0f} counts
   * as {@code 0f}, as in a {@code ==} comparison).
   */
  static long key(float score, int doc) {
    int sortable = NumericUtils.floatToSortableInt(score + 0f);
    return ((long) ~sortable << 32) | (doc & 0xFFFFFFFFL);
  }

  /** The score of a {@link #key}. */
  static float scoreOf(long key) {
    return NumericUtils.sortableIntToFloat(~(int) (key >> 32));
  }

  /** The doc of a {@link #key}. */
  static int docOf(long key) {
    return (int) key;
  }

  /**
   * The first {@code k} of {@code count} sorted keys, and the ones after them tied with the
   * {@code k}-th score (as {@link ExactVectorScan#search} returns them).
   */
  static int withTies(long[] sortedKeys, int count, int k) {
    if (count <= k) {
      return count;
    }
    float kth = scoreOf(sortedKeys[k - 1]);
    int end = k;
    while (end < count && scoreOf(sortedKeys[end]) == kth) {
      end++;
    }
    return end;
  }
}
