package io.github.lucenepefa.cli.vectors;

import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.cli.data.TrainingMemoryBuilder;
import io.github.lucenepefa.cli.progress.ProgressBar;
import io.github.lucenepefa.encoder.EncoderConfig;
import io.github.lucenepefa.encoder.Passage;
import io.github.lucenepefa.encoder.TextEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Vectors for texts through the {@link VectorCache}: texts already cached are not encoded again; the others are
 * encoded with a {@link TextEncoder} (opened only when needed), with a progress bar, and appended to the cache in
 * blocks so that an interrupted run keeps what it did.
 *
 * <p>Kinds: {@code query} texts (test queries, training queries and doc-as-query chunks: the model's query side) and
 * {@code doc} texts ({@code (title + " " + text).strip()}, the model's document side). The cache key is the text the
 * encoder is given (before the model's own prefix, which is part of the model id).
 */
public final class Embedder implements VectorSource {

  /** Texts encoded and appended to the cache at a time. */
  static final int BLOCK = 2048;

  private final String model;
  private final EncoderConfig config;
  private final VectorCache cache;
  private TextEncoder encoder;
  private long encoded;
  private long cacheHits;

  /**
   * @param config the encoder configuration
   * @param cache the cache
   */
  public Embedder(EncoderConfig config, VectorCache cache) {
    this(config.name(), config, cache);
  }

  /**
   * @param model what the index records as the model (a preset name or {@code model-dir:DIR})
   * @param config the encoder configuration
   * @param cache the cache
   */
  public Embedder(String model, EncoderConfig config, VectorCache cache) {
    this.model = model;
    this.config = config;
    this.cache = cache;
  }

  @Override
  public String model() {
    return model;
  }

  /** @return the model id (cache key part) */
  @Override
  public String modelId() {
    return config.modelId();
  }

  @Override
  public float[][] docs(BeirDataset ds) throws IOException {
    List<String> texts = new ArrayList<>(ds.docs().size());
    for (BeirDataset.Doc d : ds.docs()) {
      texts.add(d.titleAndText());
    }
    return docs(texts, "encode docs");
  }

  @Override
  public float[][] queries(List<BeirDataset.Query> queries) throws IOException {
    List<String> texts = new ArrayList<>(queries.size());
    for (BeirDataset.Query q : queries) {
      texts.add(q.text());
    }
    return queries(texts, "encode queries");
  }

  @Override
  public float[][] texts(List<String> texts) throws IOException {
    return queries(texts, "encode queries");
  }

  @Override
  public float[][] rows(List<MemoryRow> rows) throws IOException {
    List<String> texts = new ArrayList<>(rows.size());
    for (MemoryRow r : rows) {
      texts.add(r.text());
    }
    return queries(texts, "encode memory");
  }

  @Override
  public void addChunks(TrainingMemoryBuilder b, BeirDataset ds, int chunks, int chunkWords) {
    b.addDocChunks(ds.docs(), chunkWords, chunks);
  }

  /** @return the configuration */
  public EncoderConfig config() {
    return config;
  }

  /** @return the encoder, opened on first use */
  public synchronized TextEncoder encoder() throws IOException {
    if (encoder == null) {
      encoder = TextEncoder.open(config);
    }
    return encoder;
  }

  /** @return texts encoded (cache misses) so far */
  @Override
  public long encodedCount() {
    return encoded;
  }

  /** @return texts served from the cache so far */
  @Override
  public long cacheHitCount() {
    return cacheHits;
  }

  /**
   * @param texts query-side texts
   * @param label progress label
   * @return one unit vector per text, in order
   * @throws IOException on cache or model errors
   */
  public float[][] queries(List<String> texts, String label) throws IOException {
    return embed(texts, "query", label);
  }

  /**
   * @param texts document-side texts ({@code title + " " + text}, stripped)
   * @param label progress label
   * @return one unit vector per text, in order
   * @throws IOException on cache or model errors
   */
  public float[][] docs(List<String> texts, String label) throws IOException {
    return embed(texts, "doc", label);
  }

  /**
   * Encodes directly, bypassing the cache (for checks).
   *
   * @param texts texts
   * @param kind {@code query} or {@code doc}
   * @return vectors
   * @throws IOException on model errors
   */
  public float[][] encodeUncached(List<String> texts, String kind) throws IOException {
    TextEncoder enc = encoder();
    if (kind.equals("doc")) {
      List<Passage> ps = new ArrayList<>(texts.size());
      for (String t : texts) {
        ps.add(new Passage(null, t));
      }
      return enc.encodeDocuments(ps);
    }
    return enc.encodeQueries(texts);
  }

  private float[][] embed(List<String> texts, String kind, String label) throws IOException {
    Map<VectorCache.Key, float[]> cached = cache.vectors(modelId(), kind);
    float[][] out = new float[texts.size()][];
    VectorCache.Key[] keys = new VectorCache.Key[texts.size()];
    LinkedHashMap<VectorCache.Key, String> missing = new LinkedHashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      keys[i] = VectorCache.key(texts.get(i));
      float[] v = cached.get(keys[i]);
      if (v != null) {
        out[i] = v;
        cacheHits++;
      } else {
        missing.putIfAbsent(keys[i], texts.get(i));
      }
    }
    if (!missing.isEmpty()) {
      TextEncoder enc = encoder();
      List<VectorCache.Key> mk = new ArrayList<>(missing.keySet());
      List<String> mt = new ArrayList<>(missing.values());
      try (ProgressBar bar = new ProgressBar(label, mt.size(), "texts")) {
        for (int from = 0; from < mt.size(); from += BLOCK) {
          int to = Math.min(mt.size(), from + BLOCK);
          List<String> block = mt.subList(from, to);
          int[] last = {0};
          float[][] vs;
          try {
            if (kind.equals("doc")) {
              List<Passage> ps = new ArrayList<>(block.size());
              for (String t : block) {
                ps.add(new Passage(null, t));
              }
              vs = enc.encodeDocuments(ps, (done, total) -> {
                bar.advance(done - last[0]);
                last[0] = done;
              });
            } else {
              vs = enc.encodeQueries(block, (done, total) -> {
                bar.advance(done - last[0]);
                last[0] = done;
              });
            }
          } catch (UncheckedIOException e) {
            throw e.getCause();
          }
          cache.put(modelId(), kind, mk.subList(from, to), List.of(vs));
          encoded += vs.length;
        }
      }
      for (int i = 0; i < texts.size(); i++) {
        if (out[i] == null) {
          out[i] = cached.get(keys[i]);
        }
      }
    }
    return out;
  }

  @Override
  public synchronized void close() {
    if (encoder != null) {
      encoder.close();
      encoder = null;
    }
  }
}
