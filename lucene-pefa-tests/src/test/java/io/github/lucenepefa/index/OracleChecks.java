package io.github.lucenepefa.index;

import io.github.lucenepefa.oracle.BruteForce;
import io.github.lucenepefa.oracle.Content;
import io.github.lucenepefa.oracle.Rankings;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.KnnWeighting;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.PefaQuery;
import java.io.IOException;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.Bits;

/**
 * Checks a reader of a PEFA index against the independent oracle ({@link BruteForce}) on a given
 * content: exhaustive PEFA-XL and PEFA-XS searches, the stored PEFA-XS vectors of every document,
 * and that ordinary queries see the documents only.
 */
final class OracleChecks {

  /** Relative tolerance of a stored PEFA-XS component against the double-precision oracle. */
  private static final double XS_TOLERANCE = 1e-5;

  private OracleChecks() {}

  /**
   * Runs {@code queries} random exhaustive PEFA-XL and PEFA-XS searches on {@code searcher} and
   * compares each with the oracle on {@code content}.
   *
   * @return the number of queries skipped as near-ties at a boundary (ambiguous)
   */
  static int assertSearches(
      IndexSearcher searcher, PefaSchema schema, Content content, Random r, int queries, String ctx)
      throws IOException {
    BruteForce oracle = new BruteForce(content);
    int ambiguous = 0;
    for (int t = 0; t < queries; t++) {
      float[] q = queryVector(r, content, schema.dimension());
      int n = 1 + r.nextInt(25);
      boolean filtered = r.nextInt(4) == 0;
      Query filter = filtered ? new TermQuery(new Term(Workload.COLOR, "red")) : null;
      Predicate<Content.Doc> accept = filtered ? d -> "red".equals(d.color()) : d -> true;
      PefaQuery query;
      BruteForce.Ranking expected;
      if (r.nextBoolean()) {
        float lambda = r.nextInt(5) == 0 ? r.nextInt(2) : r.nextFloat();
        int k = 1 + r.nextInt(20);
        int topK = 1 + r.nextInt(40);
        KnnNormalization norm = KnnNormalization.values()[r.nextInt(2)];
        boolean softmax = r.nextInt(4) == 0;
        float temperature = 0.02f + r.nextFloat() * 0.2f;
        ErmScoreMode mode = ErmScoreMode.values()[r.nextInt(2)];
        query =
            PefaQuery.xl(schema, q, n)
                .lambda(lambda)
                .k(k)
                .topK(topK)
                .knnNormalization(norm)
                .knnWeighting(softmax ? KnnWeighting.SOFTMAX : KnnWeighting.SIMILARITY)
                .temperature(temperature)
                .ermScoreMode(mode)
                .filter(filter)
                .effort(AnnEffort.EXHAUSTIVE)
                .build();
        expected =
            oracle.xl(
                q,
                new BruteForce.Xl(
                    lambda,
                    k,
                    topK,
                    norm == KnnNormalization.MEAN,
                    softmax,
                    temperature,
                    mode == ErmScoreMode.TOP_K_ONLY),
                accept,
                n);
      } else {
        float lambda =
            schema.xsAnyLambda() == false || r.nextBoolean() ? schema.xsLambda() : r.nextFloat();
        query =
            PefaQuery.xs(schema, q, n)
                .lambda(lambda)
                .filter(filter)
                .effort(AnnEffort.EXHAUSTIVE)
                .build();
        expected = oracle.xs(q, lambda, accept, n);
      }
      if (expected.ambiguous()) {
        ambiguous++;
        continue;
      }
      Rankings.assertSame(ctx + " " + query, expected, searcher.search(query, n).scoreDocs, n);
    }
    return ambiguous;
  }

