package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.index.Bm25Settings;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.PefaHybridQuery;
import io.github.lucenepefa.search.PefaQuery;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;

/**
 * The hybrid methods of {@code pefa bench --bm25-weight A}: each PEFA method fused with BM25 over the
 * documents' text field by the library's {@link PefaHybridQuery} (weight {@code a}, lexical top-K
 * {@code max(n, }{@value PefaHybridQuery#DEFAULT_LEXICAL_TOP_K}{@code )}, as {@code pefa search} and
 * {@code pefa eval} run it), and the stock searches a Lucene user would run instead:
 *
 * <ul>
 *   <li>{@code pefa-erm+bm25}, {@code pefa-xs+bm25}, {@code pefa-xl+bm25}: ERM+BM25 (PEFA-XL at
 *       lambda 1 without neighbours, as {@code pefa eval} runs it), PEFA-XS+BM25 and PEFA-XL+BM25 at
 *       {@link AnnEffort#ef(int)}; exact reference: the same query with {@link
 *       AnnEffort#EXHAUSTIVE}. Their non-hybrid counterparts in the same run are {@code lucene-knn}
 *       (ERM), {@code pefa-xs} and {@code pefa-xl}.
 *   <li>{@code pefa-erm+bm25-exhaustive}, {@code pefa-xs+bm25-exhaustive}, {@code
 *       pefa-xl+bm25-exhaustive}: with {@link AnnEffort#EXHAUSTIVE} (every document scored on both
 *       parts).
 *   <li>{@code lucene-bm25+knn}, the hybrid floor: stock Lucene's two searches of one index of vectors
 *       and text, the BM25 top-K of the text field, then {@code lucene-knn} (its hits are the
 *       method's; a fusion of the two lists in user code is not timed); exact reference: brute force
 *       over the document vectors.
 *   <li>{@code lucene-bm25}: the stock BM25 search alone, top {@code n} (exact).
 * </ul>
 *
 * <p>The lexical query of a query vector is the bag of words of its text ({@link Bm25Settings#query}).
 */
final class HybridMethods {

  /** The stock BM25 search alone. */
  static final String STOCK_BM25 = "lucene-bm25";

  /** The hybrid floor: stock BM25 plus stock kNN. */
  static final String FLOOR = "lucene-bm25+knn";

  private final BenchConfig config;
  private final float weight;
  private final Map<float[], Query> lexical = new IdentityHashMap<>();

  /**
   * @param config the bench settings, with {@link BenchConfig#bm25Weight()}
   * @param data the data, with texts
   * @throws IllegalArgumentException when the data has no texts
   */
  HybridMethods(BenchConfig config, BenchData data) {
    if (data.hasText() == false) {
      throw new IllegalArgumentException(
          "--bm25-weight: the data set " + data.name() + " has no texts for a BM25 field");
    }
    this.config = config;
    this.weight = config.bm25Weight();
    Analyzer analyzer = Bm25Settings.analyzer();
    for (int i = 0; i < data.queries().length; i++) {
      lexical.put(data.queries()[i], Bm25Settings.query(analyzer, data.queryTexts()[i]));
    }
  }

  /**
   * Gives the searchers the similarity of the text field ({@link Bm25Settings#DEFAULT}); vector
   * searches do not use it.
   */
  static void setSimilarity(IndexSearcher... searchers) {
    for (IndexSearcher s : searchers) {
      s.setSimilarity(Bm25Settings.DEFAULT.similarity());
    }
  }

  /** The lexical query of a query vector of the data. */
  Query lexical(float[] q) {
    Query l = lexical.get(q);
    if (l == null) {
      throw new IllegalStateException("a query vector without a text");
    }
    return l;
  }

  /** The lexical candidates of a hybrid search of {@code n} hits, and of the floor's BM25 search. */
  static int lexicalTopK(int n) {
    return Math.max(n, PefaHybridQuery.DEFAULT_LEXICAL_TOP_K);
  }

  /** {@code pefa} fused with the query's BM25 query. */
  Query fuse(PefaQuery pefa, float[] q) {
    return new PefaHybridQuery(pefa, lexical(q), weight, lexicalTopK(pefa.n()));
  }

  /** ERM as {@code pefa eval} runs it fused with BM25: PEFA-XL at lambda 1, without neighbours. */
  PefaQuery erm(PefaSchema schema, float[] q, int n, AnnEffort effort) {
    return config.oversampled(PefaQuery.xl(schema, q, n).lambda(1f).topK(n).k(1).neighbours(List.of()).effort(effort))
        .build();
  }

