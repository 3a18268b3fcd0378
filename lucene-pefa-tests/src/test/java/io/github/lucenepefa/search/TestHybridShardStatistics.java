package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.oracle.BruteForce;
import io.github.lucenepefa.oracle.Content;
import io.github.lucenepefa.oracle.HybridBruteForce;
import io.github.lucenepefa.oracle.Rankings;
import io.github.lucenepefa.scoring.ErmScoreMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PefaHybridQuery#withShardStatistics} (the lexical normaliser and lexical-candidate
 * threshold of a whole sharded index, given to one shard) and {@link
 * PefaHybridQuery#lexicalStatistics} against the independent oracle ({@link HybridBruteForce}:
 * BM25 from Lucene's explain, PEFA from {@link BruteForce}): with exhaustive effort the given
 * {@code max} normalises every document; with a candidate effort (every segment scanned exactly,
 * so PEFA-XL's candidates are the oracle's) the lexical candidates are the filtered lexical top
 * {@code max(n, lexicalTopK)} scoring at least the given threshold.
 */
class TestHybridShardStatistics {

  static long[] seeds() {
    long[] s = new long[Integer.getInteger("pefa.random.indexes", 40)];
    for (int i = 0; i < s.length; i++) {
      s[i] = 0x4b1dL * 31 + i;
    }
    return s;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void shardStatisticsEqualOracle(long seed) throws Exception {
    try (RandomPefaIndex idx = new RandomPefaIndex(seed)) {
      idx.build();
      try (DirectoryReader reader = DirectoryReader.open(idx.dir)) {
        if (FieldInfos.getIndexedFields(reader).contains(RandomPefaIndex.TEXT_FIELD) == false) {
          return;
        }
        IndexSearcher searcher = new IndexSearcher(reader);
        Content content = idx.model.content(reader, idx.schema);
        BruteForce oracle = new BruteForce(content);
        for (int t = 0; t < 4; t++) {
          float[] q = idx.clustered();
          int n = 1 + idx.random.nextInt(20);
          int lexicalTopK = 1 + idx.random.nextInt(20);
          float a = 0.1f + 0.8f * idx.random.nextFloat();
          float lambda = idx.random.nextFloat();
          int k = 1 + idx.random.nextInt(20);
          int topK = 1 + idx.random.nextInt(30);
          boolean topKOnly = idx.random.nextBoolean();
          boolean filtered = idx.random.nextInt(3) == 0;
          Query filter = filtered ? new TermQuery(new Term("color", "red")) : null;
          Predicate<Content.Doc> pred = filtered ? d -> "red".equals(d.color()) : d -> true;
          Query lexical = TestPefaHybridQuery.randomLexical(idx.textRandom);
          boolean exhaustive = idx.random.nextBoolean();
          PefaQuery pefa =
              PefaQuery.xl(idx.schema, q, n)
                  .lambda(lambda)
                  .k(k)
                  .topK(topK)
                  .ermScoreMode(topKOnly ? ErmScoreMode.TOP_K_ONLY : ErmScoreMode.EXACT)
                  .filter(filter)
                  .effort(
                      exhaustive
                          ? AnnEffort.EXHAUSTIVE
                          : new AnnEffort(10, false, Integer.MAX_VALUE)) // exact scans, candidates
                  .build();
          BruteForce.Xl p =
              new BruteForce.Xl(lambda, k, topK, false, false, 0.05, topKOnly);
          Map<Integer, Double> bm25 = HybridBruteForce.lexicalScores(searcher, content, lexical);
          double localMax = bm25.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
          PefaHybridQuery plain = new PefaHybridQuery(pefa, lexical, a, lexicalTopK);

          // this shard's statistics: its top lexical score, its filtered lexical top scores
          PefaHybridQuery.LexicalStatistics stats = plain.lexicalStatistics(searcher);
          List<Double> ranked = new ArrayList<>();
          Map<Integer, Double> accepted = new HashMap<>();
          for (Content.Doc d : content.docs()) {
            Double s = bm25.get(d.globalDoc());
            if (s != null && pred.test(d)) {
              ranked.add(s);
              accepted.put(d.globalDoc(), s);
            }
          }
          ranked.sort((x, y) -> Double.compare(y, x));
          String ctx = "seed " + seed + " query " + t;
          assertEquals(localMax, stats.max(), 1e-5 * Math.max(1, localMax), ctx);
          assertEquals(Math.min(Math.max(n, lexicalTopK), ranked.size()), stats.topScores().length, ctx);
          for (int i = 0; i < stats.topScores().length; i++) {
            assertEquals(ranked.get(i), stats.topScores()[i], 1e-5 * Math.max(1, ranked.get(i)), ctx);
          }

          // a whole-index max at least this shard's, and a threshold between two lexical scores
          float givenMax = (float) (localMax * (1 + idx.random.nextInt(3) * 0.5) + (localMax == 0 ? 1 : 0));
          int cut = ranked.isEmpty() ? -1 : idx.random.nextInt(ranked.size() + 1) - 1;
          double threshold =
              cut < 0 || cut >= ranked.size() - 1
                  ? Double.NEGATIVE_INFINITY
                  : (ranked.get(cut) + ranked.get(cut + 1)) / 2;
          if (cut >= 0 && cut < ranked.size() - 1 && ranked.get(cut) - ranked.get(cut + 1) < 1e-4) {
            continue; // a near-tie at the threshold: float and double may disagree
          }
          PefaHybridQuery sharded = plain.withShardStatistics(givenMax, (float) threshold);

          BruteForce.Ranking everyDoc = oracle.xlEveryDoc(q, p, pred);
          BruteForce.Ranking pefaOnly = oracle.xl(q, p, pred, Integer.MAX_VALUE);
          if (pefaOnly.ambiguous()) {
            continue;
          }
          Map<Integer, Double> candidates = new HashMap<>();
          if (exhaustive) {
            candidates.putAll(everyDoc.candidates());
          } else {
            candidates.putAll(pefaOnly.candidates());
            // the lexical top max(n, lexicalTopK) (score desc, doc asc) kept at >= threshold
            List<Map.Entry<Integer, Double>> lex = new ArrayList<>(accepted.entrySet());
            lex.sort(
                (x, y) ->
                    x.getValue().equals(y.getValue())
                        ? Integer.compare(x.getKey(), y.getKey())
                        : Double.compare(y.getValue(), x.getValue()));
            for (int i = 0; i < Math.min(Math.max(n, lexicalTopK), lex.size()); i++) {
              int doc = lex.get(i).getKey();
              if (lex.get(i).getValue() >= threshold && everyDoc.candidates().containsKey(doc)) {
                candidates.put(doc, everyDoc.candidates().get(doc));
              }
            }
          }
          BruteForce.Ranking expected =
              HybridBruteForce.rank(
                  new BruteForce.Ranking(List.of(), candidates, false), bm25, a, n, false, givenMax);
          Rankings.assertSame(
              ctx + " " + sharded, expected, searcher.search(sharded, n).scoreDocs, n);
        }
      }
    }
  }

  @org.junit.jupiter.api.Test
  void badStatisticsAreRefused() {
    PefaQuery pefa =
        PefaQuery.xl(io.github.lucenepefa.index.PefaSchema.builder(2).build(), new float[] {1, 0}, 1)
            .build();
    PefaHybridQuery h = PefaHybridQuery.of(pefa, new TermQuery(new Term("text", "x")), 0.5f);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> h.withShardStatistics(-1f, 0f))
            .getMessage()
            .contains("lexical max"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> h.withShardStatistics(1f, Float.NaN))
            .getMessage()
            .contains("lexical threshold"));
  }
}
