package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.codec.PefaCodec;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import io.github.lucenepefa.scoring.KnnNormalization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/**
 * The graph path rescores only the beam hits that can reach the exact top k ({@link
 * LeafVectorSearch#rescoreCount}). With a beam as wide as the segment the graph search finds every
 * vector, so the results must equal the exhaustive ones, also among ties and near-ties:
 * the vectors here are a few directions, repeated exactly or slightly perturbed, so that many
 * scores tie (memory rows tied at the k-th score must be chosen by row id, as the exhaustive
 * search does) or lie within the rescoring margin of each other.
 */
class TestGraphRescoring {

  private static final int DIM = 24;

  @Test
  void completeGraphSearchEqualsExhaustiveAmongNearTies() throws Exception {
    Random random = new Random(17);
    List<float[]> bases = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      bases.add(unit(random, null, 0));
    }
    PefaSchema schema = PefaSchema.builder(DIM).xsLambda(0.4f).hnsw(16, 100).build();
    try (Directory dir = new ByteBuffersDirectory()) {
      try (IndexWriter iw = new IndexWriter(dir, new IndexWriterConfig().setCodec(new PefaCodec()))) {
        PefaIndexWriter w = new PefaIndexWriter(iw, schema);
        for (int r = 0; r < 300; r++) {
          w.addTrainingQuery(
              "q" + r, near(random, bases, 0.5f), Map.of("d" + random.nextInt(400), 1f + random.nextInt(2)));
        }
        for (int d = 0; d < 400; d++) {
          w.addDocument("d" + d, near(random, bases, 0f));
        }
        w.commit();
        iw.forceMerge(1);
        w.commit();
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        AnnEffort wholeSegment = AnnEffort.graphOnly(1000);
        for (int t = 0; t < 40; t++) {
          float[] q = near(random, bases, 0f);
          int k = 1 + random.nextInt(8);
          int topK = 1 + random.nextInt(30);
          int n = 1 + random.nextInt(30);
          PefaQuery.Builder xl =
              PefaQuery.xl(schema, q).k(k).topK(topK).n(n).knnNormalization(KnnNormalization.SUM);
          assertSame(
              "XL query " + t,
              searcher.search(xl.effort(AnnEffort.EXHAUSTIVE).build(), n).scoreDocs,
              searcher.search(xl.effort(wholeSegment).build(), n).scoreDocs);
          PefaQuery.Builder xs = PefaQuery.xs(schema, q).n(n);
          assertSame(
              "XS query " + t,
              searcher.search(xs.effort(AnnEffort.EXHAUSTIVE).build(), n).scoreDocs,
              searcher.search(xs.effort(wholeSegment).build(), n).scoreDocs);
          PefaQuery.Builder pair = PefaQuery.xs(schema, q).lambda(0.7f).n(n); // the [p_d, u_d] field
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
    float margin = LeafVectorSearch.rescoreMargin(DIM);
    ScoreDoc[] hits = {
      new ScoreDoc(0, 0.9f),
      new ScoreDoc(1, 0.8f),
      new ScoreDoc(2, 0.8f - margin / 2),
      new ScoreDoc(3, 0.8f - margin),
      new ScoreDoc(4, 0.8f - 2 * margin),
      new ScoreDoc(5, 0.1f)
    };
    assertEquals(4, LeafVectorSearch.rescoreCount(hits, 2, DIM));
    assertEquals(1, LeafVectorSearch.rescoreCount(hits, 1, DIM));
    assertEquals(6, LeafVectorSearch.rescoreCount(hits, 6, DIM));
    assertEquals(6, LeafVectorSearch.rescoreCount(hits, 10, DIM));
    assertTrue(LeafVectorSearch.rescoreMargin(384) > 1e-4f && LeafVectorSearch.rescoreMargin(384) < 1e-3f);
  }

  /**
   * Same hits with the same scores, rank by rank; hits whose scores lie within {@link #ULPS} of
   * each other may swap places, also across the cut at n (the JIT may round one inner product
   * differently, see {@link #near}).
   */
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
