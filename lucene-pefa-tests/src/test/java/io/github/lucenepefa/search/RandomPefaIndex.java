package io.github.lucenepefa.search;

import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;

/**
 * Builds a random PEFA index and, in step, the test's {@link PefaModel} of it: several segments,
 * memory rows with repeated ids and labels to unknown keys, documents without vectors, documents
 * added before or after the rows that label them, deletes, updates, late training pairs, removed
 * pairs and labels, row deletions, flushes anywhere and merges. Each graph (ERM, PEFA-XS, memory) is
 * quantized or not at random.
 */
final class RandomPefaIndex implements AutoCloseable {

  final Random random;
  final int dim;
  final PefaSchema schema;
  final PefaModel model = new PefaModel();
  final Directory dir = new ByteBuffersDirectory();
  final IndexWriter lucene;
  final PefaIndexWriter writer;
  final List<float[]> centres = new ArrayList<>();
  int nextRowId;

  /** The text field of the documents (the lexical side of hybrid queries). */
  static final String TEXT_FIELD = "text";

  /** The words of the text field, {@code w0} the most frequent. */
  static final int VOCABULARY = 30;

  /** Draws the text (its own generator, so the PEFA side's random history is unchanged). */
  final Random textRandom;

  /** Random text of 1 to 12 words, skewed towards the first words of the vocabulary. */
  static String randomText(Random r) {
    StringBuilder sb = new StringBuilder();
    int words = 1 + r.nextInt(12);
    for (int w = 0; w < words; w++) {
      sb.append(" w").append(Math.min(r.nextInt(VOCABULARY), r.nextInt(VOCABULARY)));
    }
    return sb.toString().trim();
  }

  RandomPefaIndex(long seed) throws IOException {
    random = new Random(seed);
    textRandom = new Random(seed ^ 0x5eedL);
    dim = 2 + random.nextInt(15);
    float xsLambda = random.nextInt(11) / 10f;
    // graphs quantized at random, drawn apart from the index's own stream
    Random quantization = new Random(seed ^ 0x9E3779B97F4A7C15L);
    PefaQuantization anyQuantization =
        PefaQuantization.values()[quantization.nextInt(PefaQuantization.values().length)];
    schema =
        PefaSchema.builder(dim)
            .xsLambda(xsLambda)
            .xsAnyLambda(random.nextInt(4) != 0) // a quarter store e_d only
            .hnsw(4 + random.nextInt(12), 10 + random.nextInt(40))
            .ermQuantization(quantization.nextInt(2) == 0 ? PefaQuantization.NONE : anyQuantization)
            .xsQuantization(quantization.nextInt(2) == 0 ? PefaQuantization.NONE : anyQuantization)
            .memoryQuantization(
                quantization.nextInt(2) == 0 ? PefaQuantization.NONE : anyQuantization)
            .build();
    IndexWriterConfig config =
        new IndexWriterConfig()
            .setCodec(new Pefa01Codec())
            .setMaxBufferedDocs(2 + random.nextInt(40))
            .setMergePolicy(
                switch (random.nextInt(3)) {
                  case 0 -> NoMergePolicy.INSTANCE;
                  case 1 -> new LogDocMergePolicy();
                  default -> new TieredMergePolicy();
                });
    lucene = new IndexWriter(dir, config);
    if (random.nextInt(3) == 0) {
      // a small buffer (flushes while documents are added) written by up to 3 threads
      writer = new PefaIndexWriter(lucene, schema, 1 + random.nextInt(30), 1 + random.nextInt(3));
    } else {
      writer = new PefaIndexWriter(lucene, schema);
    }
    int clusters = 1 + random.nextInt(6);
    for (int c = 0; c < clusters; c++) {
      centres.add(randomUnit());
    }
  }

  float[] randomUnit() {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return PefaVectors.normalize(v);
  }

  /** A unit vector near a random cluster centre. */
  float[] clustered() {
    float[] c = centres.get(random.nextInt(centres.size()));
    float[] v = new float[dim];
    float noise = 0.2f + random.nextFloat();
    for (int i = 0; i < dim; i++) {
      v[i] = c[i] + noise * (float) random.nextGaussian() / (float) Math.sqrt(dim);
    }
    return PefaVectors.normalize(v);
  }

  String key(int i) {
    return "d" + i;
  }

