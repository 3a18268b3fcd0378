package io.github.lucenepefa.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.codec.Pefa01Codec;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.TestUtil;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorIndexSizes}: per-field bytes of a PEFA index (two vectors and graphs per document,
 * one per memory row, nothing else) and of a stock int8 index, and the vector files of a commit;
 * and a PEFA index written with several graph-merge threads ({@link Pefa01Codec#Pefa01Codec(int,
 * ExecutorService)}) reads back by SPI name and checks clean.
 */
class TestVectorIndexSizes {

  private static final int DIM = 16;
  private static final int DOCS = 1000; // graphs from about 650 vectors (Lucene's tiny-segment rule)
  private static final int ROWS = 1500;

  @Test
  void pefaFieldsHoldTwoVectorsPerDocumentAndOnePerRow() throws IOException {
    PefaSchema schema = PefaSchema.builder(DIM).hnsw(8, 30).build();
    ExecutorService exec = Executors.newFixedThreadPool(2);
    try (Directory dir = new ByteBuffersDirectory()) {
      IndexWriterConfig cfg =
          new IndexWriterConfig().setCodec(new Pefa01Codec(2, exec)).setMaxBufferedDocs(397);
      Random r = new Random(42);
      try (IndexWriter iw = new IndexWriter(dir, cfg);
          PefaIndexWriter w = new PefaIndexWriter(iw, schema)) {
        for (int i = 0; i < ROWS; i++) {
          w.addTrainingPair("q" + i, unit(r), "d" + r.nextInt(DOCS));
        }
        for (int d = 0; d < DOCS; d++) {
          w.addDocument("d" + d, unit(r));
        }
        w.commit();
        iw.forceMerge(1);
        w.commit();
      }
      TestUtil.checkIndex(dir, CheckIndex.Level.MIN_LEVEL_FOR_SLOW_CHECKS, true, false, null);
      Map<String, VectorIndexSizes.FieldSize> sizes = VectorIndexSizes.of(dir);
      assertEquals(
          java.util.Set.of(schema.ermField(), schema.xsVectorField(), schema.memoryField()),
          sizes.keySet());
      long floatBytes = (long) DIM * Float.BYTES;
      for (VectorIndexSizes.FieldSize f : sizes.values()) {
        long n = f.field().equals(schema.memoryField()) ? ROWS : DOCS;
        assertEquals(n, f.count(), f.field());
        assertEquals(DIM, f.dimension());
        assertEquals(n * floatBytes, f.floatVectors(), f.field());
        assertEquals(0, f.quantizedVectors(), f.field());
        assertTrue(f.graph() > 0, f.toString());
        assertEquals(f.floatVectors() + f.graph(), f.onDisk(), f.field());
        assertEquals(f.onDisk(), f.hot(), f.field());
      }
      long data = sizes.values().stream().mapToLong(VectorIndexSizes.FieldSize::onDisk).sum();
      long files = VectorIndexSizes.vectorFileBytes(dir);
      // the files add headers, footers and metadata (a graph's node offsets live in .vem)
      assertTrue(files > data && files < data + data / 10, files + " bytes of files for " + data);
    } finally {
      exec.shutdownNow();
    }
  }

