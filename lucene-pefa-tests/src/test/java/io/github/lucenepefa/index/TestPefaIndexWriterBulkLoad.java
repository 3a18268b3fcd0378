package io.github.lucenepefa.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.lucenepefa.codec.Pefa01Codec;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/**
 * Bulk loads through {@link PefaIndexWriter}'s buffer size and writing threads: the index holds the
 * same documents and vectors as one written by a single thread, and the write listener hears of
 * every row and document once.
 */
class TestPefaIndexWriterBulkLoad {

  private static final int DIM = 8;

  @Test
  void threadedSmallBufferWritesWhatOneThreadWrites() throws IOException {
    PefaSchema schema = PefaSchema.builder(DIM).xsLambda(0.3f).hnsw(8, 20).build();
    try (Directory one = new ByteBuffersDirectory();
        Directory many = new ByteBuffersDirectory()) {
      AtomicInteger rows = new AtomicInteger();
      AtomicInteger docs = new AtomicInteger();
      load(one, schema, PefaIndexWriter.DEFAULT_MAX_BUFFERED_DOCS, 1, null);
      load(
          many,
          schema,
          7,
          3,
          new PefaIndexWriter.WriteListener() {
            @Override
            public void rowWritten() {
              rows.incrementAndGet();
            }

            @Override
            public void documentWritten() {
              docs.incrementAndGet();
            }
          });
      assertEquals(60, rows.get());
      assertEquals(45, docs.get());
      Map<String, float[]> expected = vectorsByKey(one, schema, schema.xsVectorField());
      Map<String, float[]> got = vectorsByKey(many, schema, schema.xsVectorField());
      assertEquals(40, expected.size()); // 45 documents, 5 without a vector
      assertEquals(expected.keySet(), got.keySet());
      for (Map.Entry<String, float[]> e : expected.entrySet()) {
        assertArrayEquals(e.getValue(), got.get(e.getKey()), 0f, e.getKey());
      }
      assertEquals(vectorsByKey(one, schema, schema.ermField()).keySet(), vectorsByKey(many, schema, schema.ermField()).keySet());
    }
  }

  /** An Error, not an Exception: a write thread must hand those back too. */
  private static final class ListenerError extends Error {
    ListenerError(String message) {
      super(message);
    }
  }

  @Test
  void aFailingWriteThreadFailsTheFlushAndKeepsTheBuffer() throws IOException {
    for (boolean error : new boolean[] {false, true}) {
      PefaSchema schema = PefaSchema.builder(DIM).hnsw(8, 20).build();
      Random random = new Random(7);
      try (Directory dir = new ByteBuffersDirectory();
          IndexWriter iw = new IndexWriter(dir, new IndexWriterConfig().setCodec(new Pefa01Codec()))) {
        PefaIndexWriter w = new PefaIndexWriter(iw, schema, 1000, 3);
        for (int d = 0; d < 30; d++) {
          w.addDocument("d" + d, unit(random));
        }
        AtomicInteger written = new AtomicInteger();
        w.setWriteListener(
            new PefaIndexWriter.WriteListener() {
              @Override
              public void documentWritten() {
                if (written.incrementAndGet() == 20) {
                  if (error) {
                    throw new ListenerError("listener failed");
                  }
                  throw new IllegalStateException("listener failed");
                }
              }
            });
        Class<? extends Throwable> expected = error ? ListenerError.class : IllegalStateException.class;
        Throwable e = assertThrows(expected, w::flush);
        assertEquals("listener failed", e.getMessage());
        w.setWriteListener(null);
        w.commit(); // the buffer was kept: all 30 documents are written (again), once each
        assertEquals(30, vectorsByKey(dir, schema, schema.ermField()).size());
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
          assertEquals(30, reader.numDocs());
        }
      }
    }
  }

  private static void load(
      Directory dir, PefaSchema schema, int buffer, int threads, PefaIndexWriter.WriteListener listener)
      throws IOException {
    Random random = new Random(42);
    try (IndexWriter iw = new IndexWriter(dir, new IndexWriterConfig().setCodec(new Pefa01Codec()).setMaxBufferedDocs(5))) {
      PefaIndexWriter w = new PefaIndexWriter(iw, schema, buffer, threads);
      w.setWriteListener(listener);
      for (int r = 0; r < 60; r++) {
        w.addTrainingQuery("q" + r, unit(random), Map.of("d" + random.nextInt(50), 1f));
      }
      for (int d = 0; d < 45; d++) {
        w.addDocument("d" + d, d % 9 == 8 ? null : unit(random));
      }
      w.commit();
    }
  }

  private static float[] unit(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return PefaVectors.normalize(v);
  }

  private static Map<String, float[]> vectorsByKey(Directory dir, PefaSchema schema, String field) throws IOException {
    Map<String, float[]> out = new HashMap<>();
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      for (LeafReaderContext ctx : reader.leaves()) {
        FloatVectorValues values = ctx.reader().getFloatVectorValues(field);
        SortedDocValues keys = ctx.reader().getSortedDocValues(schema.keyField());
        if (values == null || keys == null) {
          continue;
        }
        KnnVectorValues.DocIndexIterator it = values.iterator();
        for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
          if (keys.advanceExact(doc)) {
            out.put(keys.lookupOrd(keys.ordValue()).utf8ToString(), values.vectorValue(it.index()).clone());
          }
        }
      }
    }
    return out;
  }
}
