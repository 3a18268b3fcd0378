package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.scoring.PefaScoring;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both search paths score with the field's own vector scorer first and rescore by the formulas
 * only what can reach the exact top k: the graph path its beam hits within the margin ({@link
 * GraphWalk#rescoreCount}), the exact scan the vectors within the margin ({@link
 * ExactVectorScan#scanCandidates}); the exact scan must equal brute force. With a beam as wide
 * as the segment the graph search finds every vector, so the results must equal the exhaustive
 * ones, also among ties and near-ties: the vectors here are a few directions, repeated exactly or
 * slightly perturbed, so that many scores tie (memory rows tied at the k-th score must be chosen
 * by row id, as the exhaustive search does) or lie within the rescoring margin of each other.
 */
class TestGraphRescoring {

  private static final int DIM = 24;

  /**
   * The near-tie index, one segment: 300 memory rows added, then 400 documents; or, interleaved,
   * two flushes of 150 rows and 200 documents each merged into one segment, so that neither field's
   * vectors sit on consecutive docs ({@link VectorOrdinals#ordinals} then maps docs to ordinals
   * by the field's iterator, not by an offset).
   *
   * @param rowVectors the memory rows' vectors, by row id
   */
  private record NearTieIndex(
      Random random,
      List<float[]> bases,
      PefaSchema schema,
      List<float[]> docs,
      Map<String, float[]> rowVectors,
      Map<String, Map<String, Float>> rowLabels) {

    static NearTieIndex write(Directory dir, long seed) throws Exception {
      return write(dir, seed, false);
    }

    static NearTieIndex write(Directory dir, long seed, boolean interleaved) throws Exception {
      Random random = new Random(seed);
      List<float[]> bases = new ArrayList<>();
      for (int b = 0; b < 4; b++) {
        bases.add(unit(random, null, 0));
      }
      PefaSchema schema = PefaSchema.builder(DIM).xsLambda(0.4f).hnsw(16, 100).build();
      List<float[]> docs = new ArrayList<>();
      Map<String, float[]> rowVectors = new LinkedHashMap<>();
      Map<String, Map<String, Float>> rowLabels = new LinkedHashMap<>();
      IndexWriterConfig config = new IndexWriterConfig().setCodec(new Pefa01Codec());
      if (interleaved) {
        config.setMergePolicy(new LogDocMergePolicy()); // merges segments in their order, not by size
      }
      try (IndexWriter iw = new IndexWriter(dir, config)) {
        PefaIndexWriter w = new PefaIndexWriter(iw, schema);
        int chunks = interleaved ? 2 : 1;
        for (int c = 0; c < chunks; c++) {
          for (int r = c * 300 / chunks; r < (c + 1) * 300 / chunks; r++) {
            float[] x = near(random, bases, 0.5f);
            Map<String, Float> labels = Map.of("d" + random.nextInt(400), 1f + random.nextInt(2));
            w.addTrainingQuery("q" + r, x, labels);
            rowVectors.put("q" + r, x);
            rowLabels.put("q" + r, labels);
          }
          for (int d = c * 400 / chunks; d < (c + 1) * 400 / chunks; d++) {
            float[] p = near(random, bases, 0f);
            w.addDocument("d" + d, p);
            docs.add(p);
          }
          w.commit();
        }
        iw.forceMerge(1);
        w.commit();
      }
      return new NearTieIndex(random, bases, schema, docs, rowVectors, rowLabels);
    }
  }

  /**
   * The exact scan scores every vector with the field's own (SIMD) scorer first and reads only
   * those within the rescoring margin of its k-th score ({@link ExactVectorScan#scanCandidates}):
   * its results must equal brute force by the formulas, among ties and near-ties too.
   */
  @Test
  void exhaustiveSearchEqualsBruteForceAmongNearTies() throws Exception {
    try (Directory dir = new ByteBuffersDirectory()) {
      NearTieIndex idx = NearTieIndex.write(dir, 23);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        int[] docIds = docIdsByKey(reader, idx.schema(), idx.docs().size());
        for (int t = 0; t < 40; t++) {
          float[] q = near(idx.random(), idx.bases(), 0f);
          int k = 1 + idx.random().nextInt(8);
          List<Neighbour> all = new ArrayList<>();
          idx.rowVectors()
              .forEach(
                  (id, x) ->
                      all.add(new Neighbour(id, PefaScoring.similarity(q, x), idx.rowLabels().get(id))));
          List<Neighbour> expected = PefaScoring.topNeighbours(all, k);
          List<Neighbour> got =
              TrainingQueryMemory.nearest(searcher, idx.schema(), q, k, AnnEffort.EXHAUSTIVE);
          assertSame("memory query " + t, rowHits(expected), rowHits(got));

          int n = 1 + idx.random().nextInt(30);
          ScoreDoc[] bruteForce = new ScoreDoc[idx.docs().size()];
          for (int d = 0; d < bruteForce.length; d++) {
            bruteForce[d] = new ScoreDoc(docIds[d], PefaScoring.similarity(q, idx.docs().get(d)));
          }
          Arrays.sort(
              bruteForce,
              (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
          Query erm =
              PefaQuery.xl(idx.schema(), q, n).lambda(1f).k(1).topK(n).effort(AnnEffort.EXHAUSTIVE).build();
          assertSame("ERM query " + t, Arrays.copyOf(bruteForce, n), rawScores(searcher.search(erm, n).scoreDocs));
        }
      }
    }
  }

  /**
   * {@link ExactVectorScan#scanCandidates} keeps every vector of the exact top k when the field's
   * scorer is off by up to half the margin either way (the bound the margin is built on), and
   * drops the vectors it can: here the scorer adds a fixed error of -m/2, 0 or +m/2 per vector.
   */
  @Test
  void scanCandidatesHoldTheExactTopKUnderScorerErrorsWithinTheMargin() throws Exception {
    Random random = new Random(5);
    int dim = 24;
    float margin = ExactVectorScan.rescoreMargin(dim);
    List<float[]> vectors = new ArrayList<>();
    float[] base = unit(random, null, 0);
    for (int i = 0; i < 2000; i++) {
      vectors.add(unit(random, base, 2e-3f)); // scores a few 1e-6 apart, margin 1.2e-5
    }
    float[] q = unit(random, base, 1e-3f);
    float[] error = new float[vectors.size()];
    for (int i = 0; i < error.length; i++) {
      error[i] = (random.nextInt(3) - 1) * margin / 2;
    }
    FloatVectorValues values = perturbedValues(vectors, dim, error);
    for (int k : new int[] {1, 5, 50}) {
      Integer[] byExact = new Integer[vectors.size()];
      for (int i = 0; i < byExact.length; i++) {
        byExact[i] = i;
      }
      Arrays.sort(byExact, (a, b) -> Float.compare(dot(q, vectors.get(b)), dot(q, vectors.get(a))));
      int[] candidates = ExactVectorScan.scanCandidates(values, q, null, k, dim);
      Set<Integer> kept = new HashSet<>();
      for (int c : candidates) {
        kept.add(c);
      }
      for (int r = 0; r < k; r++) {
        assertTrue(kept.contains(byExact[r]), "k=" + k + ": exact rank " + r + " dropped");
      }
      assertTrue(candidates.length < vectors.size() / 2, "k=" + k + ": kept " + candidates.length);
      for (int i = 1; i < candidates.length; i++) {
        assertTrue(candidates[i - 1] < candidates[i], "ascending docs");
      }
    }
  }

  private static float dot(float[] a, float[] b) {
    return PefaScoring.similarity(a, b);
  }

  /** Dense values whose scorer returns the inner product plus {@code error[doc]}. */
  private static FloatVectorValues perturbedValues(List<float[]> vectors, int dim, float[] error) {
    FloatVectorValues plain = FloatVectorValues.fromFloats(vectors, dim);
    return new FloatVectorValues() {
      @Override
      public int size() {
        return plain.size();
      }

      @Override
      public int dimension() {
        return dim;
      }

      @Override
      public float[] vectorValue(int ord) throws IOException {
        return plain.vectorValue(ord);
      }

      @Override
      public FloatVectorValues copy() {
        return this;
      }

      @Override
      public DocIndexIterator iterator() {
        return createDenseIterator();
      }

      @Override
      public VectorScorer scorer(float[] target) {
        DocIndexIterator it = iterator();
        return new VectorScorer() {
          @Override
          public float score() {
            return dot(target, vectors.get(it.index())) + error[it.index()];
          }

          @Override
          public DocIdSetIterator iterator() {
            return it;
          }
        };
      }
    };
  }

  /** Neighbours as hits whose doc is the row number, for {@link #assertSame}. */
  private static ScoreDoc[] rowHits(List<Neighbour> neighbours) {
    ScoreDoc[] hits = new ScoreDoc[neighbours.size()];
    for (int i = 0; i < hits.length; i++) {
      Neighbour nb = neighbours.get(i);
      hits[i] = new ScoreDoc(Integer.parseInt(nb.rowId().substring(1)), nb.similarity());
    }
    return hits;
  }

  /** Global doc id of document {@code "d" + i}, by index {@code i}. */
  private static int[] docIdsByKey(DirectoryReader reader, PefaSchema schema, int count) throws Exception {
    int[] ids = new int[count];
    Arrays.fill(ids, -1);
    for (LeafReaderContext ctx : reader.leaves()) {
      SortedDocValues keys = ctx.reader().getSortedDocValues(schema.keyField());
      for (int doc = keys.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = keys.nextDoc()) {
        String key = keys.lookupOrd(keys.ordValue()).utf8ToString();
        if (key.startsWith("d")) {
          ids[Integer.parseInt(key.substring(1))] = ctx.docBase + doc;
        }
      }
    }
    return ids;
  }

  @ParameterizedTest(name = "interleaved={0}")
  @ValueSource(booleans = {false, true})
  void completeGraphSearchEqualsExhaustiveAmongNearTies(boolean interleaved) throws Exception {
    try (Directory dir = new ByteBuffersDirectory()) {
      NearTieIndex idx = NearTieIndex.write(dir, 17, interleaved);
      Random random = idx.random();
      List<float[]> bases = idx.bases();
      PefaSchema schema = idx.schema();
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(1, reader.leaves().size());
        LeafReader leaf = reader.leaves().get(0).reader();
        for (String field : new String[] {schema.ermField(), schema.memoryField()}) {
          int first = VectorOrdinals.contiguousFirstDoc(leaf.getFloatVectorValues(field));
          assertEquals(interleaved, first < 0, field + ": vectors on consecutive docs from " + first);
        }
        IndexSearcher searcher = new IndexSearcher(reader);
        AnnEffort wholeSegment = AnnEffort.graphOnly(1000);
        for (int t = 0; t < 40; t++) {
          float[] q = near(random, bases, 0f);
          int k = 1 + random.nextInt(8);
          int topK = 1 + random.nextInt(30);
          int n = 1 + random.nextInt(30);
          PefaQuery.Builder xl =
              PefaQuery.xl(schema, q, n).k(k).topK(topK).knnNormalization(KnnNormalization.SUM);
          assertSame(
              "XL query " + t,
              searcher.search(xl.effort(AnnEffort.EXHAUSTIVE).build(), n).scoreDocs,
              searcher.search(xl.effort(wholeSegment).build(), n).scoreDocs);
          PefaQuery.Builder xs = PefaQuery.xs(schema, q, n);
          assertSame(
              "XS query " + t,
              searcher.search(xs.effort(AnnEffort.EXHAUSTIVE).build(), n).scoreDocs,
              searcher.search(xs.effort(wholeSegment).build(), n).scoreDocs);
          PefaQuery.Builder pair = PefaQuery.xs(schema, q, n).lambda(0.7f); // e_d(0.7) from p_d, e_d
          assertSame(
              "XS lambda 0.7 query " + t,
              searcher.search(pair.effort(AnnEffort.EXHAUSTIVE).build(), n).scoreDocs,
              searcher.search(pair.effort(wholeSegment).build(), n).scoreDocs);
        }
      }
    }
  }

  @Test
  void rescoreCountKeepsTheFirstKAndHitsWithinTheMargin() {
    float margin = ExactVectorScan.rescoreMargin(DIM);
    ScoreDoc[] hits = {
      new ScoreDoc(0, 0.9f),
      new ScoreDoc(1, 0.8f),
      new ScoreDoc(2, 0.8f - margin / 2),
      new ScoreDoc(3, 0.8f - margin),
      new ScoreDoc(4, 0.8f - 2 * margin),
      new ScoreDoc(5, 0.1f)
    };
    assertEquals(4, GraphWalk.rescoreCount(hits, 2, DIM));
    assertEquals(1, GraphWalk.rescoreCount(hits, 1, DIM));
    assertEquals(6, GraphWalk.rescoreCount(hits, 6, DIM));
    assertEquals(6, GraphWalk.rescoreCount(hits, 10, DIM));
    assertTrue(ExactVectorScan.rescoreMargin(384) > 1e-4f && ExactVectorScan.rescoreMargin(384) < 1e-3f);
  }

  /**
   * Same hits with the same scores, rank by rank; hits whose scores lie within {@link #ULPS} of
   * each other may swap places, also across the cut at n (the JIT may round one inner product
   * differently, see {@link #near}).
   */
  /** Hits with the raw PEFA scores of their reported (non-negative) scores. */
  private static ScoreDoc[] rawScores(ScoreDoc[] hits) {
    ScoreDoc[] out = new ScoreDoc[hits.length];
    for (int i = 0; i < hits.length; i++) {
      out[i] = new ScoreDoc(hits[i].doc, (float) io.github.lucenepefa.oracle.Rankings.raw(hits[i].score));
    }
    return out;
  }

  private static void assertSame(String ctx, ScoreDoc[] expected, ScoreDoc[] got) {
    ctx = ctx + "\nexpected " + Arrays.toString(expected) + "\ngot " + Arrays.toString(got);
    assertEquals(expected.length, got.length, ctx);
    for (int i = 0; i < got.length; i++) {
      assertEquals(expected[i].score, got[i].score, ULPS, ctx + " rank " + i);
      if (expected[i].doc != got[i].doc) {
        boolean swapped = false;
        for (int j = 0; j < got.length; j++) {
          swapped |= got[j].doc == expected[i].doc && Math.abs(got[j].score - expected[i].score) <= ULPS;
        }
        // or a tie group cut by n: the other member is beyond the last rank
        boolean cut = Math.abs(expected[i].score - expected[expected.length - 1].score) <= ULPS;
        assertTrue(swapped || cut, ctx + " rank " + i);
      }
    }
  }

  /** Scores this close count as tied. */
  private static final float ULPS = 1e-6f;

  /**
   * One of the base directions, with noise of 1e-3 per component (scores about 1e-6 apart: near
   * the rescoring margin, well above the rounding of one inner product), or half of the time
   * exactly (ties; used for memory rows only). Documents tied within an ulp would make the test
   * depend on the JIT: Lucene's SIMD inner product sums its lanes in an order that may differ
   * between interpreted, C1 and C2 code, so two "equal" documents can score an ulp apart when
   * the scan is compiled half-way.
   */
  private static float[] near(Random random, List<float[]> bases, float exactShare) {
    float noise = random.nextFloat() < exactShare ? 0f : 1e-3f;
    return unit(random, bases.get(random.nextInt(bases.size())), noise);
  }

  private static float[] unit(Random random, float[] base, float noise) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = base == null ? (float) random.nextGaussian() : base[i] + noise * (float) random.nextGaussian();
    }
    return PefaVectors.normalize(v);
  }
}
