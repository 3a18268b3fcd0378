package io.github.lucenepefa.cli.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.codec.PefaQuantization;
import java.nio.file.Path;
import java.util.Random;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stock side of a quantized bench: the same beam as PEFA, and float rescoring of all of it. */
class StockKnnTest {

  @Test
  void theBeamIsPefas() {
    assertEquals(100, StockKnn.beam(100, 50, 1f)); // a beam below the hits wanted is the hits wanted
    assertEquals(200, StockKnn.beam(100, 200, 1f));
    assertEquals(300, StockKnn.beam(100, 200, 3f)); // ceil(factor * wanted) when larger than ef
    assertEquals(31, StockKnn.beam(10, 20, 3.01f));
    assertEquals(3f, StockKnn.factor(PefaQuantization.BINARY, 0f)); // the quantization's default
    assertEquals(1.5f, StockKnn.factor(PefaQuantization.BINARY, 1.5f));
  }

  /**
   * With a beam that holds every document, a quantized stock search rescored with the float vectors
   * is the exact top n (the oracle: brute force over the float vectors, by dot product); without
   * the rescoring the 1-bit scores reorder it.
   */
  @Test
  void aQuantizedStockSearchRescoresItsBeamWithTheFloatVectors(@TempDir Path tmp) throws Exception {
    int docs = 300;
    int dim = 32;
    Random random = new Random(11);
    float[][] vectors = new float[docs][];
    for (int i = 0; i < docs; i++) {
      vectors[i] = unit(random, dim);
    }
    for (PefaQuantization q : PefaQuantization.values()) {
      KnnVectorsFormat format = StockKnn.format(q, 8, 20, 1, null);
      try (Directory dir = FSDirectory.open(tmp.resolve(q.id()))) {
        IndexWriterConfig iwc =
            new IndexWriterConfig()
                .setCodec(
                    new Lucene104Codec() {
                      @Override
                      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return format;
                      }
                    });
        try (IndexWriter w = new IndexWriter(dir, iwc)) {
          for (float[] v : vectors) {
            Document d = new Document();
            d.add(new KnnFloatVectorField("vec", v, VectorSimilarityFunction.DOT_PRODUCT));
            w.addDocument(d);
          }
          w.forceMerge(1);
        }
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
          IndexSearcher searcher = new IndexSearcher(reader);
          int mismatchesWithoutRescoring = 0;
          for (int t = 0; t < 20; t++) {
            float[] query = unit(random, dim);
            int[] exact = docs(ExactScan.scan(vectors, query, 10));
            ScoreDoc[] hits =
                searcher.search(StockKnn.query("vec", query, 10, docs, q, 0f), 10).scoreDocs;
            assertArrayEquals(exact, docs(hits), q + " query " + t);
            for (int i = 0; i < hits.length; i++) { // Lucene's DOT_PRODUCT score of the float vectors
              float dot = VectorUtil.dotProduct(query, vectors[hits[i].doc]);
              assertEquals(Math.max((1 + dot) / 2, 0f), hits[i].score, 1e-6f, q + " query " + t);
            }
            ScoreDoc[] raw = searcher.search(new KnnFloatVectorQuery("vec", query, docs), 10).scoreDocs;
            if (java.util.Arrays.equals(exact, docs(raw)) == false) {
              mismatchesWithoutRescoring++;
            }
          }
          if (q == PefaQuantization.BINARY) {
            assertTrue(mismatchesWithoutRescoring > 0, "1-bit scores alone should reorder some top 10");
          }
        }
      }
    }
  }

  private static int[] docs(ScoreDoc[] hits) {
    int[] out = new int[hits.length];
    for (int i = 0; i < hits.length; i++) {
      out[i] = hits[i].doc;
    }
    return out;
  }

  private static float[] unit(Random random, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return VectorUtil.l2normalize(v);
  }
}