  /**
   * Asserts that every live document's stored PEFA-XS vectors are the oracle's: {@code e_d = lam *
   * p_d + (1 - lam) * u_d} at the index-time lambda, with {@code u_d} the normalised weighted sum of the vectors of the rows in {@code content}.
   */
  static void assertXsVectors(IndexReader reader, PefaSchema schema, Content content, String ctx)
      throws IOException {
    BruteForce oracle = new BruteForce(content);
    int dim = schema.dimension();
    double lambda = schema.xsLambda();
    for (LeafReaderContext ctxLeaf : reader.leaves()) {
      LeafReader leaf = PefaDirectoryReader.withMemory(ctxLeaf.reader());
      SortedDocValues keys = leaf.getSortedDocValues(schema.keyField());
      if (keys == null) {
        continue;
      }
      Bits live = leaf.getLiveDocs();
      for (int d = keys.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = keys.nextDoc()) {
        if (live != null && live.get(d) == false) {
          continue;
        }
        String key = keys.lookupOrd(keys.ordValue()).utf8ToString();
        float[] p = vector(leaf, schema.ermField(), d);
        float[] e = vector(leaf, schema.xsVectorField(), d);
        if (p == null) {
          if (e != null) {
            throw new AssertionError(ctx + ": document " + key + " has XS vectors but no p_d");
          }
          continue;
        }
        double[] u = oracle.centroid(key, dim);
        String what = ctx + ": document " + key + " (labelled by " + labelling(content, key) + ")";
        if (e == null) {
          throw new AssertionError(what + " lacks a stored PEFA-XS vector");
        }
        for (int j = 0; j < dim; j++) {
          double uj = u == null ? 0 : u[j];
          check(what + " e_d[" + j + "]", e[j], lambda * p[j] + (1 - lambda) * uj);
        }
      }
    }
  }

  /**
   * Asserts that ordinary use of the reader sees exactly the content's documents: {@code
   * numDocs}, a {@link MatchAllDocsQuery} count and a count per colour.
   */
  static void assertDocumentsOnly(IndexSearcher searcher, Content content, String ctx)
      throws IOException {
    int n = content.docs().size();
    if (searcher.getIndexReader().numDocs() != n) {
      throw new AssertionError(ctx + ": numDocs " + searcher.getIndexReader().numDocs() + " != " + n);
    }
    int all = searcher.count(new MatchAllDocsQuery());
    if (all != n) {
      throw new AssertionError(ctx + ": MatchAllDocsQuery counts " + all + " != " + n);
    }
    for (String color : Workload.COLORS) {
      long want = content.docs().stream().filter(d -> color.equals(d.color())).count();
      int got = searcher.count(new TermQuery(new Term(Workload.COLOR, color)));
      if (got != want) {
        throw new AssertionError(ctx + ": " + color + " documents " + got + " != " + want);
      }
    }
  }

  private static void check(String what, float stored, double expected) {
    if (Math.abs(stored - expected) > XS_TOLERANCE * Math.max(1, Math.abs(expected))) {
      throw new AssertionError(what + " = " + stored + ", the oracle says " + expected);
    }
  }

  private static String labelling(Content content, String key) {
    StringBuilder sb = new StringBuilder("[");
    for (Content.Row r : content.rows()) {
      Float w = r.labels().get(key);
      if (w != null) {
        sb.append(r.rowId()).append('=').append(w).append(' ');
      }
    }
    return sb.append(']').toString();
  }

  /** A unit query vector near a random document or row of the content, or a random one. */
  static float[] queryVector(Random r, Content content, int dim) {
    float[] base = null;
    int choice = r.nextInt(3);
    if (choice == 0 && content.docs().isEmpty() == false) {
      base = content.docs().get(r.nextInt(content.docs().size())).p();
    } else if (choice == 1 && content.rows().isEmpty() == false) {
      base = content.rows().get(r.nextInt(content.rows().size())).x();
    }
    float[] v = new float[dim];
    float noise = base == null ? 1 : 0.1f + r.nextFloat() * 0.5f;
    for (int i = 0; i < dim; i++) {
      v[i] = (base == null ? 0 : base[i]) + noise * (float) r.nextGaussian() / (float) Math.sqrt(dim);
    }
    return PefaVectors.normalize(v);
  }

  private static float[] vector(LeafReader leaf, String field, int doc) throws IOException {
    FloatVectorValues values = leaf.getFloatVectorValues(field);
    if (values == null) {
      return null;
    }
    KnnVectorValues.DocIndexIterator it = values.iterator();
    return it.advance(doc) == doc ? values.vectorValue(it.index()).clone() : null;
  }
}
