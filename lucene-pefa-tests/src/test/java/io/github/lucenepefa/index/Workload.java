package io.github.lucenepefa.index;

import io.github.lucenepefa.codec.Pefa01Codec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.TermQuery;

/**
 * A deterministic stream of {@link PefaIndexWriter} calls, one generation at a time. The calls of
 * generation {@code g} follow from the seed, the workload's id prefix, {@code g} and the {@link
 * WriteModel} state before it, so a process that knows the seed can replay exactly what any
 * generation wrote (the crash test's parent replays what its killed child committed).
 *
 * <p>A generation adds and updates documents (some without a vector, some labelled before they
 * exist), deletes documents by key and by query, adds training pairs (some to keys that never
 * exist), removes pairs (weight the row holds), labels and rows, and flushes or reopens a
 * near-real-time reader anywhere. A row's vector depends on its id only, so rows can be deleted and
 * added again. Weights are small integers, so that sums are exact in any order.
 */
final class Workload {

  /** The commit user-data key under which the tests record a commit's generation. */
  static final String GENERATION = "robust.generation";

  /** Stored and indexed colour of every document (the oracle's filter field). */
  static final String COLOR = "color";

  /** Indexed id prefix of the workload that wrote a document. */
  static final String OWNER = "owner";

  /** An analysed text field of every document. */
  static final String BODY = "body";

  static final String[] COLORS = {"red", "blue", "green"};

  final long seed;
  final PefaSchema schema;
  private final String prefix;
  private final List<String> labelPrefixes;
  private final List<float[]> centres = new ArrayList<>();
  private final int keySpace, rowSpace;

  /** A workload that owns every document and row of the index. */
  Workload(long seed) {
    this(seed, "", List.of(""));
  }

  /**
   * A workload writing the documents and rows whose ids start with {@code prefix}; its rows label
   * documents of the workloads of {@code labelPrefixes}. Workloads of one seed share the schema.
   */
  Workload(long seed, String prefix, List<String> labelPrefixes) {
    this.seed = seed;
    this.prefix = prefix;
    this.labelPrefixes = List.copyOf(labelPrefixes);
    Random r = new Random(seed);
    int dim = 4 + r.nextInt(13);
    schema =
        PefaSchema.builder(dim)
            .xsLambda(r.nextInt(11) / 10f)
            .xsAnyLambda(r.nextInt(4) != 0)
            .hnsw(4 + r.nextInt(12), 10 + r.nextInt(40))
            .build();
    int clusters = 1 + r.nextInt(5);
    for (int c = 0; c < clusters; c++) {
      centres.add(gaussianUnit(r, dim));
    }
    keySpace = 20 + r.nextInt(60);
    rowSpace = 15 + r.nextInt(50);
  }

  /** A writer configuration with the PEFA codec and small random segments (many merges). */
  static IndexWriterConfig config(Random r) {
    IndexWriterConfig c =
        new IndexWriterConfig()
            .setCodec(new Pefa01Codec())
            .setMaxBufferedDocs(2 + r.nextInt(30))
            .setRAMBufferSizeMB(IndexWriterConfig.DISABLE_AUTO_FLUSH);
    if (r.nextBoolean()) {
      org.apache.lucene.index.LogDocMergePolicy mp = new org.apache.lucene.index.LogDocMergePolicy();
      mp.setMergeFactor(2 + r.nextInt(4));
      mp.setMinMergeDocs(1);
      c.setMergePolicy(mp);
    } else {
      org.apache.lucene.index.TieredMergePolicy mp = new org.apache.lucene.index.TieredMergePolicy();
      mp.setSegmentsPerTier(2 + r.nextInt(4));
      c.setMergePolicy(mp);
    }
    return c;
  }

  /** One call of the workload, and its effect on the model. */
  sealed interface Op {
    void apply(PefaIndexWriter w) throws IOException;

    void apply(WriteModel m);
  }

  record AddDoc(String key, float[] p, String color, String owner, String body) implements Op {
    @Override
    public void apply(PefaIndexWriter w) throws IOException {
      w.addDocument(
          key,
          p,
          List.of(
              new StringField(COLOR, color, Field.Store.YES),
              new StringField(OWNER, owner, Field.Store.NO),
              new TextField(BODY, body, Field.Store.NO)));
    }

    @Override
    public void apply(WriteModel m) {
      m.addDocument(key, p, color);
    }

    @Override
    public String toString() {
      return "addDocument(" + key + (p == null ? ", no vector" : "") + ", " + color + ")";
    }
  }

  record DeleteDoc(String key) implements Op {
    @Override
    public void apply(PefaIndexWriter w) throws IOException {
      w.deleteDocument(key);
    }

    @Override
    public void apply(WriteModel m) {
      m.deleteDocument(key);
    }
  }

  record DeleteColor(String color, String owner) implements Op {
    @Override
    public void apply(PefaIndexWriter w) throws IOException {
      w.deleteDocuments(
          new BooleanQuery.Builder()
              .add(new TermQuery(new Term(COLOR, color)), BooleanClause.Occur.FILTER)
              .add(new TermQuery(new Term(OWNER, owner)), BooleanClause.Occur.FILTER)
              .build());
    }

    @Override
    public void apply(WriteModel m) {
      m.deleteColor(color);
    }
  }

  record AddLabels(String rowId, float[] x, Map<String, Float> labels) implements Op {
    @Override
    public void apply(PefaIndexWriter w) throws IOException {
      if (labels.size() == 1) {
        Map.Entry<String, Float> e = labels.entrySet().iterator().next();
        w.addTrainingPair(rowId, x, e.getKey(), e.getValue());
      } else {
        w.addTrainingQuery(rowId, x, labels);
      }
    }

