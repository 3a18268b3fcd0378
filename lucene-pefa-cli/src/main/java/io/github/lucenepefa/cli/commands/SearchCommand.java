package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.index.PefaSearch;
import io.github.lucenepefa.cli.vectors.Embedder;
import io.github.lucenepefa.cli.Workbench;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pefa search}: a query (or a file of queries) → ranked doc ids, titles and scores. */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Searches an index built by 'pefa index' in erm, xs or xl mode; prints rank, doc id, score and title.")
public final class SearchCommand implements Callable<Integer> {

  @Mixin Common common = new Common();

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

  @Option(names = "--lam", description = "lambda (default: the index lambda for xs, 0.5 for xl).")
  Float lam;

  @Option(names = "--k", defaultValue = "16", description = "XL neighbours (default: ${DEFAULT-VALUE}).")
  int k = 16;

  @Option(names = "--top-k", defaultValue = "100", description = "XL ERM candidates K (default: ${DEFAULT-VALUE}).")
  int topK = 100;

  @Option(names = "--knn-norm", defaultValue = "sum", description = "sum or mean (default: ${DEFAULT-VALUE}).")
  String knnNorm = "sum";

  @Option(names = "--erm-score", defaultValue = "exact", description = "exact or top-k (default: ${DEFAULT-VALUE}).")
  String ermScore = "exact";

  @Option(names = "--ef", defaultValue = "0", description = "HNSW efSearch; 0 = exact (default: ${DEFAULT-VALUE}).")
  int ef = 0;

  @Option(names = "--explain", description = "Print Lucene's explanation of every hit (ERM part, kNN part, neighbours).")
  boolean explain;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    List<String[]> queries = new ArrayList<>();
    if (queriesFile != null) {
      queries.addAll(readQueries(queriesFile));
    }
    if (!words.isEmpty()) {
      queries.add(new String[] {"q", String.join(" ", words)});
    }
    if (queries.isEmpty()) {
      throw new IllegalArgumentException("give a query text or --queries FILE");
    }
    Path dir = (index != null ? index : common.defaultIndex()).toAbsolutePath().normalize();
    IndexInfo info = IndexInfo.read(dir);
    common.model = info.model();
    String m = mode.toLowerCase(Locale.ROOT);
    if (!List.of("erm", "xs", "xl").contains(m)) {
      throw new IllegalArgumentException("--mode must be erm, xs or xl, got " + mode);
    }
    try (Embedder emb = common.embedder(); PefaSearch ps = PefaSearch.open(dir, EvalCommand.effort(ef))) {
      List<String> texts = queries.stream().map(q -> q[1]).toList();
      float[][] qv = emb.queries(texts, "encode queries");
      for (int i = 0; i < queries.size(); i++) {
        float[] q = qv[i];
        Query query = switch (m) {
          case "erm" -> ps.xlQuery(q, new PefaSearch.XlParams(1f, 1, n, EvalCommand.norm(knnNorm), EvalCommand.ermMode(ermScore)), n, List.of());
          case "xs" -> ps.xsQuery(q, lam != null ? lam : ps.schema().xsLambda(), n);
          default -> ps.xlQuery(q, new PefaSearch.XlParams(lam != null ? lam : 0.5f, k, topK, EvalCommand.norm(knnNorm), EvalCommand.ermMode(ermScore)), n, null);
        };
        TopDocs top = ps.searcher().search(query, n);
        System.out.println("# query " + queries.get(i)[0] + ": " + texts.get(i) + "   [" + m + "]");
        int rank = 0;
        for (ScoreDoc sd : top.scoreDocs) {
          rank++;
          System.out.printf(Locale.ROOT, "%3d  %-12s %.6f  %s%n", rank, ps.key(sd.doc), sd.score, ps.title(sd.doc));
          if (explain) {
            System.out.println(ps.explain(query, sd.doc).toString().indent(6).stripTrailing());
          }
        }
      }
      System.err.printf("search: %d quer%s in %s mode on %s (%.1f s)%n", queries.size(), queries.size() == 1 ? "y" : "ies", m, dir,
          (System.nanoTime() - t0) / 1e9);
    }
    return 0;
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
          out.add(new String[] {node.path("_id").asText(String.valueOf(no)), node.get("text").textValue()});
        } else {
          out.add(new String[] {String.valueOf(no), line.strip()});
        }
      }
    }
    return out;
  }
}
