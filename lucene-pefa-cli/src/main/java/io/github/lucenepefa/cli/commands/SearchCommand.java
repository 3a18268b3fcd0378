package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.eval.ScoredDoc;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.index.PefaSearch;
import io.github.lucenepefa.cli.index.TunedParams;
import io.github.lucenepefa.cli.vectors.NpyVectors;
import io.github.lucenepefa.cli.vectors.VectorSource;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.lucene.search.Query;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pefa search}: a query (or a file of queries) → ranked doc ids, titles and scores. */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Searches an index built by 'pefa index' in erm, xs or xl mode; prints rank, doc id, score and title.",
      "Parameters not given take the values pefa tune chose for the index (pefa-tune.json in the index folder),",
      "else the defaults; the first line says which were used and where they came from."})
public final class SearchCommand implements Callable<Integer> {

  @Mixin Common common = new Common();
  @Mixin SearchOptions search = new SearchOptions();

  @Parameters(arity = "0..*", paramLabel = "QUERY", description = "The query text (words are joined by spaces).")
  List<String> words = new ArrayList<>();

  @Option(names = "--queries", paramLabel = "FILE", description = "A file of queries: JSONL with \"text\" (and \"_id\"), or one query per line.")
  Path queriesFile;

  @Option(names = "--index", paramLabel = "DIR", description = "Index folder (default: work/<dataset>/index-<model>).")
  Path index;

  @Option(names = "--mode", defaultValue = "xl", description = "erm, xs or xl (default: ${DEFAULT-VALUE}).")
  String mode = "xl";

  @Option(names = {"-n", "--hits"}, defaultValue = "10", description = "Hits to show (default: ${DEFAULT-VALUE}).")
  int n = 10;

  @Option(names = "--ef", defaultValue = "0", description = "HNSW efSearch; 0 = exact (default: ${DEFAULT-VALUE}).")
  int ef = 0;