  @Test
  void bulkLoadFlushesWithoutGraphsAndItsMergeBuildsThem() throws IOException {
    PefaSchema schema = PefaSchema.builder(DIM).hnsw(8, 30).build();
    ExecutorService exec = Executors.newFixedThreadPool(2);
    try (Directory dir = new ByteBuffersDirectory()) {
      IndexWriterConfig cfg =
          new IndexWriterConfig()
              .setCodec(Pefa01Codec.forBulkLoad(2, exec))
              .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH)
              .setRAMBufferSizeMB(64);
      Random r = new Random(11);
      float[] q = unit(r);
      try (IndexWriter iw = new IndexWriter(dir, cfg);
          PefaIndexWriter w = new PefaIndexWriter(iw, schema, ROWS + DOCS, 2)) {
        for (int i = 0; i < ROWS; i++) {
          w.addTrainingPair("q" + i, unit(r), "d" + r.nextInt(DOCS));
        }
        // the memory in segments of its own (a commit writes them), as pefa index loads it: a load
        // that ends in one segment has nothing for forceMerge(1) to merge (and so no graph)
        w.commit();
        for (int d = 0; d < DOCS; d++) {
          w.addDocument("d" + d, unit(r));
        }
        w.commit();
        try (org.apache.lucene.index.DirectoryReader reader =
            org.apache.lucene.index.DirectoryReader.open(dir)) {
          assertTrue(reader.leaves().size() >= 2, "segments to merge: " + reader.leaves().size());
        }
        for (VectorIndexSizes.FieldSize f : VectorIndexSizes.of(dir).values()) {
          assertEquals(0, f.graph(), "flushed without a graph: " + f);
        }
        org.apache.lucene.search.TopDocs flat = xs(dir, schema, q, 0.2f);
        iw.forceMerge(1);
        w.commit();
        for (VectorIndexSizes.FieldSize f : VectorIndexSizes.of(dir).values()) {
          assertTrue(f.graph() > 0, "the merge built a graph: " + f);
        }
        org.apache.lucene.search.TopDocs merged = xs(dir, schema, q, 0.2f);
        assertEquals(flat.scoreDocs.length, merged.scoreDocs.length);
        for (int i = 0; i < flat.scoreDocs.length; i++) {
          assertEquals(flat.scoreDocs[i].score, merged.scoreDocs[i].score, 1e-6f);
        }
      }
      TestUtil.checkIndex(dir, CheckIndex.Level.MIN_LEVEL_FOR_SLOW_CHECKS, true, false, null);
    } finally {
      exec.shutdownNow();
    }
  }

  /** PEFA-XS at another lambda, exhaustive, on the latest commit. */
  private static org.apache.lucene.search.TopDocs xs(
      Directory dir, PefaSchema schema, float[] q, float lambda) throws IOException {
    try (org.apache.lucene.index.DirectoryReader reader = PefaDirectoryReader.open(dir)) {
      return new org.apache.lucene.search.IndexSearcher(reader)
          .search(
              io.github.lucenepefa.search.PefaQuery.xs(schema, q, 10)
                  .lambda(lambda)
                  .effort(io.github.lucenepefa.search.AnnEffort.EXHAUSTIVE)
                  .build(),
              10);
    }
  }

  @Test
  void quantizedFieldsAreHotByTheirQuantizedVectors() throws IOException {
    KnnVectorsFormat int8 = new Lucene104HnswScalarQuantizedVectorsFormat();
    try (Directory dir = new ByteBuffersDirectory()) {
      IndexWriterConfig cfg =
          new IndexWriterConfig()
              .setCodec(
                  new Lucene104Codec() {
                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                      return int8;
                    }
                  });
      Random r = new Random(7);
      try (IndexWriter w = new IndexWriter(dir, cfg)) {
        for (int d = 0; d < DOCS; d++) {
          Document doc = new Document();
          doc.add(new KnnFloatVectorField("v", unit(r), VectorSimilarityFunction.DOT_PRODUCT));
          w.addDocument(doc);
        }
        w.forceMerge(1);
      }
      VectorIndexSizes.FieldSize f = VectorIndexSizes.of(dir).get("v");
      assertEquals(DOCS, f.count());
      assertEquals((long) DOCS * DIM * Float.BYTES, f.floatVectors());
      assertTrue(f.quantizedVectors() >= (long) DOCS * DIM, "int8: " + f.quantizedVectors());
      assertEquals(f.graph() + f.quantizedVectors(), f.hot());
      assertEquals(f.floatVectors() + f.quantizedVectors() + f.graph(), f.onDisk());
    }
  }

  private static float[] unit(Random r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return PefaVectors.normalize(v);
  }
}
