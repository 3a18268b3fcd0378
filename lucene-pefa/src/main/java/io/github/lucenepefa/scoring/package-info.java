/**
 * PEFA's formulas, implemented once in {@link io.github.lucenepefa.scoring.PefaScoring} and used by
 * the query, the index writer, the tools and the tests' brute-force oracle.
 */
package io.github.lucenepefa.scoring;
