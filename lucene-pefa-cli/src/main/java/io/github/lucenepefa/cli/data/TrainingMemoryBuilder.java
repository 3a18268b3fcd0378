package io.github.lucenepefa.cli.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the PEFA training memory at the text level (docs/pefa-semantics.md, "The training memory").
 *
 * <p>Rows come from two optional sources, added in call order:
 *
 * <ul>
 *   <li>{@link #addQueries}: real training queries from a qrels split. Every (query, doc) pair with a positive grade
 *       labels the query's text with that doc, weight 1 per pair (grades are not used as weights).
 *   <li>{@link #addDocChunks}: doc-as-query chunks. Each doc's {@code text} (without title) is split on whitespace
 *       (Python {@code str.split()} semantics), cut into consecutive non-overlapping spans of {@code chunkWords}
 *       words joined by single spaces, the first {@code chunks} spans kept (the last may be shorter); each labels
 *       its own doc.
 * </ul>
 *
 * <p>Rows with identical text are merged into the row of the first occurrence: labels are unioned, and a repeated
 * (text, doc) pair adds 1 to that label's weight. Text identity is exact string equality (after the chunk joining
 * above; query texts are taken as they are). Row order is first-occurrence order. On BEIR SciFact: the 809 train
 * queries give 807 rows; the 18,897 chunks (64 words, 10 per doc) give 18,893 rows; both together give 19,700 rows.
 *
 * <p>Not thread-safe.
 */
public final class TrainingMemoryBuilder {

  /** The paper's chunk length in words. */
  public static final int DEFAULT_CHUNK_WORDS = 64;

  /** The paper's number of chunks kept per document. */
  public static final int DEFAULT_CHUNKS = 10;

  private static final class Row {
    final String rowId;
    final String text;
    final LinkedHashMap<String, Float> labels = new LinkedHashMap<>();

    Row(String rowId, String text) {
      this.rowId = rowId;
      this.text = text;
    }
  }

  private final List<Row> rows = new ArrayList<>();
  private final Map<String, Row> byText = new HashMap<>();
  private long inputs;

  /** Creates an empty builder. */
  public TrainingMemoryBuilder() {}

  /**
   * Adds the training queries of one qrels split, in qrels order of first appearance.
   *
   * @param dataset the dataset
   * @param split the split, e.g. {@code "train"}
   * @return the number of input queries added (before merging); queries without a positive-grade doc are skipped
   * @throws IllegalArgumentException if the split was not loaded
   */
  public int addQueries(BeirDataset dataset, String split) {
    int n = 0;
    for (Map.Entry<String, Map<String, Integer>> e : dataset.qrels(split).entrySet()) {
      BeirDataset.Query q = dataset.query(e.getKey());
      List<String> relevant = new ArrayList<>();
      e.getValue().forEach((doc, grade) -> {
        if (grade > 0) {
          relevant.add(doc);
        }
      });
      if (addQuery(q.id(), q.text(), relevant)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Adds one training query text labelled with the given docs (weight 1 each).
   *
   * @param queryId the query id (the row id becomes {@code "q:" + queryId} if this text is new)
   * @param text the query text
   * @param relevantDocIds the docs it is labelled with, in order; duplicates add weight
   * @return {@code false} (and nothing is added) if {@code relevantDocIds} is empty
   */
  public boolean addQuery(String queryId, String text, List<String> relevantDocIds) {
    if (relevantDocIds.isEmpty()) {
      return false;
    }
    inputs++;
    Row row = rowFor("q:" + queryId, text);
    for (String d : relevantDocIds) {
      row.labels.merge(d, 1f, Float::sum);
    }
    return true;
  }

  /**
   * Adds doc-as-query chunks for every document, in corpus order.
   *
   * @param docs the documents
   * @param chunkWords words per chunk (the paper: 64)
   * @param chunks chunks kept per document (the paper: 10)
   * @return the number of chunks added (before merging)
   */
  public int addDocChunks(List<BeirDataset.Doc> docs, int chunkWords, int chunks) {
    int n = 0;
    for (BeirDataset.Doc d : docs) {
      List<String> cs = chunk(d.text(), chunkWords, chunks);
      for (int i = 0; i < cs.size(); i++) {
        inputs++;
        rowFor("c:" + d.id() + ":" + i, cs.get(i)).labels.merge(d.id(), 1f, Float::sum);
      }
      n += cs.size();
    }
    return n;
  }

  /**
   * Adds one doc-as-query row that has a vector but no text (precomputed chunk embeddings): row id {@code
   * "c:<docId>:<index>"}, labelled with its document, never merged with another row.
   *
   * @param docId the document it labels
   * @param index the row's 0-based index among that document's chunk rows
   * @return the row id
   */
  public String addChunkRow(String docId, int index) {
    String rowId = "c:" + docId + ":" + index;
    inputs++;
    // a text no query or chunk has (NUL is not in BEIR texts), so the row stays its own
    rowFor(rowId, "\u0000" + rowId).labels.merge(docId, 1f, Float::sum);
    return rowId;
  }

  private Row rowFor(String rowId, String text) {
    Row row = byText.get(text);
    if (row == null) {
      row = new Row(rowId, text);
      byText.put(text, row);
      rows.add(row);
    }
    return row;
  }

  /** @return the number of inputs (queries and chunks) added so far, before merging */
  public long inputCount() {
    return inputs;
  }

  /** @return the number of distinct rows so far */
  public int rowCount() {
    return rows.size();
  }

  /**
   * Returns the rows built so far, in first-occurrence order; the builder stays usable.
   *
   * @return an unmodifiable snapshot
   */
  public List<MemoryRow> build() {
    List<MemoryRow> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(new MemoryRow(r.rowId, r.text, Collections.unmodifiableMap(new LinkedHashMap<>(r.labels))));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Splits a text into whitespace-separated words and returns the first {@code maxChunks} non-overlapping spans of
   * {@code chunkWords} words, each joined by single spaces. Equivalent to the Python
   * {@code [" ".join(w[i:i+n]) for i in range(0, len(w), n)][:m]} with {@code w = text.split()}.
   *
   * @param text the text
   * @param chunkWords words per chunk, at least 1
   * @param maxChunks maximum number of chunks, at least 0
   * @return the chunks (empty for a text without words)
   */
  public static List<String> chunk(String text, int chunkWords, int maxChunks) {
    if (chunkWords < 1 || maxChunks < 0) {
      throw new IllegalArgumentException("chunkWords must be >= 1 and maxChunks >= 0");
    }
    List<String> words = splitWords(text);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < words.size() && out.size() < maxChunks; i += chunkWords) {
      out.add(String.join(" ", words.subList(i, Math.min(words.size(), i + chunkWords))));
    }
    return out;
  }

  /**
   * Splits on runs of whitespace as Python's {@code str.split()} does (its whitespace set includes the no-break
   * spaces U+00A0, U+2007, U+202F and U+0085, which {@link Character#isWhitespace} excludes).
   *
   * @param text the text
   * @return the words, without empty strings
   */
  public static List<String> splitWords(String text) {
    List<String> words = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      boolean ws = isPythonWhitespace(cp);
      if (ws && start >= 0) {
        words.add(text.substring(start, i));
        start = -1;
      } else if (!ws && start < 0) {
        start = i;
      }
      i += Character.charCount(cp);
    }
    if (start >= 0) {
      words.add(text.substring(start));
    }
    return words;
  }

  private static boolean isPythonWhitespace(int cp) {
    return Character.isWhitespace(cp) || cp == 0x00A0 || cp == 0x2007 || cp == 0x202F || cp == 0x0085;
  }
}
