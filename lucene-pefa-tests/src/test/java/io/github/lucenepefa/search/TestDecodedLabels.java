package io.github.lucenepefa.search;

import io.github.lucenepefa.index.PefaDirectoryReader;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import io.github.lucenepefa.index.TrainingLabels;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.analysis.MockAnalyzer;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * The training memory's decoded labels, kept per segment reader ({@link TrainingQueryMemory}): a
 * neighbour's labels follow a change of the row's labels doc value made in place (a doc-value
 * update keeps the segment's core, not its reader key), and a segment's entry goes when its
 * readers close.
 */
public class TestDecodedLabels extends LuceneTestCase {

  public void testLabelsFollowADocValueUpdateOfTheRow() throws IOException {
    PefaSchema schema = PefaSchema.builder(3).build();
    float[] x = PefaVectors.normalize(new float[] {1, 0.5f, 0.25f});
    int before = TrainingQueryMemory.decodedSegments();
    try (Directory dir = newDirectory();
        PefaIndexWriter w =
            PefaIndexWriter.open(
                dir,
                schema,
                new IndexWriterConfig(new MockAnalyzer(random()))
                    .setMergePolicy(NoMergePolicy.INSTANCE))) {
      w.addDocument("d1", PefaVectors.normalize(new float[] {0, 1, 0}));
      w.addDocument("d2", PefaVectors.normalize(new float[] {0, 0, 1}));
      w.addTrainingQuery("q1", x, Map.of("d1", 1f));
      w.commit();
      try (DirectoryReader first = PefaDirectoryReader.open(w)) {
        assertEquals(Map.of("d1", 1f), labelsOfNearest(first, schema, x));
        assertEquals(Map.of("d1", 1f), labelsOfNearest(first, schema, x)); // from the cache
        w.indexWriter()
            .updateBinaryDocValue(
                new Term(schema.rowIdField(), "q1"),
                schema.labelsField(),
                new TrainingLabels("q1", Map.of("d2", 2f)).encode());
        try (DirectoryReader second = DirectoryReader.openIfChanged(first)) {
          assertNotNull(second);
          assertEquals(Map.of("d2", 2f), labelsOfNearest(second, schema, x));
          assertEquals(Map.of("d1", 1f), labelsOfNearest(first, schema, x)); // the old view
          assertTrue(TrainingQueryMemory.decodedSegments() > before);
        }
      }
    }
    assertEquals("entries of closed readers are dropped", before, TrainingQueryMemory.decodedSegments());
  }

  private static Map<String, Float> labelsOfNearest(
      DirectoryReader reader, PefaSchema schema, float[] q) throws IOException {
    List<Neighbour> nk =
        TrainingQueryMemory.nearest(new IndexSearcher(reader), schema, q, 1, AnnEffort.EXHAUSTIVE);
    assertEquals(1, nk.size());
    return Map.copyOf(nk.get(0).labels());
  }
}