  void addRows(int count, int keySpace) throws IOException {
    for (int r = 0; r < count; r++) {
      // some ids repeat (merged rows: same vector, labels unioned); others are fresh
      String id;
      if (random.nextInt(4) == 0 && model.rows.isEmpty() == false) {
        List<String> ids = new ArrayList<>(model.rows.keySet());
        id = ids.get(random.nextInt(ids.size()));
      } else {
        id = "q" + nextRowId++;
      }
      PefaModel.Row existing = model.rows.get(id);
      float[] x = existing != null ? existing.x : clustered();
      Map<String, Float> labels = new LinkedHashMap<>();
      int nl = 1 + random.nextInt(random.nextInt(10) == 0 ? 20 : 3);
      for (int l = 0; l < nl; l++) {
        // keys beyond keySpace are unknown documents
        labels.merge(key(random.nextInt(keySpace + keySpace / 5 + 1)), (float) (1 + random.nextInt(2)), Float::sum);
      }
      writer.addTrainingQuery(id, x, labels);
      model.addRow(id, x, labels);
    }
  }

  void addDoc(String key) throws IOException {
    float[] p = random.nextInt(15) == 0 ? null : clustered();
    String color = random.nextBoolean() ? "red" : "blue";
    List<org.apache.lucene.index.IndexableField> fields = new ArrayList<>();
    fields.add(new StringField("color", color, Field.Store.YES));
    if (textRandom.nextInt(10) != 0) {
      fields.add(new TextField(TEXT_FIELD, randomText(textRandom), Field.Store.NO));
    }
    writer.addDocument(key, p, fields);
    model.addDoc(key, p, color);
  }

  void maybeFlush() throws IOException {
    switch (random.nextInt(30)) {
      case 0 -> writer.flush();
      case 1 -> writer.commit();
      default -> {}
    }
  }

  /** Builds the whole random history. */
  void build() throws IOException {
    int numDocs = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(150);
    int numRows = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(120);
    int keySpace = Math.max(numDocs, 1);
    boolean rowsFirst = random.nextBoolean();
    if (rowsFirst) {
      addRows(numRows, keySpace);
    }
    for (int i = 0; i < numDocs; i++) {
      addDoc(key(i));
      maybeFlush();
      if (rowsFirst == false && random.nextInt(10) == 0) {
        addRows(1 + random.nextInt(5), keySpace); // pairs among the documents
      }
    }
    if (rowsFirst == false) {
      addRows(numRows, keySpace); // the rows after their documents
    }
    if (random.nextBoolean()) {
      writer.commit();
    }
    // deletes, updates, late pairs, row changes
    int ops = random.nextInt(40);
    for (int o = 0; o < ops && numDocs > 0; o++) {
      String key = key(random.nextInt(numDocs));
      switch (random.nextInt(8)) {
        case 0 -> {
          writer.deleteDocument(key);
          model.deleteDoc(key);
        }
        case 1, 2 -> addDoc(key); // update: new vector
        case 3 -> addRows(1 + random.nextInt(3), numDocs);
        case 4 -> {
          if (model.rows.isEmpty() == false) {
            List<String> ids = new ArrayList<>(model.rows.keySet());
            String id = ids.get(random.nextInt(ids.size()));
            writer.deleteTrainingQuery(id);
            model.rows.remove(id);
          }
        }
        case 5 -> {
          if (model.rows.isEmpty() == false) {
            List<String> ids = new ArrayList<>(model.rows.keySet());
            PefaModel.Row row = model.rows.get(ids.get(random.nextInt(ids.size())));
            String label = row.labels.keySet().iterator().next();
            writer.removeTrainingPair(row.id, label, 1f);
            model.removePair(row.id, label, 1f);
          }
        }
        default -> {
          if (model.rows.isEmpty() == false) {
            List<String> ids = new ArrayList<>(model.rows.keySet());
            PefaModel.Row row = model.rows.get(ids.get(random.nextInt(ids.size())));
            String label = row.labels.keySet().iterator().next();
            writer.removeTrainingLabel(row.id, label);
            model.removeLabel(row.id, label);
          }
        }
      }
      maybeFlush();
    }
    if (random.nextInt(10) == 0 && numDocs > 0) {
      for (int i = 0; i < numDocs; i++) { // all docs deleted
        writer.deleteDocument(key(i));
        model.deleteDoc(key(i));
      }
    }
    writer.commit();
    if (random.nextInt(4) == 0) {
      lucene.forceMerge(1 + random.nextInt(2));
      lucene.commit();
    }
    writer.close();
    lucene.close();
  }

  @Override
  public void close() throws IOException {
    if (lucene.isOpen()) {
      lucene.rollback();
    }
    dir.close();
  }
}
