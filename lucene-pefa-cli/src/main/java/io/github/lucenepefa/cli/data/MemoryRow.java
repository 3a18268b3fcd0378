package io.github.lucenepefa.cli.data;

import java.util.Map;

/**
 * One row of the PEFA training memory: a training "query" text and its labels {@code Y[i, d]}.
 *
 * @param rowId a stable id: {@code "q:<queryId>"} for a training query, {@code "c:<docId>:<chunkIndex>"} for a
 *     doc-as-query chunk (0-based chunk index); it names the first occurrence of the text
 * @param text the text to embed
 * @param labels doc id → weight {@code Y[i, d]} (1 per (text, doc) occurrence), in insertion order; unmodifiable
 */
public record MemoryRow(String rowId, String text, Map<String, Float> labels) {}
