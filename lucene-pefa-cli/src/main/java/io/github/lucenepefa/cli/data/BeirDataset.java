package io.github.lucenepefa.cli.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * A retrieval dataset in the BEIR folder layout, fully loaded and validated.
 *
 * <pre>
 * dir/corpus.jsonl[.gz]     {"_id": "...", "title": "...", "text": "..."}   one document per line
 * dir/queries.jsonl[.gz]    {"_id": "...", "text": "..."}                   one query per line
 * dir/qrels/&lt;split&gt;.tsv[.gz] query-id TAB corpus-id TAB score             with that header line
 * </pre>
 *
 * <p>Validation is strict: a line that is not one JSON object, a missing or empty {@code _id}, a missing {@code
 * text}, a duplicate id, a qrels row that is malformed or repeats a (query, doc) pair, a missing file, or an empty
 * corpus all raise a {@link DatasetException} whose message names the file (relative to {@code dir}) and the 1-based
 * line, e.g. {@code corpus.jsonl.gz:17: malformed JSON: ...}. A well-formed qrels row naming a query or document that
 * is not in the queries or corpus file is skipped, as official BEIR downloads have such rows (ArguAna, NFCorpus):
 * {@link #warnings()} has one line per qrels file that had any, with their count and the first one. Files must be
 * UTF-8; a leading byte-order mark is ignored, as are blank lines. A numeric JSON {@code _id} is taken as its text.
 * When both {@code X} and {@code X.gz} exist, the uncompressed {@code X} is read.
 *
 * <p>Documents keep their file order: {@link Doc#position()} is the 0-based line order among documents and is the
 * deterministic tie-break for equal scores everywhere in the tool. Queries keep file order as well; qrels keep the
 * order of first appearance (queries) and row order (documents), like BEIR's Python loader.
 */
public final class BeirDataset {

  /**
   * One corpus document.
   *
   * @param id the {@code _id}
   * @param title the {@code title} ({@code ""} when absent or null)
   * @param text the {@code text}
   * @param position 0-based position in corpus file order; the tie-break order for equal scores
   */
  public record Doc(String id, String title, String text, int position) {
    /**
     * The text to embed for the document's own vector (ERM): {@code (title + " " + text).strip()}, as BEIR's
     * sentence-transformers wrapper builds it.
     *
     * @return title and text joined by one space, stripped
     */
    public String titleAndText() {
      return (title + " " + text).strip();
    }
  }

  /**
   * One query.
   *
   * @param id the {@code _id}
   * @param text the {@code text}
   * @param position 0-based position in queries file order
   */
  public record Query(String id, String text, int position) {}

  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  private final Path dir;
  private final List<Doc> docs;
  private final Map<String, Doc> docsById;
  private final List<Query> queries;
  private final Map<String, Query> queriesById;
  private final Map<String, Map<String, Map<String, Integer>>> qrelsBySplit;
  private final List<String> warnings;

  private BeirDataset(
      Path dir,
      List<Doc> docs,
      Map<String, Doc> docsById,
      List<Query> queries,
      Map<String, Query> queriesById,
      Map<String, Map<String, Map<String, Integer>>> qrelsBySplit,
      List<String> warnings) {
    this.dir = dir;
    this.warnings = warnings;
    this.docs = docs;
    this.docsById = docsById;
    this.queries = queries;
    this.queriesById = queriesById;
    this.qrelsBySplit = qrelsBySplit;
  }

  /**
   * Loads corpus, queries and every qrels split found in {@code dir/qrels} (a missing {@code qrels} folder means no
   * splits).
   *
   * @param dir the dataset folder
   * @return the loaded dataset
   * @throws DatasetException if a file is missing or malformed
   * @throws IOException if reading fails for another reason
   */
  public static BeirDataset load(Path dir) throws IOException {
    return load(dir, List.of());
  }

  /**
   * Loads corpus, queries and every qrels split found, failing if one of {@code requiredSplits} is absent.
   *
   * @param dir the dataset folder
   * @param requiredSplits split names (e.g. {@code "train"}, {@code "test"}) whose qrels file must exist
   * @return the loaded dataset
   * @throws DatasetException if a file is missing or malformed
   * @throws IOException if reading fails for another reason
   */
  public static BeirDataset load(Path dir, Collection<String> requiredSplits) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new DatasetException(dir.toString(), 0, "dataset folder does not exist");
    }
    Path corpusFile = resolve(dir, "corpus.jsonl");
    Path queriesFile = resolve(dir, "queries.jsonl");

    List<Doc> docs = new ArrayList<>();
    Map<String, Doc> docsById = new HashMap<>();
    Map<String, Long> docLines = new HashMap<>();
    String corpusName = displayName(dir, corpusFile);
    forEachLine(
        corpusFile,
        corpusName,
        (lineNo, line) -> {
          JsonNode node = parseObject(corpusName, lineNo, line);
          String id = requireId(corpusName, lineNo, node);
          String text = requireString(corpusName, lineNo, node, "text");
          String title = optionalString(corpusName, lineNo, node, "title");
          Long first = docLines.putIfAbsent(id, lineNo);
          if (first != null) {
            throw new DatasetException(
                corpusName, lineNo, "duplicate document _id \"" + id + "\" (first at line " + first + ")");
          }
          Doc doc = new Doc(id, title, text, docs.size());
          docs.add(doc);
          docsById.put(id, doc);
        });
    if (docs.isEmpty()) {
      throw new DatasetException(corpusName, 0, "empty corpus: no documents");
    }

    List<Query> queries = new ArrayList<>();
    Map<String, Query> queriesById = new HashMap<>();
    Map<String, Long> queryLines = new HashMap<>();
    String queriesName = displayName(dir, queriesFile);
    forEachLine(
        queriesFile,
        queriesName,
        (lineNo, line) -> {
          JsonNode node = parseObject(queriesName, lineNo, line);
          String id = requireId(queriesName, lineNo, node);
          String text = requireString(queriesName, lineNo, node, "text");
          Long first = queryLines.putIfAbsent(id, lineNo);
          if (first != null) {
            throw new DatasetException(
                queriesName, lineNo, "duplicate query _id \"" + id + "\" (first at line " + first + ")");
          }
          Query q = new Query(id, text, queries.size());
          queries.add(q);
          queriesById.put(id, q);
        });
    if (queries.isEmpty()) {
      throw new DatasetException(queriesName, 0, "no queries");
    }

    Map<String, Path> splitFiles = new TreeMap<>();
    Path qrelsDir = dir.resolve("qrels");
    if (Files.isDirectory(qrelsDir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(qrelsDir)) {
        for (Path p : ds) {
          String name = p.getFileName().toString();
          String split =
              name.endsWith(".tsv") ? name.substring(0, name.length() - 4)
                  : name.endsWith(".tsv.gz") ? name.substring(0, name.length() - 7) : null;
          if (split != null && !split.isEmpty() && Files.isRegularFile(p)) {
            // prefer the uncompressed file when both exist
            if (name.endsWith(".tsv") || !splitFiles.containsKey(split)) {
              splitFiles.put(split, p);
            }
          }
        }
      }
    }
    for (String split : requiredSplits) {
      if (!splitFiles.containsKey(split)) {
        throw new DatasetException(
            "qrels/" + split + ".tsv", 0, "missing file (no qrels/" + split + ".tsv[.gz] in " + dir + ")");
      }
    }
    Map<String, Map<String, Map<String, Integer>>> qrelsBySplit = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    for (Map.Entry<String, Path> e : splitFiles.entrySet()) {
      qrelsBySplit.put(
          e.getKey(), readQrels(e.getValue(), displayName(dir, e.getValue()), docsById, queriesById, warnings));
    }
    return new BeirDataset(
        dir,
        Collections.unmodifiableList(docs),
        Collections.unmodifiableMap(docsById),
        Collections.unmodifiableList(queries),
        Collections.unmodifiableMap(queriesById),
        Collections.unmodifiableMap(qrelsBySplit),
        List.copyOf(warnings));
  }

  private static Map<String, Map<String, Integer>> readQrels(
      Path file, String name, Map<String, Doc> docs, Map<String, Query> queries, List<String> warnings)
      throws IOException {
    Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
    Map<String, Long> pairLines = new HashMap<>();
    boolean[] sawHeader = {false};
    long[] skipped = {0, 0}; // rows naming an unknown query, an unknown doc
    String[] firstSkipped = {null};
    forEachLine(
        file,
        name,
        (lineNo, line) -> {
          String[] f = line.split("\t", -1);
          if (!sawHeader[0]) {
            if (f.length != 3
                || !f[0].strip().equals("query-id")
                || !f[1].strip().equals("corpus-id")
                || !f[2].strip().equals("score")) {
              throw new DatasetException(
                  name, lineNo, "expected the header line \"query-id<TAB>corpus-id<TAB>score\", got \"" + abbreviate(line) + "\"");
            }
            sawHeader[0] = true;
            return;
          }
          if (f.length != 3) {
            throw new DatasetException(
                name, lineNo, "malformed qrels row: expected 3 tab-separated fields, got " + f.length + ": \"" + abbreviate(line) + "\"");
          }
          String qid = f[0].strip();
          String did = f[1].strip();
          if (qid.isEmpty() || did.isEmpty()) {
            throw new DatasetException(name, lineNo, "malformed qrels row: empty query-id or corpus-id");
          }
          int grade;
          try {
            grade = Integer.parseInt(f[2].strip());
          } catch (NumberFormatException ex) {
            throw new DatasetException(
                name, lineNo, "malformed qrels row: score \"" + f[2] + "\" is not an integer");
          }
          boolean unknownQuery = !queries.containsKey(qid);
          if (unknownQuery || !docs.containsKey(did)) {
            skipped[unknownQuery ? 0 : 1]++;
            if (firstSkipped[0] == null) {
              firstSkipped[0] = "line " + lineNo + ": " + (unknownQuery
                  ? "query-id \"" + qid + "\" is not in the queries file"
                  : "corpus-id \"" + did + "\" is not in the corpus");
            }
            return;
          }
          Long first = pairLines.putIfAbsent(qid + '\t' + did, lineNo);
          if (first != null) {
            throw new DatasetException(
                name, lineNo, "duplicate qrels pair (" + qid + ", " + did + "), first at line " + first);
          }
          qrels.computeIfAbsent(qid, k -> new LinkedHashMap<>()).put(did, grade);
        });
    if (!sawHeader[0]) {
      throw new DatasetException(name, 0, "empty qrels file (not even a header line)");
    }
    if (skipped[0] + skipped[1] > 0) {
      warnings.add(String.format(java.util.Locale.ROOT,
          "%s: skipped %d qrels row%s naming a query or document the dataset does not have (%d unknown query-id,"
              + " %d unknown corpus-id; first at %s)",
          name, skipped[0] + skipped[1], skipped[0] + skipped[1] == 1 ? "" : "s", skipped[0], skipped[1],
          firstSkipped[0]));
    }
    Map<String, Map<String, Integer>> frozen = new LinkedHashMap<>();
    qrels.forEach((q, m) -> frozen.put(q, Collections.unmodifiableMap(m)));
    return Collections.unmodifiableMap(frozen);
  }

  // ---------------------------------------------------------------------------------------------------- accessors

  /** @return the dataset folder */
  public Path dir() {
    return dir;
  }

  /**
   * @return one line per qrels file that had rows naming an unknown query or document (skipped), with their count
   */
  public List<String> warnings() {
    return warnings;
  }

  /** @return all documents in corpus file order ({@code docs().get(i).position() == i}); unmodifiable */
  public List<Doc> docs() {
    return docs;
  }

  /**
   * @param id a document id
   * @return the document, or {@code null} if the corpus has none with that id
   */
  public Doc doc(String id) {
    return docsById.get(id);
  }

  /**
   * @param id a document id
   * @return its 0-based corpus position (the tie-break order), or -1 if unknown
   */
  public int docPosition(String id) {
    Doc d = docsById.get(id);
    return d == null ? -1 : d.position();
  }

  /** @return all queries in file order; unmodifiable */
  public List<Query> queries() {
    return queries;
  }

  /**
   * @param id a query id
   * @return the query, or {@code null} if unknown
   */
  public Query query(String id) {
    return queriesById.get(id);
  }

  /** @return the names of the loaded qrels splits, sorted */
  public Set<String> splits() {
    return qrelsBySplit.keySet();
  }

  /**
   * The judgements of one split: query id → (doc id → grade), in the file's order of first appearance; unmodifiable.
   * Grades are kept as written (0 or negative grades included); metrics count a doc as relevant when its grade is
   * positive.
   *
   * @param split e.g. {@code "test"}
   * @return the qrels of that split
   * @throws IllegalArgumentException if the split was not loaded
   */
  public Map<String, Map<String, Integer>> qrels(String split) {
    Map<String, Map<String, Integer>> q = qrelsBySplit.get(split);
    if (q == null) {
      throw new IllegalArgumentException(
          "no qrels split \"" + split + "\" in " + dir.resolve("qrels") + " (have: " + qrelsBySplit.keySet() + ")");
    }
    return q;
  }

  /**
   * The queries judged in one split, in the qrels order of first appearance (as BEIR evaluates them).
   *
   * @param split e.g. {@code "test"}
   * @return those queries
   * @throws IllegalArgumentException if the split was not loaded
   */
  public List<Query> queries(String split) {
    List<Query> out = new ArrayList<>();
    for (String qid : qrels(split).keySet()) {
      out.add(queriesById.get(qid));
    }
    return Collections.unmodifiableList(out);
  }

  // ---------------------------------------------------------------------------------------------------- reading

  @FunctionalInterface
  private interface LineHandler {
    void accept(long lineNo, String line) throws DatasetException;
  }

  /** Finds {@code dir/base} or {@code dir/base.gz}. */
  private static Path resolve(Path dir, String base) throws DatasetException {
    Path plain = dir.resolve(base);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gz = dir.resolve(base + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    throw new DatasetException(base, 0, "missing file (neither " + base + " nor " + base + ".gz in " + dir + ")");
  }

  private static String displayName(Path dir, Path file) {
    try {
      return dir.relativize(file).toString().replace('\\', '/');
    } catch (IllegalArgumentException e) {
      return file.toString();
    }
  }

  /**
   * Reads '\n'-terminated lines (a trailing '\r' is dropped), decoding each line as strict UTF-8 on its own so that
   * an encoding error is reported at its true line.
   */
  private static void forEachLine(Path file, String name, LineHandler handler) throws IOException {
    long lineNo = 0;
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try (InputStream raw = Files.newInputStream(file);
        InputStream in =
            new BufferedInputStream(name.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16)) {
      byte[] buf = new byte[1 << 12];
      while (true) {
        int len = 0;
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
          if (len == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
          }
          buf[len++] = (byte) b;
        }
        if (b == -1 && len == 0) {
          break;
        }
        lineNo++;
        if (len > 0 && buf[len - 1] == '\r') {
          len--;
        }
        String line;
        try {
          line = decoder.decode(ByteBuffer.wrap(buf, 0, len)).toString();
        } catch (CharacterCodingException e) {
          throw new DatasetException(name, lineNo, "invalid UTF-8", e);
        }
        if (lineNo == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (!line.isBlank()) {
          handler.accept(lineNo, line);
        }
        if (b == -1) {
          break;
        }
      }
    } catch (DatasetException e) {
      throw e;
    } catch (IOException e) {
      throw new DatasetException(name, lineNo + 1, "read error: " + e, e);
    }
  }

  private static JsonNode parseObject(String name, long lineNo, String line) throws DatasetException {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JacksonException e) {
      throw new DatasetException(name, lineNo, "malformed JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new DatasetException(
          name, lineNo, "malformed JSON: expected one object per line, got " + (node == null ? "nothing" : node.getNodeType()));
    }
    return node;
  }

  private static String requireId(String name, long lineNo, JsonNode node) throws DatasetException {
    JsonNode id = node.get("_id");
    if (id == null || id.isNull()) {
      throw new DatasetException(name, lineNo, "missing _id");
    }
    if (!id.isTextual() && !id.isIntegralNumber()) {
      throw new DatasetException(name, lineNo, "_id must be a string, got " + id.getNodeType());
    }
    String s = id.asText();
    if (s.isBlank()) {
      throw new DatasetException(name, lineNo, "empty _id");
    }
    if (!s.equals(s.strip()) || s.chars().anyMatch(c -> c == '\t' || c == '\n' || c == '\r')) {
      throw new DatasetException(name, lineNo, "_id \"" + s + "\" has leading/trailing whitespace or tabs");
    }
    return s;
  }

  private static String requireString(String name, long lineNo, JsonNode node, String field)
      throws DatasetException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new DatasetException(name, lineNo, "missing \"" + field + "\"");
    }
    if (!v.isTextual()) {
      throw new DatasetException(name, lineNo, "\"" + field + "\" must be a string, got " + v.getNodeType());
    }
    return v.textValue();
  }

  private static String optionalString(String name, long lineNo, JsonNode node, String field)
      throws DatasetException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw new DatasetException(name, lineNo, "\"" + field + "\" must be a string, got " + v.getNodeType());
    }
    return v.textValue();
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
