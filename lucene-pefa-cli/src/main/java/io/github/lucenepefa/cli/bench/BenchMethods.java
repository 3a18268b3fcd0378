package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.cli.bench.BenchMethod.Search;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.PefaQuery;
import io.github.lucenepefa.search.VectorSearchCost;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;

/**
 * The methods {@code pefa bench} times (listed in {@link BenchRunner}), each a {@link BenchMethod}:
 * its search, its exact reference and its count of vectors scored, all with the queries and beams of
 * the settings. {@link HybridMethods} adds the hybrid ones through the same queries.
 */
final class BenchMethods {

  /** Memory-side beams timed for PEFA-XL (graph only), below the main ef. */
  static final int[] MEMORY_EFS = {16, 24, 32, 50};

  private final BenchConfig config;

  /**
   * @param config the settings
   */
  BenchMethods(BenchConfig config) {
    this.config = config;
  }

  /**
   * The methods of a run, in timing order: the exact ones, then those of every ef, the executor
   * variants, the memory beams, the hybrid methods (with {@link BenchConfig#bm25Weight()}) and the K
   * sweep.
   *
   * @param data the data
   * @param rowVectors the memory rows' vectors
   * @param schema the PEFA index layout
   * @param stock searcher of the stock index of the documents
   * @param stockMem searcher of the stock index of the memory vectors, or null
   * @param pefa searcher of the PEFA index
   * @param stockExec {@code stock}'s reader with an executor
   * @param pefaExec {@code pefa}'s reader with an executor
   */
  List<BenchMethod> methods(
      BenchData data,
      float[][] rowVectors,
      PefaSchema schema,
      IndexSearcher stock,
      IndexSearcher stockMem,
      IndexSearcher pefa,
      IndexSearcher stockExec,
      IndexSearcher pefaExec)
      throws IOException {
    int n = config.n();
    int[] stockMap = DocMaps.stock(stock.getIndexReader());
    int[] pefaMap = DocMaps.pefa(pefa.getIndexReader(), schema, data);
    float[][] docs = data.docs();
    Search ermExact = q -> ExactScan.scan(docs, q, n);
    int[] identity = null;
    Search xsExact = q -> pefa.search(xs(schema, q, AnnEffort.EXHAUSTIVE), n).scoreDocs;
    Search xlExact = q -> pefa.search(xl(schema, q, AnnEffort.EXHAUSTIVE, config.topK()), n).scoreDocs;
    List<BenchMethod> out = new ArrayList<>();
    out.add(new BenchMethod("exact-scan-docs", 0, 0, ermExact, identity, ermExact, q -> docs.length));
    if (rowVectors.length > 0) {
      out.add(
          new BenchMethod(
              "exact-scan-docs+memory",
              0,
              0,
              q -> {
                ScoreDoc[] top = ExactScan.scan(docs, q, n);
                ExactScan.scan(rowVectors, q, config.k());
                return top;
              },
              identity,
              ermExact,
              q -> docs.length + rowVectors.length));
    }
    out.add(
        new BenchMethod(
            "pefa-xs-exhaustive",
            0,
            0,
            xsExact,
            pefaMap,
            xsExact,
            q -> fieldSize(pefa, schema.xsVectorField())));
    out.add(
        new BenchMethod(
            "pefa-xl-exhaustive",
            0,
            config.topK(),
            xlExact,
            pefaMap,
            xlExact,
            q -> fieldSize(pefa, schema.ermField()) + fieldSize(pefa, schema.memoryField())));
    for (int ef : config.efs()) {
      int fanout = stockBeam(n, ef);
      LongAdder sink = new LongAdder();
      out.add(
          new BenchMethod(
              "lucene-knn",
              ef,
              0,
              q -> stock.search(rescored(new CountingKnnQuery(BenchRunner.STOCK_FIELD, q, fanout, sink), q, n), n).scoreDocs,
              stockMap,
              ermExact,
              q -> stockVisited(stock, q, fanout)));
      if (stockMem != null) {
        out.add(twoGraphFloor("lucene-knn-docs+memory", ef, stock, stockMem, null, stockMap, ermExact));
      }
      for (boolean graph : config.graphOnly() ? new boolean[] {false, true} : new boolean[] {false}) {
        AnnEffort effort = graph ? AnnEffort.graphOnly(ef) : AnnEffort.ef(ef);
        String suffix = graph ? "-graph" : "";
        out.add(
            new BenchMethod(
                "pefa-xs" + suffix,
                ef,
                0,
                q -> pefa.search(xs(schema, q, effort), n).scoreDocs,
                pefaMap,
                xsExact,
                q ->
                    visited(
                        pefa, schema.xsVectorField(), q, n, effort)));
        out.add(xlMethod("pefa-xl" + suffix, ef, effort, pefa, pefa, schema, pefaMap, xlExact));
      }
    }
    // with an executor: PEFA-XL searches the memory and the documents at the same time
    for (int ef : config.efs()) {
      int fanout = stockBeam(n, ef);
      AnnEffort effort = AnnEffort.ef(ef);
      out.add(
          new BenchMethod(
              "lucene-knn-executor",
              ef,
              0,
              q -> stockExec.search(rescored(new KnnFloatVectorQuery(BenchRunner.STOCK_FIELD, q, fanout), q, n), n).scoreDocs,
              stockMap,
              ermExact,
              q -> stockVisited(stock, q, fanout)));
      out.add(xlMethod("pefa-xl-executor", ef, effort, pefaExec, pefa, schema, pefaMap, xlExact));
      if (stockMem != null) {
        out.add(
            twoGraphFloor(
                "lucene-knn-docs+memory-executor", ef, stock, stockMem, stockExec, stockMap, ermExact));
      }
    }
    // PEFA-XL with a given beam on the memory side: neighbours found with graphOnly(memEf), passed
    // to the query; the ERM side keeps graphOnly(ef)
    for (int ef : config.efs()) {
      for (int memEf : MEMORY_EFS) {
        if (memEf >= ef || memEf < config.k()) {
          continue;
        }
        AnnEffort ermEffort = AnnEffort.graphOnly(ef);
        AnnEffort memEffort = AnnEffort.graphOnly(memEf);
        out.add(
            new BenchMethod(
                "pefa-xl-graph-memef" + memEf,
                ef,
                config.topK(),
                q -> {
                  List<io.github.lucenepefa.search.Neighbour> nk =
                      io.github.lucenepefa.search.TrainingQueryMemory.nearest(
                          pefa, schema, q, config.k(), memEffort, config.oversample());
                  Query query =
                      config.xl(schema, q, config.n(), config.topK()).effort(ermEffort).neighbours(nk).build();
                  return pefa.search(query, n).scoreDocs;
                },
                pefaMap,
                xlExact,
                q ->
                    visited(pefa, schema.memoryField(), q, config.k(), memEffort)
                        + visited(pefa, schema.ermField(), q, config.topK(), ermEffort)));
      }
    }
    if (config.hybrid()) {
      out.addAll(new HybridMethods(config, data).methods(this, schema, stock, pefa, stockMap, pefaMap, ermExact));
    }
    if (config.kSweep().length > 0 && config.efs().length > 0) {
      int ef = config.efs()[0];
      for (int ef2 : config.efs()) {
        if (ef2 == AnnEffort.DEFAULT_EF_SEARCH) {
          ef = ef2;
        }
      }
      AnnEffort effort = AnnEffort.ef(ef);
      for (int kk : config.kSweep()) {
        out.add(
            new BenchMethod(
                "pefa-xl-K" + kk,
                ef,
                kk,
                q -> pefa.search(xl(schema, q, effort, kk), n).scoreDocs,
                pefaMap,
                xlExact,
                q -> xlVisited(pefa, schema, q, effort, kk)));
      }
    }
    return out;
  }

