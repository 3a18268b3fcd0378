package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.vectors.Embedder;
import io.github.lucenepefa.cli.vectors.VectorCache;
import io.github.lucenepefa.encoder.EncoderConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands. */
public final class Common {

  @Option(names = "--data", paramLabel = "DIR", description = "BEIR-layout dataset folder (default: the bundled SciFact, data/scifact).")
  Path data;

  @Option(names = "--model", paramLabel = "PRESET", defaultValue = EncoderConfig.ALL_MINILM_L6_V2,
      description = "Encoder preset: all-minilm-l6-v2 (MiniLM, default), bge-small-en-v1.5, e5-small-v2.")
  String model;

  @Option(names = "--cache", paramLabel = "DIR",
      description = "Vector cache folder (default: $PEFA_CACHE or ~/.cache/lucene-pefa/vectors).")
  Path cache;

  @Option(names = "--no-cache", description = "Do not read or write the vector cache (encode everything).")
  boolean noCache;

  @Option(names = "--threads", defaultValue = "2", description = "Search threads (default: ${DEFAULT-VALUE}).")
  int threads;

  /** @return the dataset folder */
  public Path data() {
    return (data != null ? data : Workbench.defaultData()).toAbsolutePath().normalize();
  }

  /** @return the work folder of the dataset */
  public Path work() {
    return Workbench.defaultWork(data());
  }

  /** @return the default index folder */
  public Path defaultIndex() {
    return work().resolve("index-" + model.toLowerCase(java.util.Locale.ROOT));
  }

  /** @return a new embedder */
  public Embedder embedder() {
    VectorCache c = noCache ? new VectorCache(null, java.util.List.of())
        : Workbench.cache(cache != null ? cache : Workbench.defaultCache(), data());
    return new Embedder(Workbench.encoderConfig(model), c);
  }
}
