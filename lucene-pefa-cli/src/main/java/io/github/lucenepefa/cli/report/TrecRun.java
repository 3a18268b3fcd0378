package io.github.lucenepefa.cli.report;

import io.github.lucenepefa.cli.eval.ScoredDoc;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TREC run files: one line per hit, {@code qid Q0 docid rank score tag}, separated by single spaces.
 *
 * <p>Writing is deterministic: queries in the map's iteration order (pass a {@link LinkedHashMap}, e.g. in qrels or
 * queries-file order), hits in list order (the ranking, ties already broken), rank from 1, {@code \n} line ends. A
 * score is written as the shortest plain decimal that reads back as the same float (or double, for a score that is
 * not a float), so two hits have the same written score exactly when they have the same score.
 *
 * <p>trec_eval ignores the rank column: it sorts each query's hits by score (decreasing) and breaks ties by doc id
 * (decreasing, byte order). {@link #evaluationOrder} is that order, and the tool computes its metrics on it, so that
 * {@code metrics.json} agrees with trec_eval on the written runs, tie order included.
 */
public final class TrecRun {

  private TrecRun() {}

  /**
   * Writes a run file (creating parent folders).
   *
   * @param file the output file
   * @param run qid → ranked hits
   * @param tag the run tag (no whitespace)
   * @param maxHits hits written per query (at most); use {@link Integer#MAX_VALUE} for all
   * @throws IOException on write failure
   * @throws IllegalArgumentException if an id or the tag is empty or contains whitespace, or a score is not finite
   */
  public static void write(Path file, Map<String, List<ScoredDoc>> run, String tag, int maxHits)
      throws IOException {
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      write(w, run, tag, maxHits);
    }
  }

  /**
   * Writes a run to a writer (not closed).
   *
   * @param out the writer
   * @param run qid → ranked hits
   * @param tag the run tag (no whitespace)
   * @param maxHits hits written per query (at most)
   * @throws IOException on write failure
   */
  public static void write(Writer out, Map<String, List<ScoredDoc>> run, String tag, int maxHits)
      throws IOException {
    checkToken("tag", tag);
    for (Map.Entry<String, List<ScoredDoc>> e : run.entrySet()) {
      String qid = e.getKey();
      checkToken("query id", qid);
      List<ScoredDoc> hits = e.getValue();
      for (int i = 0; i < Math.min(maxHits, hits.size()); i++) {
        ScoredDoc h = hits.get(i);
        checkToken("doc id", h.docId());
        if (!Double.isFinite(h.score())) {
          throw new IllegalArgumentException("score of " + h.docId() + " for query " + qid + " is " + h.score());
        }
        out.write(qid + " Q0 " + h.docId() + " " + (i + 1) + " " + formatScore(h.score()) + " " + tag + "\n");
      }
    }
  }

  /**
   * @param score a finite score
   * @return the shortest plain decimal that reads back as the same float (as the same double when the score is not
   *     a float value); {@code -0.0} is written as {@code 0}
   */
  public static String formatScore(double score) {
    double v = score == 0 ? 0.0 : score;
    float f = (float) v;
    String shortest = (double) f == v ? Float.toString(f) : Double.toString(v);
    String plain = new BigDecimal(shortest).toPlainString();
    if (plain.contains(".")) {
      plain = plain.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return plain;
  }

  /**
   * A run in the order trec_eval evaluates it: each query's hits sorted by score, decreasing, ties by doc id,
   * decreasing in byte (UTF-8) order, as trec_eval 9 sorts a run file's lines.
   *
   * @param run qid → hits
   * @return qid → hits in trec_eval's order (same queries, same order of queries)
   */
  public static Map<String, List<ScoredDoc>> evaluationOrder(Map<String, List<ScoredDoc>> run) {
    Map<String, List<ScoredDoc>> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<ScoredDoc>> e : run.entrySet()) {
      List<ScoredDoc> hits = new ArrayList<>(e.getValue());
      hits.sort((a, b) -> {
        double sa = Double.parseDouble(formatScore(a.score()));
        double sb = Double.parseDouble(formatScore(b.score()));
        if (sa != sb) {
          return sa > sb ? -1 : 1;
        }
        return Arrays.compareUnsigned(b.docId().getBytes(StandardCharsets.UTF_8), a.docId().getBytes(StandardCharsets.UTF_8));
      });
      out.put(e.getKey(), hits);
    }
    return out;
  }

  /**
   * Reads a run file: hits of each query sorted by rank (the file's rank column), queries in order of first
   * appearance.
   *
   * @param file the run file
   * @return qid → ranked hits
   * @throws IOException if the file cannot be read or a line is malformed (message names file and line)
   */
  public static Map<String, List<ScoredDoc>> read(Path file) throws IOException {
    Map<String, List<long[]>> ranks = new LinkedHashMap<>();
    Map<String, List<ScoredDoc>> hits = new LinkedHashMap<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.trim().split("\\s+");
        if (f.length != 6) {
          throw new IOException(file + ":" + lineNo + ": expected 6 fields (qid Q0 docid rank score tag), got " + f.length);
        }
        long rank;
        double score;
        try {
          rank = Long.parseLong(f[3]);
          score = Double.parseDouble(f[4]);
        } catch (NumberFormatException ex) {
          throw new IOException(file + ":" + lineNo + ": bad rank or score: " + ex.getMessage());
        }
        List<ScoredDoc> list = hits.computeIfAbsent(f[0], k -> new ArrayList<>());
        ranks.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new long[] {rank, list.size()});
        list.add(new ScoredDoc(f[2], score));
      }
    }
    Map<String, List<ScoredDoc>> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<ScoredDoc>> e : hits.entrySet()) {
      List<long[]> order = ranks.get(e.getKey());
      order.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
      List<ScoredDoc> sorted = new ArrayList<>(order.size());
      for (long[] o : order) {
        sorted.add(e.getValue().get((int) o[1]));
      }
      out.put(e.getKey(), sorted);
    }
    return out;
  }

  /**
   * Drops the scores of a run, keeping the ranked doc ids (the input of {@link io.github.lucenepefa.cli.eval.Metrics}).
   *
   * @param run qid → ranked hits
   * @return qid → ranked doc ids, same order
   */
  public static Map<String, List<String>> docIds(Map<String, List<ScoredDoc>> run) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    run.forEach((q, hs) -> out.put(q, hs.stream().map(ScoredDoc::docId).toList()));
    return out;
  }

  private static void checkToken(String what, String s) {
    if (s == null || s.isEmpty() || s.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(what + " \"" + s + "\" is empty or contains whitespace");
    }
  }
}
