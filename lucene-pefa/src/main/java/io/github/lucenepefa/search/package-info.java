/**
 * Searching a PEFA index: {@link io.github.lucenepefa.search.PefaQuery} (PEFA-XL and PEFA-XS as a
 * Lucene query), {@link io.github.lucenepefa.search.TrainingQueryMemory} (the nearest training
 * queries), {@link io.github.lucenepefa.search.PefaRescoringCollectorManager} (the convex
 * combination) and {@link io.github.lucenepefa.search.AnnEffort} (graph or exact search).
 */
package io.github.lucenepefa.search;
