package io.github.lucenepefa.search;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.apache.lucene.index.IndexReader;

/**
 * Values kept per (segment, field) for as long as the segment lives: keyed on one of Lucene's cache
 * keys (a segment's core key, or its reader key, which also changes with its deletes and doc-value
 * updates) and dropped by that key's closed listener, as Lucene's own per-segment caches are.
 *
 * @param <V> the cached value
 */
final class SegmentCache<V> {

  private final ConcurrentHashMap<IndexReader.CacheKey, ConcurrentHashMap<String, V>> byKey =
      new ConcurrentHashMap<>();

  /**
   * The value of a segment's field, created on first use.
   *
   * @param helper the segment's cache helper, or {@code null} (then nothing is cached)
   * @param field the field
   * @param maxDoc the segment's max doc, passed to {@code create}
   * @param create makes the value from the segment's max doc
   * @return the value, or {@code null} when {@code helper} is {@code null}
   */
  V get(IndexReader.CacheHelper helper, String field, int maxDoc, IntFunction<V> create) {
    if (helper == null) {
      return null;
    }
    IndexReader.CacheKey key = helper.getKey();
    ConcurrentHashMap<String, V> perField = byKey.get(key);
    if (perField == null) {
      ConcurrentHashMap<String, V> created = new ConcurrentHashMap<>();
      perField = byKey.putIfAbsent(key, created);
      if (perField == null) {
        perField = created;
        helper.addClosedListener(byKey::remove);
      }
    }
    V value = perField.get(field);
    return value != null ? value : perField.computeIfAbsent(field, f -> create.apply(maxDoc));
  }

  /**
   * The value of a segment's field, if created (for tests).
   *
   * @param helper the segment's cache helper, or {@code null}
   * @param field the field
   * @return the value, or {@code null} when there is none
   */
  V peek(IndexReader.CacheHelper helper, String field) {
    ConcurrentHashMap<String, V> perField = helper == null ? null : byKey.get(helper.getKey());
    return perField == null ? null : perField.get(field);
  }

  /**
   * @return the number of segments with cached values (for tests)
   */
  int size() {
    return byKey.size();
  }
}
