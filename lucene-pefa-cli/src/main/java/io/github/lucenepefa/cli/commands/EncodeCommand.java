package io.github.lucenepefa.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.lucenepefa.cli.data.DatasetException;
import io.github.lucenepefa.cli.vectors.Embedder;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pefa encode}: JSONL texts → a float32 .npy matrix. */
@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Encodes texts (JSONL, one object per line with \"text\" and optionally \"title\") into a float32 .npy",
      "matrix (rows in input order, L2-normalised). --kind doc embeds (title + \" \" + text), --kind query the text."})
public final class EncodeCommand implements Callable<Integer> {

  @Mixin Common common = new Common();

  @Option(names = {"--input", "-i"}, required = true, paramLabel = "FILE", description = "JSONL input.")
  Path input;

  @Option(names = {"--output", "-o"}, required = true, paramLabel = "FILE", description = "Output .npy file.")
  Path output;

  @Option(names = "--kind", defaultValue = "query", description = "query or doc (default: ${DEFAULT-VALUE}).")
  String kind;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    String k = kind.toLowerCase(Locale.ROOT);
    if (!k.equals("query") && !k.equals("doc")) {
      throw new IllegalArgumentException("--kind must be query or doc, got " + kind);
    }
    List<String> texts = read(input, k.equals("doc"));
    if (texts.isEmpty()) {
      throw new DatasetException(input.toString(), 0, "no texts");
    }
    float[][] v;
    try (Embedder emb = common.embedder()) {
      v = k.equals("doc") ? emb.docs(texts, "encode") : emb.queries(texts, "encode");
      writeNpy(output, v);
      System.err.printf(
          "encode: %d texts (%d encoded, %d from cache) with %s -> %s [%d x %d float32] (%.1f s)%n",
          texts.size(), emb.encodedCount(), emb.cacheHitCount(), emb.modelId(), output, v.length, v[0].length,
          (System.nanoTime() - t0) / 1e9);
    }
    return 0;
  }

  static List<String> read(Path file, boolean doc) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file.toString(), 0, "missing file");
    }
    JsonMapper json = new JsonMapper();
    List<String> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode n;
        try {
          n = json.readTree(line);
        } catch (IOException e) {
          throw new DatasetException(file.toString(), no, "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (n == null || !n.isObject() || !n.path("text").isTextual()) {
          throw new DatasetException(file.toString(), no, "expected an object with a string \"text\"");
        }
        String text = n.get("text").textValue();
        String title = n.path("title").isTextual() ? n.get("title").textValue() : "";
        out.add(doc ? (title + " " + text).strip() : text);
      }
    }
    return out;
  }

  /**
   * Writes a float32 little-endian C-order .npy (format 1.0).
   *
   * @param file the file
   * @param v rows
   * @throws IOException on errors
   */
  public static void writeNpy(Path file, float[][] v) throws IOException {
    io.github.lucenepefa.cli.vectors.Npy.write(file, v);
  }
}
