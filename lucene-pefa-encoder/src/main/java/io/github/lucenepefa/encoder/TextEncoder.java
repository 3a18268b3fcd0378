package io.github.lucenepefa.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns queries and documents into dense vectors with a local sentence-transformers model: HuggingFace
 * {@code tokenizers} (through DJL) for tokenisation and ONNX Runtime for inference. Nothing is ever
 * downloaded: the model and {@code tokenizer.json} come from a file or a classpath resource, and DJL's
 * usage reporting is switched off before the tokenizer is created.
 *
 * <pre>{@code
 * try (TextEncoder enc = TextEncoder.open(EncoderConfig.defaults())) {
 *   float[][] q = enc.encodeQueries(List.of("what is PEFA?"));
 *   float[][] d = enc.encodeDocuments(List.of(new Passage("PEFA", "Parameter-free adapters ...")));
 * }
 * }</pre>
 *
 * <p>Texts are tokenised with truncation to {@link EncoderConfig#maxLength()} tokens, grouped by length
 * (optional), padded per batch with an attention mask, run through the model and pooled (mean or CLS),
 * then L2-normalised. For fp32 models a text's vector does not depend on the batch size or on the
 * other texts of the batch (up to float rounding, verified to 1e-6); quantised models use dynamic
 * per-tensor activation quantisation, so their vectors vary slightly with the batch (see {@code
 * docs/encoder.md}).
 *
 * <p>Instances are thread-safe; {@link #close()} releases the native session and tokenizer.
 */
public final class TextEncoder implements AutoCloseable {

  static {
    DjlOffline.apply();
  }

  /** Texts tokenised (and length-sorted) together; bounds memory for large corpora. */
  private static final int MIN_CHUNK = 1024;

  private final EncoderConfig config;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean useTokenTypeIds;
  private final String outputName;
  private final Set<String> outputNames;
  private final boolean pooledOutput;
  private final int dimension;
  private final int vocabSize;
  private final String modelId;
  private volatile boolean closed;

  private TextEncoder(
      EncoderConfig config,
      OrtEnvironment env,
      OrtSession session,
      HuggingFaceTokenizer tokenizer,
      boolean useTokenTypeIds,
      String outputName,
      boolean pooledOutput,
      int dimension,
      int vocabSize) {
    this.config = config;
    this.env = env;
    this.session = session;
    this.tokenizer = tokenizer;
    this.useTokenTypeIds = useTokenTypeIds;
    this.outputName = outputName;
    this.outputNames = Set.of(outputName);
    this.pooledOutput = pooledOutput;
    this.dimension = dimension;
    this.vocabSize = vocabSize;
    this.modelId = config.modelId();
  }

  /**
   * Loads the tokenizer and the model and checks that they fit together.
   *
   * @param config what to load
   * @return an open encoder
   * @throws IOException if the model or tokenizer file/resource is missing, unreadable or malformed
   *     (the message names it)
   * @throws IllegalArgumentException if the model lacks {@code input_ids}/{@code attention_mask}, takes
   *     other inputs, lacks the configured output, or does not accept the tokenizer's ids or the
   *     configured maximum length (the message names both files)
   */
  public static TextEncoder open(EncoderConfig config) throws IOException {
    DjlOffline.apply();
    ModelSource tokSrc = config.tokenizer();
    ModelSource modelSrc = config.model();
    byte[] tokJson = tokSrc.readAllBytes("tokenizer");
    int vocabSize = TokenizerVocabulary.size(tokJson, tokSrc);
    if (modelSrc.isFile() && !Files.isRegularFile(modelSrc.path())) {
      throw new IOException("model file not found: " + modelSrc.path().toAbsolutePath());
    }
    HuggingFaceTokenizer tokenizer;
    Map<String, String> options = new HashMap<>();
    options.put("addSpecialTokens", "true");
    options.put("truncation", "true");
    options.put("maxLength", Integer.toString(config.maxLength()));
    options.put("padding", "false");
    try {
      tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokJson), options);
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot load tokenizer " + tokSrc + ": " + e.getMessage(), e);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = null;
    try {
      session = OrtSessions.open(env, modelSrc, config.threads());
      TextEncoder enc = validate(config, env, session, tokenizer, vocabSize);
      session = null; // owned by enc now
      return enc;
    } catch (IOException | RuntimeException e) {
      tokenizer.close();
      if (session != null) {
        try {
          session.close();
        } catch (OrtException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static TextEncoder validate(
      EncoderConfig config,
      OrtEnvironment env,
      OrtSession session,
      HuggingFaceTokenizer tokenizer,
      int vocabSize)
      throws IOException {
    String what = "model " + config.model();
    ModelSignature sig = ModelSignature.of(config, session);
    boolean useTypes = sig.useTokenTypeIds();
    String out = sig.outputName();
    boolean pooled = sig.pooledOutput();
    TextEncoder enc =
        new TextEncoder(config, env, session, tokenizer, useTypes, out, pooled, -1, vocabSize);
    // Probe 1: the largest token id of the tokenizer must fit the model's embedding table.
    long[] probe = {vocabSize - 1, vocabSize - 1};
    int dim;
    try {
      dim = enc.runBatch(new long[][] {probe})[0].length;
    } catch (OrtException e) {
      throw new IllegalArgumentException(
          "tokenizer " + config.tokenizer() + " (vocabulary of " + vocabSize + " ids) does not match "
              + what + ": the model rejects token id " + (vocabSize - 1) + ": " + e.getMessage(), e);
    }
    // Probe 2: the model must accept sequences of maxLength tokens (position embeddings).
    long[] full = new long[config.maxLength()];
    Arrays.fill(full, Math.min(100, vocabSize - 1));
    try {
      enc.runBatch(new long[][] {full});
    } catch (OrtException e) {
      throw new IllegalArgumentException(
          what + " does not accept maxLength=" + config.maxLength()
              + " tokens (too many positions?): " + e.getMessage(), e);
    }
    return new TextEncoder(config, env, session, tokenizer, useTypes, out, pooled, dim, vocabSize);
  }

  /**
   * The configuration this encoder was opened with.
   *
   * @return the configuration
   */
  public EncoderConfig config() {
    return config;
  }

  /**
   * Vector dimension (384 for all presets).
   *
   * @return the number of floats per vector
   */
  public int dimension() {
    return dimension;
  }

  /**
   * Stable id of the produced vectors for cache keys, see {@link EncoderConfig#modelId()}.
   *
   * @return e.g. {@code all-minilm-l6-v2-max256}
   */
  public String modelId() {
    return modelId;
  }

  /**
   * Maximum sequence length in tokens (special tokens included).
   *
   * @return the maximum length
   */
  public int maxLength() {
    return config.maxLength();
  }

  /**
   * Size of the tokenizer's vocabulary (largest id + 1).
   *
   * @return the vocabulary size
   */
  public int vocabularySize() {
    return vocabSize;
  }

  /**
   * Whether the model takes a {@code token_type_ids} input (detected from the session's input names).
   *
   * @return {@code true} if token type ids are fed
   */
  public boolean usesTokenTypeIds() {
    return useTokenTypeIds;
  }

  /**
   * The model output read, configured or auto-detected.
   *
   * @return the output tensor name
   */
  public String outputName() {
    return outputName;
  }

  /**
   * Number of tokens the model sees for a text (special tokens included, after truncation, no prefix
   * added).
   *
   * @param text the text
   * @return the token count, at most {@link #maxLength()}
   */
  public int tokenCount(String text) {
    ensureOpen();
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    return tokenizer.encode(text, true, false).getIds().length;
  }

  /**
   * Encodes one query (with the query prefix).
   *
   * @param query the query text
   * @return its vector
   */
  public float[] encodeQuery(String query) {
    return encodeQueries(List.of(nonNull(query, "query")))[0];
  }

  /**
   * Encodes queries, each preceded by the query prefix.
   *
   * @param queries the queries, non-empty, no {@code null} element
   * @return one vector per query, in order
   */
  public float[][] encodeQueries(List<String> queries) {
    return encodeQueries(queries, EncodeProgress.NONE);
  }

  /**
   * Encodes queries, each preceded by the query prefix, reporting progress.
   *
   * @param queries the queries, non-empty, no {@code null} element
   * @param progress called after every batch
   * @return one vector per query, in order
   */
  public float[][] encodeQueries(List<String> queries, EncodeProgress progress) {
    return encode(queries, config.queryPrefix(), "query", progress);
  }

  /**
   * Encodes documents as {@code title + " " + text} (or just {@code text} without title), each preceded
   * by the document prefix.
   *
   * @param documents the documents, non-empty, no {@code null} element or text
   * @return one vector per document, in order
   */
  public float[][] encodeDocuments(List<Passage> documents) {
    return encodeDocuments(documents, EncodeProgress.NONE);
  }

  /**
   * Encodes documents (see {@link #encodeDocuments(List)}), reporting progress.
   *
   * @param documents the documents, non-empty, no {@code null} element or text
   * @param progress called after every batch
   * @return one vector per document, in order
   */
  public float[][] encodeDocuments(List<Passage> documents, EncodeProgress progress) {
    checkNonEmpty(documents, "documents");
    List<String> joined = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      Passage p = documents.get(i);
      if (p == null) {
        throw new IllegalArgumentException("document at index " + i + " is null");
      }
      if (p.text() == null) {
        throw new IllegalArgumentException("document text at index " + i + " is null");
      }
      joined.add(p.joined());
    }
    return encode(joined, config.documentPrefix(), "document", progress);
  }

  /**
   * Encodes documents given as parallel lists of titles and texts.
   *
   * @param titles the titles, {@code null} for no titles; elements may be {@code null} or empty
   * @param texts the texts, non-empty, no {@code null} element
   * @return one vector per document, in order
   */
  public float[][] encodeDocuments(List<String> titles, List<String> texts) {
    return encodeDocuments(titles, texts, EncodeProgress.NONE);
  }

  /**
   * Encodes documents given as parallel lists of titles and texts, reporting progress.
   *
   * @param titles the titles, {@code null} for no titles; elements may be {@code null} or empty
   * @param texts the texts, non-empty, no {@code null} element
   * @param progress called after every batch
   * @return one vector per document, in order
   */
  public float[][] encodeDocuments(List<String> titles, List<String> texts, EncodeProgress progress) {
    checkNonEmpty(texts, "texts");
    if (titles != null && titles.size() != texts.size()) {
      throw new IllegalArgumentException(
          "titles and texts differ in size: " + titles.size() + " != " + texts.size());
    }
    List<Passage> docs = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      docs.add(new Passage(titles == null ? null : titles.get(i), texts.get(i)));
    }
    return encodeDocuments(docs, progress);
  }

  /**
   * Encodes texts exactly as given, without any prefix.
   *
   * @param texts the texts, non-empty, no {@code null} element
   * @return one vector per text, in order
   */
  public float[][] encodeTexts(List<String> texts) {
    return encode(texts, "", "text", EncodeProgress.NONE);
  }

  private float[][] encode(List<String> texts, String prefix, String kind, EncodeProgress progress) {
    return encode(texts, prefix, kind, progress, config.batchSize(), config.sortByLength());
  }

  /** Encodes without prefix with an explicit batching (tests and benchmark share one session). */
  float[][] encodeTexts(List<String> texts, int batchSize, boolean sortByLength) {
    return encode(texts, "", "text", EncodeProgress.NONE, batchSize, sortByLength);
  }

  private float[][] encode(
      List<String> texts,
      String prefix,
      String kind,
      EncodeProgress progress,
      int batchSize,
      boolean sortByLength) {
    ensureOpen();
    checkNonEmpty(texts, kind + "s");
    if (progress == null) {
      progress = EncodeProgress.NONE;
    }
    int n = texts.size();
    String[] input = new String[n];
    for (int i = 0; i < n; i++) {
      String t = texts.get(i);
      if (t == null) {
        throw new IllegalArgumentException(kind + " text at index " + i + " is null");
      }
      input[i] = prefix.isEmpty() ? t : prefix + t;
    }
    float[][] result = new float[n][];
    int chunk = Math.max(MIN_CHUNK, batchSize * 32);
    int done = 0;
    for (int start = 0; start < n; start += chunk) {
      int end = Math.min(n, start + chunk);
      long[][] ids = tokenize(Arrays.copyOfRange(input, start, end));
      Integer[] order = new Integer[ids.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      if (sortByLength) {
        Arrays.sort(order, (a, b) -> Integer.compare(ids[a].length, ids[b].length));
      }
      for (int b = 0; b < order.length; b += batchSize) {
        int bn = Math.min(batchSize, order.length - b);
        long[][] batch = new long[bn][];
        for (int i = 0; i < bn; i++) {
          batch[i] = ids[order[b + i]];
        }
        float[][] vecs;
        try {
          vecs = runBatch(batch);
        } catch (OrtException e) {
          throw new IllegalStateException(
              "ONNX Runtime failed on a batch of " + bn + " " + kind + "s with model " + config.model()
                  + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < bn; i++) {
          result[start + order[b + i]] = vecs[i];
        }
        done += bn;
        progress.onProgress(done, n);
      }
    }
    return result;
  }

  /** Token ids (special tokens added, truncated to maxLength, not padded) of each text. */
  long[][] tokenize(String[] texts) {
    Encoding[] encodings = tokenizer.batchEncode(texts, true, false);
    long[][] ids = new long[encodings.length][];
    for (int i = 0; i < encodings.length; i++) {
      ids[i] = encodings[i].getIds();
    }
    return ids;
  }

  /** Runs one right-padded batch and returns the pooled (and normalised) vectors. */
  float[][] runBatch(long[][] batch) throws OrtException {
    int bn = batch.length;
    int len = 0;
    for (long[] t : batch) {
      len = Math.max(len, t.length);
    }
    long[] idBuf = new long[bn * len];
    long[] maskBuf = new long[bn * len];
    for (int i = 0; i < bn; i++) {
      System.arraycopy(batch[i], 0, idBuf, i * len, batch[i].length);
      Arrays.fill(maskBuf, i * len, i * len + batch[i].length, 1L);
    }
    long[] shape = {bn, len};
    Map<String, OnnxTensor> in = new HashMap<>(4);
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(idBuf), shape);
        OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(maskBuf), shape);
        OnnxTensor types =
            useTokenTypeIds
                ? OnnxTensor.createTensor(env, LongBuffer.wrap(new long[bn * len]), shape)
                : null) {
      in.put(ModelSignature.INPUT_IDS, ids);
      in.put(ModelSignature.ATTENTION_MASK, mask);
      if (types != null) {
        in.put(ModelSignature.TOKEN_TYPE_IDS, types);
      }
      try (OrtSession.Result r = session.run(in, outputNames)) {
        OnnxValue v = r.get(0);
        if (!(v instanceof OnnxTensor out)) {
          throw new IllegalStateException("output '" + outputName + "' is not a tensor");
        }
        long[] outShape = out.getInfo().getShape();
        FloatBuffer fb = out.getFloatBuffer();
        if (fb == null) {
          throw new IllegalStateException(
              "output '" + outputName + "' of " + config.model() + " is not a float tensor");
        }
        float[] all = new float[fb.remaining()];
        fb.get(all);
        return TokenPooling.pool(
            batch, len, all, outShape, pooledOutput, config.pooling(), config.normalize());
      }
    }
  }

  OrtEnvironment environment() {
    return env;
  }

  private static <T> T nonNull(T t, String what) {
    if (t == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    return t;
  }

  private static void checkNonEmpty(List<?> list, String what) {
    if (list == null) {
      throw new IllegalArgumentException("input list of " + what + " is null");
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("empty input list: no " + what + " to encode");
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("encoder " + modelId + " is closed");
    }
  }

  /** Releases the ONNX Runtime session and the native tokenizer. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    tokenizer.close();
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close ONNX session of " + modelId, e);
    }
  }

  @Override
  public String toString() {
    return "TextEncoder{" + modelId + ", dim=" + dimension + ", output=" + outputName
        + (useTokenTypeIds ? ", token_type_ids" : "") + "}";
  }

}
