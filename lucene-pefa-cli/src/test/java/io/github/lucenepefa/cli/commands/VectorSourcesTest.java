package io.github.lucenepefa.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.cli.data.TrainingMemoryBuilder;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.vectors.Embedder;
import io.github.lucenepefa.cli.vectors.ModelDir;
import io.github.lucenepefa.cli.vectors.Npy;
import io.github.lucenepefa.cli.vectors.VectorCache;
import io.github.lucenepefa.encoder.EncoderConfig;
import io.github.lucenepefa.encoder.Pooling;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code --vectors DIR} (precomputed embeddings), {@code --model-dir DIR} (any ONNX export, here a tiny one written
 * by the test) and datasets without a training split.
 */
class VectorSourcesTest {

  static void copyTokenizer(Path to) throws Exception {
    try (InputStream in = VectorSourcesTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
      Files.copy(in, to);
    }
  }

  @Test
  void precomputedVectorsGiveTheEncodersRuns() throws Exception {
    Path work = CliRunner.work("vectors");
    Path data = CliRunner.tinyDataset(work.resolve("data"));
    Path cache = work.resolve("cache");
    String[] common = {"--data", data.toString(), "--cache", cache.toString(), "--no-sweep", "--k", "3"};
    // the encoder's runs, with and without doc-as-query chunks
    String[] chunked = {"--chunks", "2", "--chunk-words", "4"};
    run(cat(new String[] {"eval", "--index", work.resolve("i1").toString(), "--chunks", "0", "--out", work.resolve("e1").toString()}, common));
    run(cat(new String[] {"eval", "--index", work.resolve("i2").toString(), "--out", work.resolve("e2").toString()}, chunked, common));
    // the same vectors written as .npy files, the chunks as chunk rows labelled with their documents
    BeirDataset ds = BeirDataset.load(data);
    Path vec = work.resolve("vecs");
    Files.createDirectories(vec);
    try (Embedder emb = new Embedder(EncoderConfig.defaults(), new VectorCache(cache, List.of()))) {
      Npy.write(vec.resolve("corpus.npy"), emb.docs(ds));
      Files.write(vec.resolve("corpus.ids.txt"), ds.docs().stream().map(BeirDataset.Doc::id).toList());
      Npy.write(vec.resolve("queries.npy"), emb.queries(ds.queries()));
      Files.write(vec.resolve("queries.ids.txt"), ds.queries().stream().map(BeirDataset.Query::id).toList());
      TrainingMemoryBuilder chunks = new TrainingMemoryBuilder();
      chunks.addDocChunks(ds.docs(), 4, 2);
      List<MemoryRow> rows = chunks.build();
      Npy.write(vec.resolve("chunks.npy"), emb.rows(rows));
      List<String> docIds = new ArrayList<>();
      rows.forEach(r -> docIds.add(r.labels().keySet().iterator().next()));
      Files.write(vec.resolve("chunks.docids.txt"), docIds);
    }
    run(cat(new String[] {"eval", "--vectors", vec.toString(), "--index", work.resolve("i3").toString(), "--chunks", "0", "--out", work.resolve("e3").toString()}, common));
    run(cat(new String[] {"eval", "--vectors", vec.toString(), "--index", work.resolve("i4").toString(), "--out", work.resolve("e4").toString()}, chunked, common));
    assertTrue(IndexInfo.read(work.resolve("i4")).model().startsWith("vectors:"));
    assertEquals(IndexInfo.read(work.resolve("i2")).memoryRows(), IndexInfo.read(work.resolve("i4")).memoryRows());
    for (String f : List.of("runs/erm.trec", "runs/xs.trec", "runs/xl.trec")) {
      // the same ranking and scores up to the last bits of a float (MemoryCommandTest#assertSameRun says why)
      MemoryCommandTest.assertSameRun(work.resolve("e1").resolve(f), work.resolve("e3").resolve(f));
      MemoryCommandTest.assertSameRun(work.resolve("e2").resolve(f), work.resolve("e4").resolve(f));
    }
    // the chunks change the memory (so the second comparison is not the first one again)
    assertFalse(java.util.Arrays.equals(Files.readAllBytes(work.resolve("e1/runs/xl.trec")),
        Files.readAllBytes(work.resolve("e2/runs/xl.trec"))));

    // search an index of precomputed vectors by query id; free text cannot be encoded
    Path qf = work.resolve("q.jsonl");
    Files.writeString(qf, "{\"_id\": \"q5\", \"text\": \"quitting smoking helps the lungs\"}\n");
    CliRunner.Result r = run("search", "--index", work.resolve("i4").toString(), "--queries", qf.toString(), "-n", "2");
    assertTrue(r.out().contains("# query q5"), r.out());
    r = CliRunner.run("search", "--index", work.resolve("i4").toString(), "some free text");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("cannot encode free text"), r.err());