    @Override
    public void apply(WriteModel m) {
      m.addLabels(rowId, x, labels);
    }

    @Override
    public String toString() {
      return "addTrainingQuery(" + rowId + ", " + labels + ")";
    }
  }

  record RemovePair(String rowId, String key, float weight) implements Op {
    @Override
    public void apply(PefaIndexWriter w) {
      w.removeTrainingPair(rowId, key, weight);
    }

    @Override
    public void apply(WriteModel m) {
      m.removePair(rowId, key, weight);
    }
  }

  record RemoveLabel(String rowId, String key) implements Op {
    @Override
    public void apply(PefaIndexWriter w) {
      w.removeTrainingLabel(rowId, key);
    }

    @Override
    public void apply(WriteModel m) {
      m.removeLabel(rowId, key);
    }
  }

  record DeleteRow(String rowId) implements Op {
    @Override
    public void apply(PefaIndexWriter w) {
      w.deleteTrainingQuery(rowId);
    }

    @Override
    public void apply(WriteModel m) {
      m.deleteRow(rowId);
    }
  }

  record Flush() implements Op {
    @Override
    public void apply(PefaIndexWriter w) throws IOException {
      w.flush();
    }

    @Override
    public void apply(WriteModel m) {}
  }

  /** Opens a near-real-time reader on the writer (which flushes it) and closes it. */
  record Reopen() implements Op {
    @Override
    public void apply(PefaIndexWriter w) throws IOException {
      PefaDirectoryReader.open(w).close();
    }

    @Override
    public void apply(WriteModel m) {}
  }

  /**
   * The calls of generation {@code gen}; advances {@code model} by them.
   *
   * @param gen the generation, from 1
   * @param model the model as every earlier generation left it
   */
  List<Op> generation(int gen, WriteModel model) {
    Random r = new Random(seed * 0x9E3779B97F4A7C15L + prefix.hashCode() * 31L + gen);
    int count = 3 + r.nextInt(r.nextInt(5) == 0 ? 60 : 20);
    List<Op> ops = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Op op = next(r, model);
      op.apply(model);
      ops.add(op);
    }
    return ops;
  }

  /** The model after generations 1 to {@code gen}. */
  WriteModel replay(int gen) {
    WriteModel m = new WriteModel();
    for (int g = 1; g <= gen; g++) {
      generation(g, m);
    }
    return m;
  }

  private Op next(Random r, WriteModel m) {
    int c = r.nextInt(100);
    String owner = "o" + prefix;
    if (c < 30 || c >= 93) {
      String key = prefix + "d" + r.nextInt(keySpace);
      float[] p = r.nextInt(12) == 0 ? null : clustered(r);
      String body = "w" + r.nextInt(5) + " w" + r.nextInt(5);
      return new AddDoc(key, p, COLORS[r.nextInt(COLORS.length)], owner, body);
    }
    if (c < 36) {
      return new DeleteDoc(prefix + "d" + r.nextInt(keySpace));
    }
    if (c < 38) {
      return new DeleteColor(COLORS[r.nextInt(COLORS.length)], owner);
    }
    List<String> ownRows = new ArrayList<>(m.rows.keySet());
    if (c < 48 && ownRows.isEmpty() == false) {
      // remove weight the row holds (a part or all of it)
      String id = ownRows.get(r.nextInt(ownRows.size()));
      List<Map.Entry<String, Float>> labels = new ArrayList<>(m.rows.get(id).labels().entrySet());
      Map.Entry<String, Float> l = labels.get(r.nextInt(labels.size()));
      return new RemovePair(id, l.getKey(), 1 + r.nextInt((int) (float) l.getValue()));
    }
    if (c < 52 && ownRows.isEmpty() == false) {
      String id = ownRows.get(r.nextInt(ownRows.size()));
      List<String> keys = new ArrayList<>(m.rows.get(id).labels().keySet());
      String key = r.nextInt(4) == 0 ? labelKey(r) : keys.get(r.nextInt(keys.size()));
      return new RemoveLabel(id, key);
    }
    if (c < 55) {
      return new DeleteRow(prefix + "q" + r.nextInt(rowSpace));
    }
    if (c < 82) {
      String id = prefix + "q" + r.nextInt(rowSpace);
      Map<String, Float> labels = new LinkedHashMap<>();
      int n = r.nextInt(4) == 0 ? 2 + r.nextInt(4) : 1;
      for (int i = 0; i < n; i++) {
        labels.merge(labelKey(r), (float) (1 + r.nextInt(3)), Float::sum);
      }
      return new AddLabels(id, rowVector(id), labels);
    }
    return c < 90 ? new Flush() : new Reopen();
  }

  /** A key a row may label: a document of one of the label prefixes, or one that never exists. */
  private String labelKey(Random r) {
    String p = labelPrefixes.get(r.nextInt(labelPrefixes.size()));
    return p + "d" + r.nextInt(keySpace + keySpace / 5 + 1);
  }

  /** The vector of a row: a function of the seed and the id only. */
  float[] rowVector(String rowId) {
    return clustered(new Random(seed * 0x2545F4914F6CDD1DL + rowId.hashCode()));
  }

  /** A unit vector near one of the seed's cluster centres. */
  float[] clustered(Random r) {
    float[] c = centres.get(r.nextInt(centres.size()));
    int dim = c.length;
    float[] v = new float[dim];
    float noise = 0.2f + r.nextFloat();
    for (int i = 0; i < dim; i++) {
      v[i] = c[i] + noise * (float) r.nextGaussian() / (float) Math.sqrt(dim);
    }
    return PefaVectors.normalize(v);
  }

  static float[] gaussianUnit(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return PefaVectors.normalize(v);
  }
}
