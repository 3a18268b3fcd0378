package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.index.PefaDirectoryReader;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.KnnWeighting;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.PefaQuery;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * One Lucene index built by the core library alone (PefaIndexWriter, then PefaQuery with
 * exhaustive effort) from the same documents and memory as the OpenSearch cluster: the answer the
 * sharded plugin must reproduce.
 */
final class SingleIndexOracle implements Closeable {

  /** One training-memory row. */
  record Row(String id, float[] vector, Map<String, Float> labels) {}

  /** One document, with an optional text (the field {@code text}, analyzed by Lucene's standard analyzer). */
  record Doc(String id, float[] vector, String category, String text) {
    Doc(String id, float[] vector, String category) {
      this(id, vector, category, null);
    }
  }

  /** One hit: document id and score. */
  record Hit(String id, float score) {}

  private final PefaSchema schema;
  private final ByteBuffersDirectory dir = new ByteBuffersDirectory();
  private final DirectoryReader reader;
  private final IndexSearcher searcher;

  SingleIndexOracle(int dim, float xsLambda, List<Row> rows, List<Doc> docs) throws IOException {
    this(PefaSchema.builder(dim).xsLambda(xsLambda).build(), rows, docs);
  }

  /** The index of {@code schema} (for example with quantized graphs) over the same data. */
  SingleIndexOracle(PefaSchema schema, List<Row> rows, List<Doc> docs) throws IOException {
    this.schema = schema;
    try (PefaIndexWriter w = PefaIndexWriter.open(dir, schema)) {
      for (Row r : rows) {
        w.addTrainingQuery(r.id(), r.vector(), r.labels());
      }
      w.flush();
      for (Doc d : docs) {
        List<org.apache.lucene.index.IndexableField> fields = new ArrayList<>();
        fields.add(new StringField("category", d.category(), Field.Store.NO));
        if (d.text() != null) {
          fields.add(new org.apache.lucene.document.TextField("text", d.text(), Field.Store.NO));
        }
        w.addDocument(d.id(), d.vector(), fields);
      }
      w.commit();
    }
    reader = PefaDirectoryReader.open(dir);
    searcher = new IndexSearcher(reader);
  }

  List<Hit> xl(
      float[] q,
      float lambda,
      int k,
      int topK,
      boolean mean,
      boolean softmax,
      Float temperature,
      boolean topKOnly,
      String category,
      int n)
      throws IOException {
    return run(xlQuery(q, lambda, k, topK, mean, softmax, temperature, topKOnly, category, n), n);
  }

  /** The core's hybrid query ({@code PefaHybridQuery}) of {@code pefa} and {@code lexical} at weight {@code a}. */
  List<Hit> hybrid(PefaQuery pefa, Query lexical, float a, int n) throws IOException {
    return run(io.github.lucenepefa.search.PefaHybridQuery.of(pefa, lexical, a), n);
  }

  PefaQuery xsQuery(float[] q, Float lambda, int n) {
    PefaQuery.Builder b = PefaQuery.xs(schema, q, n).effort(AnnEffort.EXHAUSTIVE);
    if (lambda != null) {
      b.lambda(lambda);
    }
    return b.build();
  }

  PefaQuery xlQuery(
      float[] q,
      float lambda,
      int k,
      int topK,
      boolean mean,
      boolean softmax,
      Float temperature,
      boolean topKOnly,
      String category,
      int n)
      throws IOException {
    PefaQuery.Builder b =
        PefaQuery.xl(schema, q, n)
            .lambda(lambda)
            .k(k)
            .topK(topK)
            .knnNormalization(mean ? KnnNormalization.MEAN : KnnNormalization.SUM)
            .knnWeighting(softmax ? KnnWeighting.SOFTMAX : KnnWeighting.SIMILARITY)
            .ermScoreMode(topKOnly ? ErmScoreMode.TOP_K_ONLY : ErmScoreMode.EXACT)
            .effort(AnnEffort.EXHAUSTIVE);
    if (temperature != null) {
      b.temperature(temperature);
    }
    if (category != null) {
      b.filter(new TermQuery(new Term("category", category)));
    }
    return b.build();
  }

  List<Hit> xs(float[] q, Float lambda, int n) throws IOException {
    PefaQuery.Builder b = PefaQuery.xs(schema, q, n).effort(AnnEffort.EXHAUSTIVE);
    if (lambda != null) {
      b.lambda(lambda);
    }
    return run(b.build(), n);
  }

  private List<Hit> run(Query query, int n) throws IOException {
    TopDocs top = searcher.search(query, n);
    List<Hit> hits = new ArrayList<>();
    for (ScoreDoc sd : top.scoreDocs) {
      String id = searcher.storedFields().document(sd.doc).get(schema.keyField());
      hits.add(new Hit(id, sd.score));
    }
    return hits;
  }

  @Override
  public void close() throws IOException {
    reader.close();
    dir.close();
  }
}
