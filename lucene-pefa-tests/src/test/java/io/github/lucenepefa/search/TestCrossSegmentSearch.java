package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.PefaScoring;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/**
 * Across segments a field is searched as Lucene's kNN query searches it ({@link
 * LeafVectorSearch#searchLeaves}): each segment first for its share of the top k with its share of
 * the beam, then, where all of a segment's hits reached the merged k-th score, again with the full
 * beam and k. A segment holding the whole top k must therefore still give all of it, and a beam as
 * wide as the index must still find the exact top k.
 */
class TestCrossSegmentSearch {

  private static final int DIM = 16;
  private static final String FIELD = "v";

  @Test
  void leafShareIsTheExpectedCountPlusThreeStandardDeviations() {
    assertEquals(100, LeafVectorSearch.leafShare(100, 1f));
    assertEquals(94, LeafVectorSearch.leafShare(100, 0.25f)); // 25 + 16 * sqrt(25 * 0.75)
    assertEquals(100, LeafVectorSearch.leafShare(100, 0.5f)); // 50 + 16 * 5, capped at n
    assertEquals(60, LeafVectorSearch.leafShare(1000, 0.01f)); // 10 + 16 * sqrt(9.9)
    assertEquals(1, LeafVectorSearch.leafShare(100, 0f));
  }

  /**
   * One small segment holds every vector near the query, seven large ones hold random vectors: the
   * first pass asks the small segment for about 22 of the top 60; all of them reach the merged
   * 60th score, so it is searched again for the full 60 (without that second pass 38 of the 60
   * would be random vectors).
   */
  @Test
  void aSegmentHoldingTheWholeTopKIsSearchedAgainWithTheFullBeam() throws Exception {
    Random random = new Random(7);
    float[] q = unit(random);
    List<float[]> all = new ArrayList<>();
    try (Directory dir = new ByteBuffersDirectory()) {
      try (IndexWriter iw = new IndexWriter(dir, config())) {
        for (int i = 0; i < 300; i++) {
          all.add(add(iw, near(random, q, 0.3f)));
        }
        iw.commit();
        for (int s = 0; s < 7; s++) {
          for (int i = 0; i < 1500; i++) {
            all.add(add(iw, unit(random)));
          }
          iw.commit();
        }
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(8, reader.leaves().size());
        IndexSearcher searcher = new IndexSearcher(reader);
        int k = 60;
        int firstPass = LeafVectorSearch.leafShare(k, 300f / all.size());
        assertTrue(firstPass < 30, "first-pass share " + firstPass);
        ScoreDoc[] got = search(searcher, q, k, AnnEffort.graphOnly(k));
        Set<Integer> exact = docs(bruteForce(all, q, k));
        int found = 0;
        for (ScoreDoc sd : got) {
          found += exact.contains(sd.doc) ? 1 : 0;
          assertTrue(sd.doc < 300, "hit " + sd.doc + " outside the near segment");
        }
        assertTrue(found >= 57, "found " + found + " of the exact top " + k);
      }
    }
  }

  /** With a beam as wide as the index every segment's graph finds all its vectors. */
  @Test
  void aBeamAsWideAsTheIndexFindsTheExactTopKAcrossSegments() throws Exception {
    Random random = new Random(11);
    List<float[]> all = new ArrayList<>();
    try (Directory dir = new ByteBuffersDirectory()) {
      try (IndexWriter iw = new IndexWriter(dir, config())) {
        for (int size : new int[] {40, 400, 120, 260, 75, 300}) {
          for (int i = 0; i < size; i++) {
            all.add(add(iw, unit(random)));
          }
          iw.commit();
        }
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(6, reader.leaves().size());
        IndexSearcher searcher = new IndexSearcher(reader);
        for (int t = 0; t < 30; t++) {
          float[] q = unit(random);
          int k = 1 + random.nextInt(40);
          ScoreDoc[] got = search(searcher, q, k, AnnEffort.graphOnly(all.size()));
          assertArrayEquals(
              ids(bruteForce(all, q, k)), ids(got), "query " + t + " k " + k);
          long visited =
              VectorSearchCost.visited(searcher, FIELD, q, k, AnnEffort.graphOnly(all.size()));
          assertTrue(visited >= all.size(), "visited " + visited);
        }
      }
    }
  }

