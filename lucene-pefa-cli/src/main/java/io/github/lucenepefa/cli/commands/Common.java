package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.vectors.Embedder;
import io.github.lucenepefa.cli.vectors.ModelDir;
import io.github.lucenepefa.cli.vectors.NpyVectors;
import io.github.lucenepefa.cli.vectors.VectorCache;
import io.github.lucenepefa.cli.vectors.VectorSource;
import io.github.lucenepefa.encoder.EncoderConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Options shared by the commands: the dataset, where vectors come from, the cache and threads. */
public final class Common {

  @Option(names = "--data", paramLabel = "DIR", description = "BEIR-layout dataset folder (default: the bundled SciFact, data/scifact).")
  Path data;

  @Option(names = "--model", paramLabel = "PRESET",
      description = "Encoder preset: all-minilm-l6-v2 (default), bge-small-en-v1.5, e5-small-v2.")
  String model;

  @Option(names = "--model-dir", paramLabel = "DIR",
      description = "Encode with a sentence-transformers model exported to ONNX: DIR/model.onnx, DIR/tokenizer.json and"
          + " an optional DIR/pefa-model.json (pooling, max_length, prefixes, normalize; see docs/encoder.md).")
  Path modelDir;

  @Option(names = "--vectors", paramLabel = "DIR",
      description = "Precomputed float32 embeddings instead of an encoder: DIR/corpus.npy + corpus.ids.txt,"
          + " queries.npy + queries.ids.txt, optional chunks.npy + chunks.docids.txt (texts still from --data).")
  Path vectors;

  @Option(names = "--cache", paramLabel = "DIR",
      description = "Vector cache folder (default: $PEFA_CACHE or ~/.cache/lucene-pefa/vectors).")
  Path cache;

  @Option(names = "--no-cache", description = "Do not read or write the vector cache (encode everything).")
  boolean noCache;

  @Option(names = "--threads", defaultValue = "2",
      description = "Search threads; for pefa index, the threads that index rows and documents and build each HNSW"
          + " graph of the final merge (default: ${DEFAULT-VALUE}).")
  int threads;

  /** @return the dataset folder */
  public Path data() {
    return (data != null ? data : Workbench.defaultData()).toAbsolutePath().normalize();
  }

  /** @return the work folder of the dataset */
  public Path work() {
    return Workbench.defaultWork(data());
  }

  /** @return the preset name (the default one when none of --model, --model-dir, --vectors is given) */
  public String preset() {
    if (model != null) {
      EncoderConfig.preset(model); // an unknown name: an error naming it and the presets
    }
    return model != null ? model : EncoderConfig.ALL_MINILM_L6_V2;
  }

  /** @return whether --model, --model-dir or --vectors was given */
  public boolean sourceGiven() {
    return model != null || modelDir != null || vectors != null;
  }

  /** @return the short name of the vector source, for default folder names */
  public String sourceName() {
    if (vectors != null) {
      return "vectors-" + vectors.toAbsolutePath().normalize().getFileName();
    }
    if (modelDir != null) {
      return modelDir.toAbsolutePath().normalize().getFileName().toString();
    }
    return preset().toLowerCase(Locale.ROOT);
  }

  /** @return the default index folder */
  public Path defaultIndex() {
    return work().resolve("index-" + sourceName());
  }

  /**
   * Checks the source options before anything is read: at most one of --model, --model-dir and --vectors, and
   * --model a known preset.
   *
   * @throws IllegalArgumentException naming the problem (an unknown preset and the known ones)
   */
  public void checkSource() {
    checkOneSource();
    preset();
  }

  private void checkOneSource() {
    int n = (model != null ? 1 : 0) + (modelDir != null ? 1 : 0) + (vectors != null ? 1 : 0);
    if (n > 1) {
      throw new IllegalArgumentException("give one of --model, --model-dir and --vectors");
    }
  }

  private VectorCache vectorCache() {
    return noCache ? new VectorCache(null, List.of())
        : Workbench.cache(cache != null ? cache : Workbench.defaultCache(), data());
  }

  /**
   * @return an encoder through the vector cache (a preset or --model-dir)
   * @throws IOException when --model-dir is not a usable model folder
   * @throws IllegalArgumentException with --vectors (no encoder)
   */
  public Embedder embedder() throws IOException {
    checkOneSource();
    if (vectors != null) {
      throw new IllegalArgumentException("this command encodes text: use --model or --model-dir, not --vectors");
    }
    if (modelDir != null) {
      Path dir = modelDir.toAbsolutePath().normalize();
      return new Embedder("model-dir:" + dir, ModelDir.config(dir), vectorCache());
    }
    return new Embedder(preset(), Workbench.encoderConfig(preset()), vectorCache());
  }

  /**
   * @return the vectors of the options: --vectors, else an encoder
   * @throws IOException when the folder is unusable
   */
  public VectorSource vectorSource() throws IOException {
    checkOneSource();
    return vectors != null ? NpyVectors.open(vectors) : embedder();
  }

  /**
   * The vectors an existing index was built with: as its {@code pefa-index.json} records, unless an option names a
   * source (which must then give the same model id).
   *
   * @param info the index
   * @return the source
   * @throws IOException when the recorded source is unusable or differs from the one given
   */
  public VectorSource vectorSource(IndexInfo info) throws IOException {
    checkOneSource();
    VectorSource s;
    if (sourceGiven()) {
      s = vectorSource();
    } else if (info.model().startsWith("vectors:")) {
      s = NpyVectors.open(Path.of(info.model().substring("vectors:".length())));
    } else if (info.model().startsWith("model-dir:")) {
      Path dir = Path.of(info.model().substring("model-dir:".length()));
      s = new Embedder(info.model(), ModelDir.config(dir), vectorCache());
    } else {
      s = new Embedder(info.model(), Workbench.encoderConfig(info.model()), vectorCache());
    }
    if (!s.modelId().equals(info.modelId())) {
      String have = s.modelId();
      s.close();
      throw new IllegalArgumentException("the index was built with " + info.modelId() + " vectors, these are " + have);
    }
    return s;
  }
}
