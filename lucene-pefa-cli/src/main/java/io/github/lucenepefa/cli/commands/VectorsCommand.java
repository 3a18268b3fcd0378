package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.cli.vectors.Embedder;
import io.github.lucenepefa.cli.vectors.VectorCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pefa vectors}: writes the read-only vector seed of a dataset ({@code <data>/vectors/<modelId>/}). */
@Command(name = "vectors", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Encodes (or takes from the cache) every text a dataset needs - documents, all queries, and the memory",
      "chunks - and writes them as a gzipped, read-only seed <out>/<modelId>/{doc,query}.vec.gz that every",
      "command reads from <data>/vectors, so that a checkout does not have to re-encode."})
public final class VectorsCommand implements Callable<Integer> {

  @Mixin Common common = new Common();

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: <data>/vectors).")
  Path out;

  @Option(names = "--chunks", defaultValue = "10", description = "Chunks per doc (default: ${DEFAULT-VALUE}).")
  int chunks = 10;

  @Option(names = "--chunk-words", defaultValue = "64", description = "Words per chunk (default: ${DEFAULT-VALUE}).")
  int chunkWords = 64;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    try (Embedder emb = common.embedder()) {
      BeirDataset ds = Workbench.load(common.data(), List.of());
      LinkedHashMap<VectorCache.Key, float[]> q = new LinkedHashMap<>();
      List<String> texts = new ArrayList<>();
      for (MemoryRow r : Workbench.memory(ds, emb, Workbench.trainSplits(ds, null), Set.of(), chunks, chunkWords).build()) {
        texts.add(r.text());
      }
      for (BeirDataset.Query query : ds.queries()) {
        texts.add(query.text());
      }
      float[][] qv = emb.queries(texts, "encode queries+memory");
      for (int i = 0; i < texts.size(); i++) {
        q.putIfAbsent(VectorCache.key(texts.get(i)), qv[i]);
      }
      List<String> docTexts = new ArrayList<>();
      for (BeirDataset.Doc d : ds.docs()) {
        docTexts.add(d.titleAndText());
      }
      float[][] dv = emb.docs(docTexts, "encode docs");
      LinkedHashMap<VectorCache.Key, float[]> d = new LinkedHashMap<>();
      for (int i = 0; i < docTexts.size(); i++) {
        d.putIfAbsent(VectorCache.key(docTexts.get(i)), dv[i]);
      }
      Path dir = (out != null ? out : common.data().resolve("vectors")).resolve(emb.modelId());
      VectorCache.writeGz(dir.resolve("query.vec.gz"), new ArrayList<>(q.keySet()), new ArrayList<>(q.values()));
      VectorCache.writeGz(dir.resolve("doc.vec.gz"), new ArrayList<>(d.keySet()), new ArrayList<>(d.values()));
      System.err.printf("vectors: %d query-side and %d doc vectors (%d encoded now) -> %s (%.1f s)%n", q.size(), d.size(),
          emb.encodedCount(), dir, (System.nanoTime() - t0) / 1e9);
    }
    return 0;
  }
}