  /** The training memory is searched the same way: rows spread over segments, ties by row id. */
  @Test
  void theNearestMemoryRowsAcrossSegmentsAreExactWithAWideBeam() throws Exception {
    Random random = new Random(19);
    PefaSchema schema = PefaSchema.builder(DIM).hnsw(16, 100).build();
    Map<String, float[]> rows = new LinkedHashMap<>();
    Map<String, Map<String, Float>> labels = new LinkedHashMap<>();
    try (Directory dir = new ByteBuffersDirectory()) {
      try (IndexWriter iw = new IndexWriter(dir, config().setCodec(new Pefa01Codec()))) {
        PefaIndexWriter w = new PefaIndexWriter(iw, schema);
        for (int s = 0; s < 5; s++) {
          int size = 50 + random.nextInt(250);
          for (int r = 0; r < size; r++) {
            String id = "q" + rows.size();
            float[] x = unit(random);
            Map<String, Float> l = Map.of("d" + random.nextInt(50), 1f);
            w.addTrainingQuery(id, x, l);
            rows.put(id, x);
            labels.put(id, l);
          }
          w.commit();
        }
        for (int d = 0; d < 50; d++) {
          w.addDocument("d" + d, unit(random));
        }
        w.commit();
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertTrue(reader.leaves().size() >= 5, reader.leaves().size() + " segments");
        IndexSearcher searcher = new IndexSearcher(reader);
        for (int t = 0; t < 30; t++) {
          float[] q = unit(random);
          int k = 1 + random.nextInt(30);
          List<Neighbour> expected = new ArrayList<>();
          rows.forEach(
              (id, x) -> expected.add(new Neighbour(id, PefaScoring.similarity(q, x), labels.get(id))));
          List<Neighbour> want = PefaScoring.topNeighbours(expected, k);
          List<Neighbour> got =
              TrainingQueryMemory.nearest(searcher, schema, q, k, AnnEffort.graphOnly(rows.size()));
          assertEquals(rowIds(want), rowIds(got), "query " + t + " k " + k);
        }
      }
    }
  }

  private static IndexWriterConfig config() {
    return new IndexWriterConfig().setMergePolicy(NoMergePolicy.INSTANCE);
  }

  private static ScoreDoc[] search(IndexSearcher searcher, float[] q, int k, AnnEffort effort)
      throws Exception {
    return LeafVectorSearch.searchAll(
        searcher, FIELD, q, k, effort, null, v -> PefaScoring.similarity(q, v));
  }

  private static float[] add(IndexWriter iw, float[] v) throws Exception {
    Document doc = new Document();
    doc.add(new KnnFloatVectorField(FIELD, v, VectorSimilarityFunction.DOT_PRODUCT));
    iw.addDocument(doc);
    return v;
  }

  /** Exact top k: score descending, then doc id (the index adds docs in list order). */
  private static ScoreDoc[] bruteForce(List<float[]> all, float[] q, int k) {
    ScoreDoc[] scored = new ScoreDoc[all.size()];
    for (int d = 0; d < scored.length; d++) {
      scored[d] = new ScoreDoc(d, PefaScoring.similarity(q, all.get(d)));
    }
    Arrays.sort(
        scored,
        (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
    return Arrays.copyOf(scored, k);
  }

  private static int[] ids(ScoreDoc[] hits) {
    return Arrays.stream(hits).mapToInt(sd -> sd.doc).toArray();
  }

  private static Set<Integer> docs(ScoreDoc[] hits) {
    Set<Integer> out = new HashSet<>();
    for (ScoreDoc sd : hits) {
      out.add(sd.doc);
    }
    return out;
  }

  private static List<String> rowIds(List<Neighbour> neighbours) {
    return neighbours.stream().map(Neighbour::rowId).toList();
  }

  private static float[] unit(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return normalize(v);
  }

  private static float[] near(Random random, float[] center, float noise) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = center[i] + noise * (float) random.nextGaussian() / (float) Math.sqrt(DIM);
    }
    return normalize(v);
  }

  private static float[] normalize(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
    return v;
  }
}
