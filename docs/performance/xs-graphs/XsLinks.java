import io.github.lucenepefa.cli.bench.SyntheticData;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

/**
 * How well connected an inner-product HNSW graph of PEFA-XS's {@code e_d} is, against a graph of
 * the unit {@code p_d} (stock's geometry), for several max connections (docs/performance.md,
 * "PEFA-XS at larger indexes"). Reads {@code e_d} and {@code p_d} of a one-segment PEFA index of the
 * synthetic set, builds each graph on the heap with Lucene's {@code HnswGraphBuilder} (beam 100, one
 * thread, seed 42), and prints:
 *
 * <ul>
 *   <li>the nodes no walk reaches (level 0, from the entry node) and those with no incoming link;
 *   <li>how many of the exact top 100 of the bench's queries are among them;
 *   <li>for each beam {@code ef}: overlap@100 of the beam (rescored with the exact score) with the
 *       exact top 100, and the nodes scored per query (Lucene's visited count).
 * </ul>
 *
 * Graphs: {@code stock-M} ({@code p_d}, dot product, searched with {@code <q, p_d>}) and {@code
 * xs-M} ({@code e_d}, maximum inner product, searched with {@code <q, e_d>}). The queries are those
 * of {@code pefa bench --synthetic --docs N --memory-rows N --queries 300 --dim 384 --seed 42}.
 * Run, after that bench with {@code --index-dir IDX} (for example the 100k command of
 * docs/performance.md):
 *
 * <pre>
 * javac -cp lucene-pefa-cli/target/pefa.jar -d /tmp/xs-links docs/performance/xs-graphs/XsLinks.java
 * java --add-modules jdk.incubator.vector -Xmx6g -cp lucene-pefa-cli/target/pefa.jar:/tmp/xs-links \
 *   XsLinks IDX/pefa 100000 stock-16,xs-16,xs-24,xs-32
 * </pre>
 */
public class XsLinks {
  static final int K = 100;
  static final int[] EFS = {100, 150, 200, 300, 500, 1000};

  public static void main(String[] args) throws Exception {
    Path pefa = Paths.get(args[0]);
    int docs = Integer.parseInt(args[1]);
    List<float[]> e = new ArrayList<>(), p = new ArrayList<>();
    try (Directory dir = FSDirectory.open(pefa);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      for (LeafReaderContext ctx : reader.leaves()) {
        FloatVectorValues xs = ctx.reader().getFloatVectorValues("pefa.xs.e");
        FloatVectorValues erm = ctx.reader().getFloatVectorValues("pefa.erm");
        if (xs == null) {
          continue;
        }
        KnnVectorValues.DocIndexIterator it = xs.iterator();
        for (int d = it.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
          e.add(xs.vectorValue(it.index()).clone());
          p.add(erm.vectorValue(it.index()).clone());
        }
      }
    }
    int dim = e.get(0).length;
    float[][] queries = SyntheticData.generate(docs, docs, 300, dim, 42).queries();
    System.out.println(e.size() + " documents, dimension " + dim + ", " + queries.length + " queries");
    for (String graph : args[2].split(",")) {
      String[] parts = graph.split("-");
      boolean stock = parts[0].equals("stock");
      int maxConn = Integer.parseInt(parts[1]);
      List<float[]> vectors = stock ? p : e;
      VectorSimilarityFunction sim =
          stock ? VectorSimilarityFunction.DOT_PRODUCT : VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
      FloatVectorValues values = FloatVectorValues.fromFloats(vectors, dim);
      long t0 = System.nanoTime();
      OnHeapHnswGraph g =
          HnswGraphBuilder.create(
                  DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(sim, values), maxConn, 100, 42)
              .build(vectors.size());
      boolean[] reached = reachable(g);
      int unreached = 0, noInLink = 0;
      int[] inLinks = inLinks(g);
      for (int i = 0; i < reached.length; i++) {
        unreached += reached[i] ? 0 : 1;
        noInLink += inLinks[i] == 0 ? 1 : 0;
      }
      List<Set<Integer>> exact = new ArrayList<>();
      int exactUnreached = 0;
      for (float[] q : queries) {
        Set<Integer> top = new HashSet<>(top(q, vectors, null, K));
        exact.add(top);
        for (int d : top) {
          exactUnreached += reached[d] ? 0 : 1;
        }
      }
      System.out.printf(
          "%s: built in %.1f s; %d of %d nodes unreachable (%d with no incoming link); %d of the %d exact top-%d hits"
              + " unreachable%n",
          graph, (System.nanoTime() - t0) / 1e9, unreached, reached.length, noInLink, exactUnreached,
          K * queries.length, K);
      for (int ef : EFS) {
        double overlap = 0;
        long visited = 0;
        for (int i = 0; i < queries.length; i++) {
          RandomVectorScorer scorer = DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(sim, values, queries[i]);
          TopKnnCollector collector = new TopKnnCollector(ef, Integer.MAX_VALUE);
          HnswGraphSearcher.search(scorer, collector, g, null, Integer.MAX_VALUE);
          visited += collector.visitedCount();
          TopDocs td = collector.topDocs();
          int[] beam = new int[td.scoreDocs.length];
          for (int j = 0; j < beam.length; j++) {
            beam[j] = td.scoreDocs[j].doc; // ordinals: the graph's vectors are the list's
          }
          int hit = 0;
          for (int d : top(queries[i], vectors, beam, K)) {
            hit += exact.get(i).contains(d) ? 1 : 0;
          }
          overlap += hit / (double) K;
        }
        System.out.printf(
            "  %s ef %d: overlap@%d %.4f, %.0f nodes scored per query%n",
            graph, ef, K, overlap / queries.length, visited / (double) queries.length);
      }
    }
  }

  /** The nodes a walk can reach: level 0 from the graph's entry node. */
  static boolean[] reachable(HnswGraph g) throws Exception {
    boolean[] seen = new boolean[g.size()];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    seen[g.entryNode()] = true;
    queue.add(g.entryNode());
    while (queue.isEmpty() == false) {
      g.seek(0, queue.poll());
      for (int v = g.nextNeighbor(); v != DocIdSetIterator.NO_MORE_DOCS; v = g.nextNeighbor()) {
        if (seen[v] == false) {
          seen[v] = true;
          queue.add(v);
        }
      }
    }
    return seen;
  }

  /** Each node's incoming links on level 0. */
  static int[] inLinks(HnswGraph g) throws Exception {
    int[] in = new int[g.size()];
    for (int u = 0; u < g.size(); u++) {
      g.seek(0, u);
      for (int v = g.nextNeighbor(); v != DocIdSetIterator.NO_MORE_DOCS; v = g.nextNeighbor()) {
        in[v]++;
      }
    }
    return in;
  }

  /** The {@code k} of {@code candidates} (null: all) with the largest inner product with {@code q}. */
  static List<Integer> top(float[] q, List<float[]> vectors, int[] candidates, int k) {
    int n = candidates == null ? vectors.size() : candidates.length;
    Integer[] order = new Integer[n];
    float[] score = new float[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
      score[i] = VectorUtil.dotProduct(q, vectors.get(candidates == null ? i : candidates[i]));
    }
    Arrays.sort(order, (a, b) -> Float.compare(score[b], score[a]));
    List<Integer> out = new ArrayList<>(Math.min(k, n));
    for (int i = 0; i < Math.min(k, n); i++) {
      out.add(candidates == null ? order[i] : candidates[order[i]]);
    }
    return out;
  }
}