  /**
   * The hybrid floor: stock BM25's top-K and then {@code knn}'s top n on one stock index.
   *
   * @return the kNN hits
   */
  ScoreDoc[] floor(IndexSearcher stock, Query knn, float[] q, int n) throws IOException {
    stock.search(lexical(q), lexicalTopK(n));
    return stock.search(knn, n).scoreDocs;
  }

  /**
   * The methods, exact ones first, then those of every ef of the settings.
   *
   * @param base the methods of the run (their PEFA queries, stock beams and visit counts)
   * @param schema the PEFA index layout
   * @param stock searcher of the stock index of the documents (with the text field)
   * @param pefa searcher of the PEFA index (with the text field)
   * @param stockMap stock doc id to data index
   * @param pefaMap PEFA doc id to data index
   * @param ermExact the exact top n of the document vectors
   */
  List<BenchMethod> methods(
      BenchMethods base,
      PefaSchema schema,
      IndexSearcher stock,
      IndexSearcher pefa,
      int[] stockMap,
      int[] pefaMap,
      BenchMethod.Search ermExact) {
    int n = config.n();
    int topK = config.topK();
    AnnEffort all = AnnEffort.EXHAUSTIVE;
    BenchMethod.Search ermHybridExact = q -> pefa.search(fuse(erm(schema, q, n, all), q), n).scoreDocs;
    BenchMethod.Search xsHybridExact = q -> pefa.search(fuse(base.xs(schema, q, all), q), n).scoreDocs;
    BenchMethod.Search xlHybridExact = q -> pefa.search(fuse(base.xl(schema, q, all, topK), q), n).scoreDocs;
    BenchMethod.Search bm25 = q -> stock.search(lexical(q), n).scoreDocs;
    List<BenchMethod> out = new ArrayList<>();
    out.add(new BenchMethod(STOCK_BM25, 0, 0, bm25, stockMap, bm25, q -> 0));
    out.add(
        new BenchMethod(
            "pefa-erm+bm25-exhaustive",
            0,
            0,
            ermHybridExact,
            pefaMap,
            ermHybridExact,
            q -> BenchMethods.fieldSize(pefa, schema.ermField())));
    out.add(
        new BenchMethod(
            "pefa-xs+bm25-exhaustive",
            0,
            0,
            xsHybridExact,
            pefaMap,
            xsHybridExact,
            q -> BenchMethods.fieldSize(pefa, schema.xsVectorField())));
    out.add(
        new BenchMethod(
            "pefa-xl+bm25-exhaustive",
            0,
            topK,
            xlHybridExact,
            pefaMap,
            xlHybridExact,
            q -> BenchMethods.fieldSize(pefa, schema.ermField()) + BenchMethods.fieldSize(pefa, schema.memoryField())));
    for (int ef : config.efs()) {
      int fanout = base.stockBeam(n, ef);
      AnnEffort effort = AnnEffort.ef(ef);
      out.add(
          new BenchMethod(
              FLOOR,
              ef,
              0,
              q -> floor(stock, base.rescored(new KnnFloatVectorQuery(BenchRunner.STOCK_FIELD, q, fanout), q, n), q, n),
              stockMap,
              ermExact,
              q -> base.stockVisited(stock, q, fanout)));
      out.add(
          new BenchMethod(
              "pefa-erm+bm25",
              ef,
              0,
              q -> pefa.search(fuse(erm(schema, q, n, effort), q), n).scoreDocs,
              pefaMap,
              ermHybridExact,
              q -> BenchMethods.visited(pefa, schema.ermField(), q, n, effort)));
      out.add(
          new BenchMethod(
              "pefa-xs+bm25",
              ef,
              0,
              q -> pefa.search(fuse(base.xs(schema, q, effort), q), n).scoreDocs,
              pefaMap,
              xsHybridExact,
              q -> BenchMethods.visited(pefa, schema.xsVectorField(), q, n, effort)));
      out.add(
          new BenchMethod(
              "pefa-xl+bm25",
              ef,
              topK,
              q -> pefa.search(fuse(base.xl(schema, q, effort, topK), q), n).scoreDocs,
              pefaMap,
              xlHybridExact,
              q -> base.xlVisited(pefa, schema, q, effort, topK)));
    }
    return out;
  }
}
