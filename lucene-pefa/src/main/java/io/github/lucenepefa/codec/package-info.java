/**
 * Lucene codec components for PEFA: {@link io.github.lucenepefa.codec.Pefa01VectorsFormat} (HNSW
 * with per-field graph parameters) and {@link io.github.lucenepefa.codec.Pefa01Codec}, the default
 * codec with that format for all vector fields.
 */
package io.github.lucenepefa.codec;
