/**
 * Writing a PEFA index: {@link io.github.lucenepefa.index.PefaSchema} (field layout, dimension,
 * HNSW parameters, PEFA-XS lambda), {@link io.github.lucenepefa.index.PefaIndexWriter} (documents
 * and the training-query memory), {@link io.github.lucenepefa.index.TrainingLabels} (a memory row's
 * labels) and {@link io.github.lucenepefa.index.PefaVectors} (vector validation).
 */
package io.github.lucenepefa.index;