  @Option(names = "--explain", description = "Print Lucene's explanation of every hit (ERM part, kNN part, each neighbour's vote).")
  boolean explain;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    List<String[]> queries = new ArrayList<>();
    if (queriesFile != null) {
      queries.addAll(readQueries(queriesFile));
    }
    if (!words.isEmpty()) {
      String text = String.join(" ", words);
      if (text.isBlank()) {
        throw new IllegalArgumentException("the query text is empty: give words to search for");
      }
      queries.add(new String[] {"q", text});
    }
    if (queries.isEmpty()) {
      throw new IllegalArgumentException("give a query text or --queries FILE");
    }
    if (n < 1) {
      throw new IllegalArgumentException("--hits must be >= 1, got " + n);
    }
    String m = mode.toLowerCase(Locale.ROOT);
    if (!List.of("erm", "xs", "xl").contains(m)) {
      throw new IllegalArgumentException("--mode must be erm, xs or xl, got " + mode);
    }
    search.resolve(null, SearchOptions.DEFAULT_LAM, n); // checks the options before the index is read
    search.bm25Weights(null);
    common.checkSource();
    Path dir = (index != null ? index : common.defaultIndex()).toAbsolutePath().normalize();
    IndexInfo info = IndexInfo.read(dir);
    TunedParams tuned = TunedParams.read(dir, info, System.err);
    SearchOptions.Resolved resolved = search.resolve(tuned, info.lam(), n);
    Bm25Weights bm25 = search.bm25Weights(tuned);
    if (bm25.given() && info.bm25() == null) {
      throw new IllegalArgumentException(Bm25Weights.noTextField(dir));
    }
    // with BM25 (--bm25-weight, or tuned): the hybrid's own tuned parameters, a of the mode
    Float a = info.bm25() == null ? null : m.equals("erm") ? bm25.erm() : m.equals("xs") ? bm25.xs() : bm25.xl();
    SearchOptions.Resolved p = a == null ? resolved : new SearchOptions.Resolved(search.bm25XsLam(resolved, tuned),
        search.bm25Xl(resolved, tuned), resolved.source());
    System.out.println("# parameters: " + p.describe()
        + (a == null ? "" : "; BM25 weight a=" + a + " (" + bm25.source() + ")") + (tuned != null
        ? " (tuned: by pefa tune, dev " + tuned.metric() + " on " + tuned.devQueries() + " queries, " + tuned.devSource()
            + "; " + dir.resolve(TunedParams.FILE) + ")"
        : " (no pefa tune result for this index: defaults, or the options given)"));
    try (VectorSource src = common.vectorSource(info); PefaSearch ps =
        PefaSearch.open(dir, EvalCommand.effort(ef)).oversample(search.oversample())) {
      List<String> texts = queries.stream().map(q -> q[1]).toList();
      if (src instanceof NpyVectors && !words.isEmpty()) {
        src.texts(List.of(String.join(" ", words))); // throws: precomputed vectors cannot encode free text
      }
      float[][] qv = src instanceof NpyVectors npy ? byId(npy, queries) : src.texts(texts);
      for (int i = 0; i < queries.size(); i++) {
        float[] q = qv[i];
        System.out.println("# query " + queries.get(i)[0] + ": " + texts.get(i) + "   [" + m + "]");
        String text = texts.get(i);
        List<ScoredDoc> hits = ps.ranked(k -> ps.searcher().search(query(ps, m, q, p, k, text, a), k), n);
        int rank = 0;
        for (ScoredDoc h : hits) {
          rank++;
          int doc = ps.doc(h.docId());
          System.out.printf(Locale.ROOT, "%3d  %-12s %.6f  %s%n", rank, h.docId(), h.score(), ps.title(doc));
          if (explain) {
            System.out.println(ps.explain(query(ps, m, q, p, n, text, a), doc).toString().indent(6).stripTrailing());
          }
        }
      }
      System.err.printf("search: %d quer%s in %s mode on %s (%.1f s)%n", queries.size(), queries.size() == 1 ? "y" : "ies", m, dir,
          (System.nanoTime() - t0) / 1e9);
    }
    return 0;
  }

  private static Query query(PefaSearch ps, String mode, float[] q, SearchOptions.Resolved p, int n, String text,
      Float bm25Weight) {
    io.github.lucenepefa.search.PefaQuery pefa = query(ps, mode, q, p, n);
    return bm25Weight == null ? pefa : ps.hybridQuery(pefa, text, bm25Weight);
  }

  private static io.github.lucenepefa.search.PefaQuery query(
      PefaSearch ps, String mode, float[] q, SearchOptions.Resolved p, int n) {
    return switch (mode) {
      case "erm" -> ps.xlQuery(q, new PefaSearch.XlParams(1f, p.xl().vote(), n, p.xl().ermMode()), n, List.of());
      case "xs" -> ps.xsQuery(q, p.xsLam(), n);
      default -> ps.xlQuery(q, p.xl(), n, null);
    };
  }

  private static float[][] byId(NpyVectors npy, List<String[]> queries) {
    float[][] out = new float[queries.size()][];
    for (int i = 0; i < queries.size(); i++) {
      out[i] = npy.query(queries.get(i)[0]);
      if (out[i] == null) {
        throw new IllegalArgumentException("query \"" + queries.get(i)[0] + "\" has no vector in the index's --vectors"
            + " folder (queries.ids.txt); an index of precomputed vectors searches queries by _id");
      }
    }
    return out;
  }

  static List<String[]> readQueries(Path f) throws Exception {
    if (!Files.isRegularFile(f)) {
      throw new io.github.lucenepefa.cli.data.DatasetException(f.toString(), 0, "missing file");
    }
    List<String[]> out = new ArrayList<>();
    var json = new com.fasterxml.jackson.databind.json.JsonMapper();
    try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        if (line.stripLeading().startsWith("{")) {
          com.fasterxml.jackson.databind.JsonNode node;
          try {
            node = json.readTree(line);
          } catch (Exception e) {
            throw new io.github.lucenepefa.cli.data.DatasetException(f.toString(), no, "malformed JSON");
          }
          if (!node.path("text").isTextual()) {
            throw new io.github.lucenepefa.cli.data.DatasetException(f.toString(), no, "missing \"text\"");
          }
          if (node.get("text").textValue().isBlank()) {
            throw new io.github.lucenepefa.cli.data.DatasetException(f.toString(), no, "empty \"text\"");
          }
          out.add(new String[] {node.path("_id").asText(String.valueOf(no)), node.get("text").textValue()});
        } else {
          out.add(new String[] {String.valueOf(no), line.strip()});
        }
      }
    }
    return out;
  }
}