    // bad folders are named
    Files.write(vec.resolve("corpus.ids.txt"), List.of("d1", "d2", "d3", "d4", "d5", "d7"));
    r = CliRunner.run(cat(new String[] {"index", "--vectors", vec.toString(), "--index", work.resolve("i5").toString()}, "--data", data.toString()));
    assertEquals(1, r.code());
    assertTrue(r.err().contains("corpus.ids.txt: no vector for 1 document of the dataset (first: \"d6\")"), r.err());
    Files.write(vec.resolve("corpus.ids.txt"), List.of("d1", "d2"));
    r = CliRunner.run(cat(new String[] {"index", "--vectors", vec.toString(), "--index", work.resolve("i5").toString()}, "--data", data.toString()));
    assertTrue(r.err().contains("corpus.ids.txt: 2 ids for 6 rows of corpus.npy"), r.err());
    assertFalse(Files.exists(work.resolve("i5")));
  }

  @Test
  void anOnnxExportInAFolderEncodesWithItsConfig() throws Exception {
    Path work = CliRunner.work("model-dir");
    Path model = work.resolve("tiny-model");
    Files.createDirectories(model);
    Files.write(model.resolve("model.onnx"), TinyEmbeddingOnnx.model(30522, 16, 7));
    copyTokenizer(model.resolve("tokenizer.json"));
    Files.writeString(model.resolve("pefa-model.json"),
        "{\"name\": \"tiny\", \"pooling\": \"mean\", \"max_length\": 64, \"query_prefix\": \"query: \"}\n");
    EncoderConfig cfg = ModelDir.config(model);
    assertEquals(Pooling.MEAN, cfg.pooling());
    assertEquals(64, cfg.maxLength());
    assertEquals("query: ", cfg.queryPrefix());
    assertTrue(cfg.modelId().startsWith("tiny-"), cfg.modelId());

    Path data = CliRunner.tinyDataset(work.resolve("data"));
    Path index = work.resolve("index");
    String[] common = {"--data", data.toString(), "--cache", work.resolve("cache").toString()};
    run(cat(new String[] {"index", "--model-dir", model.toString(), "--index", index.toString(), "--chunks", "1"}, common));
    IndexInfo info = IndexInfo.read(index);
    assertEquals("model-dir:" + model.toAbsolutePath().normalize(), info.model());
    assertEquals(cfg.modelId(), info.modelId());
    run(cat(new String[] {"eval", "--model-dir", model.toString(), "--index", index.toString(), "--chunks", "1",
        "--no-sweep", "--out", work.resolve("eval").toString()}, common));
    JsonNode m = new JsonMapper().readTree(work.resolve("eval/metrics.json").toFile());
    assertEquals(cfg.modelId(), m.path("params").path("model").asText());
    // search takes the model from the index
    CliRunner.Result r = run(cat(new String[] {"search", "--index", index.toString(), "-n", "3", "aspirin bleeding"}, common));
    assertTrue(r.out().contains("# query q: aspirin bleeding"), r.out());
    // the query prefix is applied: the same text encodes differently as query and as document
    Path texts = work.resolve("t.jsonl");
    Files.writeString(texts, "{\"text\": \"aspirin and bleeding risk\"}\n");
    run(cat(new String[] {"encode", "--model-dir", model.toString(), "-i", texts.toString(), "-o", work.resolve("q.npy").toString(), "--kind", "query"}, common));
    run(cat(new String[] {"encode", "--model-dir", model.toString(), "-i", texts.toString(), "-o", work.resolve("d.npy").toString(), "--kind", "doc"}, common));
    assertFalse(java.util.Arrays.equals(Npy.read(work.resolve("q.npy"))[0], Npy.read(work.resolve("d.npy"))[0]));

    // sentence-transformers' own files are read when pefa-model.json does not say
    Files.delete(model.resolve("pefa-model.json"));
    Files.createDirectories(model.resolve("1_Pooling"));
    Files.writeString(model.resolve("1_Pooling/config.json"), "{\"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": false}");
    Files.writeString(model.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 128}");
    EncoderConfig st = ModelDir.config(model);
    assertEquals(Pooling.CLS, st.pooling());
    assertEquals(128, st.maxLength());
    assertNotEquals(cfg.modelId(), st.modelId());
    Files.writeString(model.resolve("pefa-model.json"), "{\"pooling\": \"max\"}");
    r = CliRunner.run(cat(new String[] {"index", "--model-dir", model.toString(), "--index", work.resolve("i2").toString()}, common));
    assertEquals(1, r.code());
    assertTrue(r.err().contains("pefa-model.json: \"pooling\" must be \"mean\" or \"cls\", got \"max\""), r.err());
    Files.delete(model.resolve("tokenizer.json"));
    r = CliRunner.run(cat(new String[] {"index", "--model-dir", model.toString(), "--index", work.resolve("i2").toString()}, common));
    assertTrue(r.err().contains("tokenizer.json: missing file"), r.err());
  }

  @Test
  void withoutATrainSplitTheMemoryIsTheChunksAndTuneSaysWhatItNeeds() throws Exception {
    Path work = CliRunner.work("no-train");
    Path data = CliRunner.tinyDataset(work.resolve("data"));
    Files.delete(data.resolve("qrels/train.tsv"));
    Path index = work.resolve("index");
    String[] common = {"--data", data.toString(), "--cache", work.resolve("cache").toString(), "--index", index.toString(),
        "--chunks", "2", "--chunk-words", "4"};
    CliRunner.Result r = run(cat(new String[] {"index"}, common));
    assertTrue(r.err().contains("has no qrels/train.tsv: the memory is the doc-as-query rows alone"), r.err());
    IndexInfo info = IndexInfo.read(index);
    assertEquals(List.of(), info.trainSplits());
    assertEquals(12, info.memoryInputs()); // 6 docs x 2 chunks
    run(cat(new String[] {"eval", "--no-sweep", "--out", work.resolve("eval").toString()}, common));
    run("search", "--index", index.toString(), "--cache", work.resolve("cache").toString(), "-n", "2", "coffee");
    r = run(cat(new String[] {"tune", "--out", work.resolve("tune").toString(), "--ks", "1,2"}, common));
    assertTrue(r.out().contains("tune needs judged queries that are not the evaluated split's"), r.out());
    assertTrue(r.out().contains("Falling back to the defaults"), r.out());
    assertFalse(Files.exists(index.resolve("pefa-tune.json")));
    // with a dev split, tune tunes on it
    Files.writeString(data.resolve("qrels/dev.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq3\td3\t1\n");
    r = run(cat(new String[] {"tune", "--out", work.resolve("tune").toString(), "--ks", "1,2"}, common));
    assertTrue(r.err().contains("tuning on the dataset's dev split"), r.err());
    assertTrue(Files.exists(index.resolve("pefa-tune.json")));
    r = run("search", "--index", index.toString(), "--cache", work.resolve("cache").toString(), "-n", "2", "coffee");
    assertTrue(r.out().contains("(tuned: by pefa tune, dev nDCG@10 on 3 queries, split dev;"), r.out());
  }

  static CliRunner.Result run(String... args) {
    CliRunner.Result r = CliRunner.run(args);
    assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.err());
    return r;
  }

  static String[] cat(String[] a, String... b) {
    List<String> out = new ArrayList<>(List.of(a));
    out.addAll(List.of(b));
    return out.toArray(String[]::new);
  }

  static String[] cat(String[] a, String[] b, String[] c) {
    return cat(cat(a, b), c);
  }
}
