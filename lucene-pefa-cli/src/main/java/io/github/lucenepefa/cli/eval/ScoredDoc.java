package io.github.lucenepefa.cli.eval;

/**
 * One retrieved document and its score.
 *
 * @param docId the document id
 * @param score the score (larger is better)
 */
public record ScoredDoc(String docId, double score) {}
