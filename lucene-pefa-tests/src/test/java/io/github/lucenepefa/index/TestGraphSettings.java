package io.github.lucenepefa.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.codec.Pefa01VectorsFormat;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/**
 * The HNSW parameters of a schema's three graphs reach the segments: the PEFA-XS graph has its own
 * maxConn ({@link PefaSchema#DEFAULT_XS_MAX_CONN} by default), {@code hnsw} sets all three alike,
 * {@code xsHnsw} after it sets the PEFA-XS graph's alone, and the commit records them.
 */
class TestGraphSettings {

  @Test
  void theXsGraphHasItsOwnMaxConn() throws Exception {
    assertEquals(32, PefaSchema.DEFAULT_XS_MAX_CONN);
    assertGraphs(PefaSchema.builder(2).build(), 16, 32, 16, 100);
    assertGraphs(PefaSchema.builder(2).hnsw(8, 20).build(), 8, 8, 8, 20);
    assertGraphs(PefaSchema.builder(2).hnsw(8, 20).xsHnsw(24, 20).build(), 8, 24, 8, 20);
  }

  private static void assertGraphs(PefaSchema schema, int erm, int xs, int memory, int beamWidth)
      throws Exception {
    assertEquals(schema, PefaSchema.fromCommitValue(schema.toCommitValue()));
    assertTrue(schema.toCommitValue().contains(";xsMaxConn=" + xs + ";"), schema.toCommitValue());
    try (Directory dir = new ByteBuffersDirectory()) {
      try (PefaIndexWriter w = PefaIndexWriter.open(dir, schema)) {
        w.addTrainingQuery("t", new float[] {1, 0}, Map.of("d", 1f));
        w.addDocument("d", new float[] {0.6f, 0.8f});
      }
      Map<String, Integer> expected =
          Map.of(schema.ermField(), erm, schema.xsVectorField(), xs, schema.memoryField(), memory);
      int checked = 0;
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(schema, PefaSchema.read(reader));
        for (LeafReaderContext leaf : reader.leaves()) {
          FieldInfos infos = leaf.reader().getFieldInfos();
          for (Map.Entry<String, Integer> e : expected.entrySet()) {
            if (infos.fieldInfo(e.getKey()) != null) {
              assertEquals(
                  Integer.toString(e.getValue()),
                  infos.fieldInfo(e.getKey()).getAttribute(Pefa01VectorsFormat.MAX_CONN_ATTRIBUTE),
                  e.getKey());
              assertEquals(
                  Integer.toString(beamWidth),
                  infos.fieldInfo(e.getKey()).getAttribute(Pefa01VectorsFormat.BEAM_WIDTH_ATTRIBUTE),
                  e.getKey());
              checked++;
            }
          }
        }
      }
      assertEquals(3, checked);
    }
  }
}