  /** PEFA-XS of the settings, top n. */
  PefaQuery xs(PefaSchema schema, float[] q, AnnEffort effort) {
    return config.xs(schema, q, config.n()).effort(effort).build();
  }

  /** The beam of a stock search of {@code wanted} hits at {@code ef}: PEFA's ({@link StockKnn#beam}). */
  int stockBeam(int wanted, int ef) {
    return StockKnn.beam(wanted, ef, StockKnn.factor(config.quantization(), config.oversample()));
  }

  /** A stock kNN query, rescored with the float vectors when the graphs are quantized. */
  Query rescored(Query knn, float[] q, int wanted) {
    return StockKnn.rescored(knn, BenchRunner.STOCK_FIELD, q, wanted, config.quantization());
  }

  /** PEFA-XL at the configured K through {@code searcher}; visits counted on {@code plain}. */
  private BenchMethod xlMethod(
      String name,
      int ef,
      AnnEffort effort,
      IndexSearcher searcher,
      IndexSearcher plain,
      PefaSchema schema,
      int[] pefaMap,
      Search xlExact) {
    return new BenchMethod(
        name,
        ef,
        config.topK(),
        q -> searcher.search(xl(schema, q, effort, config.topK()), config.n()).scoreDocs,
        pefaMap,
        xlExact,
        q -> xlVisited(plain, schema, q, effort, config.topK()));
  }

