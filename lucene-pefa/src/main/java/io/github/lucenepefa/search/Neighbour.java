package io.github.lucenepefa.search;

import io.github.lucenepefa.index.TrainingLabels;
import io.github.lucenepefa.scoring.PefaScoring;
import java.util.Map;

/**
 * One training-memory row in {@code N_k(q)}: its id, its exact similarity {@code <q,x_i>} and its
 * labels {@code Y[i,.]} (document key to weight).
 *
 * @param rowId the row id
 * @param similarity {@code <q,x_i>}
 * @param labels document key to weight
 */
public record Neighbour(String rowId, float similarity, Map<String, Float> labels)
    implements PefaScoring.LabelledRow {

  /**
   * Keeps the labels as an unmodifiable map ({@link TrainingLabels#readOnly}: decoded labels as
   * they are, any other map copied).
   *
   * @param rowId the row id
   * @param similarity {@code <q,x_i>}
   * @param labels document key to weight
   */
  public Neighbour {
    labels = TrainingLabels.readOnly(labels);
  }
}
