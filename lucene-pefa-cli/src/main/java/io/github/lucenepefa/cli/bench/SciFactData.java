package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.cli.data.TrainingMemoryBuilder;
import io.github.lucenepefa.cli.index.Bm25Settings;
import io.github.lucenepefa.cli.vectors.VectorSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Benchmark data from a BEIR dataset (by default the bundled SciFact): document vectors in corpus
 * order, the training memory of the train split plus doc-as-query chunks (10 chunks of 64 words per
 * doc, as the CLI builds it) and the test queries, all through the CLI's vector cache; with the texts
 * of the documents ({@link Bm25Settings#documentText}) and of the test queries for the BM25 field.
 */
public final class SciFactData {

  private SciFactData() {}

  /**
   * Loads (encoding what the cache lacks).
   *
   * @param dir the dataset folder
   * @param emb the vectors (an encoder with its cache, or precomputed)
   * @return the data
   * @throws IOException on errors
   */
  public static BenchData load(Path dir, VectorSource emb) throws IOException {
    BeirDataset ds = Workbench.load(dir, List.of("test"));
    TrainingMemoryBuilder mb =
        Workbench.memory(
            ds,
            emb,
            Workbench.trainSplits(ds, null),
            Set.of(),
            TrainingMemoryBuilder.DEFAULT_CHUNKS,
            TrainingMemoryBuilder.DEFAULT_CHUNK_WORDS);
    List<MemoryRow> memory = mb.build();
    float[][] docs = emb.docs(ds);
    float[][] rowVectors = emb.rows(memory);
    float[][] queries = emb.queries(ds.queries("test"));
    String[] keys = new String[ds.docs().size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = ds.docs().get(i).id();
    }
    List<BenchData.Row> rows = new ArrayList<>(memory.size());
    for (int r = 0; r < memory.size(); r++) {
      MemoryRow m = memory.get(r);
      List<Integer> docIdx = new ArrayList<>();
      List<Float> weights = new ArrayList<>();
      for (Map.Entry<String, Float> e : m.labels().entrySet()) {
        BeirDataset.Doc d = ds.doc(e.getKey());
        if (d != null) {
          docIdx.add(ds.docPosition(e.getKey()));
          weights.add(e.getValue());
        }
      }
      if (docIdx.isEmpty()) {
        continue;
      }
      int[] di = new int[docIdx.size()];
      float[] w = new float[di.length];
      for (int j = 0; j < di.length; j++) {
        di[j] = docIdx.get(j);
        w[j] = weights.get(j);
      }
      rows.add(new BenchData.Row(m.rowId(), rowVectors[r], di, w));
    }
    String[] docTexts = new String[keys.length];
    for (int i = 0; i < docTexts.length; i++) {
      docTexts[i] = Bm25Settings.documentText(ds.docs().get(i));
    }
    String[] queryTexts = ds.queries("test").stream().map(BeirDataset.Query::text).toArray(String[]::new);
    String name = dir.toAbsolutePath().normalize().getFileName() + " (" + emb.modelId() + ")";
    return new BenchData(name, docs, keys, rows, queries, docTexts, queryTexts);
  }
}