  /**
   * The floor of a two-graph PEFA-XL: stock Lucene searching the documents (as {@code lucene-knn})
   * and the stock index of the memory vectors with PEFA-XL's memory beam as k, nothing else (no
   * labels, no rescoring); one after the other, or at the same time on {@code executor}'s threads
   * as PEFA-XL's two sides run.
   */
  private BenchMethod twoGraphFloor(
      String name,
      int ef,
      IndexSearcher stock,
      IndexSearcher stockMem,
      IndexSearcher executor,
      int[] stockMap,
      Search ermExact) {
    int n = config.n();
    int fanout = stockBeam(n, ef);
    int memBeam = stockBeam(config.k(), AnnEffort.ef(ef).forMemory(config.k()).efSearch());
    return new BenchMethod(
        name,
        ef,
        0,
        q -> {
          Query docsQuery = rescored(new KnnFloatVectorQuery(BenchRunner.STOCK_FIELD, q, fanout), q, n);
          Query memoryQuery = rescored(new KnnFloatVectorQuery(BenchRunner.STOCK_FIELD, q, memBeam), q, config.k());
          if (executor == null) {
            ScoreDoc[] top = stock.search(docsQuery, n).scoreDocs;
            stockMem.search(memoryQuery, config.k());
            return top;
          }
          List<java.util.concurrent.Callable<Object>> both =
              List.of(
                  () -> stock.search(docsQuery, n).scoreDocs,
                  () -> stockMem.search(memoryQuery, config.k()));
          return (ScoreDoc[]) executor.getTaskExecutor().invokeAll(both).get(0);
        },
        stockMap,
        ermExact,
        q -> stockVisited(stock, q, fanout) + stockVisited(stockMem, q, memBeam));
  }

  /** Graph nodes (or vectors) a stock kNN query with this fanout scores. */
  long stockVisited(IndexSearcher stock, float[] q, int fanout) throws IOException {
    LongAdder c = new LongAdder();
    stock.search(new CountingKnnQuery(BenchRunner.STOCK_FIELD, q, fanout, c), config.n());
    return c.sum();
  }

  /** Nodes (or vectors) a PEFA-XL query scores on both sides. */
  long xlVisited(
      IndexSearcher pefa, PefaSchema schema, float[] q, AnnEffort effort, int topK)
      throws IOException {
    return VectorSearchCost.visitedXl(pefa, schema, q, config.k(), topK, effort);
  }

  /** PEFA-XL of the settings with ERM candidates {@code topK}, top n. */
  PefaQuery xl(PefaSchema schema, float[] q, AnnEffort effort, int topK) {
    return config.xl(schema, q, config.n(), topK).effort(effort).build();
  }

  /** Vectors scored by one field's search as PefaQuery does it (graph or exact per segment). */
  static long visited(IndexSearcher searcher, String field, float[] q, int want, AnnEffort effort)
      throws IOException {
    return VectorSearchCost.visited(searcher, field, q, want, effort);
  }

  /** The number of vectors of a field. */
  static long fieldSize(IndexSearcher searcher, String field) throws IOException {
    long total = 0;
    for (LeafReaderContext ctx : searcher.getIndexReader().leaves()) {
      FloatVectorValues values = ctx.reader().getFloatVectorValues(field);
      total += values == null ? 0 : values.size();
    }
    return total;
  }
}
