import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;

/**
 * Three HNSW graphs for PEFA-XS's inner-product search {@code <q, e_d>}, measured with Lucene's own
 * {@code KnnFloatVectorQuery} on the {@code e_d} of a PEFA index (docs/performance.md, "PEFA-XS at
 * larger indexes"):
 *
 * <ul>
 *   <li>{@code mip}: the index's own PEFA-XS field, {@code e_d}, maximum inner product;
 *   <li>{@code angular}: {@code (e_d, sqrt(1 - |e_d|^2))}, dot product, searched with {@code (q, 0)};
 *   <li>{@code cosine}: {@code normalize(e_d)}, dot product, its beam rescored with {@code <q, e_d>};
 *   <li>{@code erm}: the index's ERM graph (of {@code p_d}), walked by Lucene's {@code
 *       HnswGraphSearcher} with the scores {@code <q, e_d>} (the vectors of both fields share their
 *       ordinals).
 * </ul>
 *
 * For 50 queries drawn near documents ({@code normalize(p_d + 0.5 g / sqrt(d))}), prints the overlap of
 * each graph's top 100 (after exact rescoring of its beam by {@code <q, e_d>}) with the exact top 100.
 * The angular and cosine graphs are built once in {@code WORK} (Lucene's default codec, M 16, beam 100,
 * one segment, as the PEFA index's). Run, after {@code pefa bench --pareto --index-dir IDX}:
 *
 * <pre>
 * javac -cp lucene-pefa-cli/target/pefa.jar -d /tmp/xs-graphs docs/performance/xs-graphs/XsGraphs.java
 * java --add-modules jdk.incubator.vector -Xmx2g -cp lucene-pefa-cli/target/pefa.jar:/tmp/xs-graphs \
 *   XsGraphs IDX/pefa WORK
 * </pre>
 *
 * With a third argument {@code mip-erm} only the two graphs the PEFA index holds are searched (no
 * graph is built).
 */
public class XsGraphs {
  static final int QUERIES = 50, K = 100;

  public static void main(String[] args) throws Exception {
    Path pefa = Paths.get(args[0]), work = Paths.get(args[1]);
    List<float[]> e = new ArrayList<>(), p = new ArrayList<>();
    List<Integer> pefaDocs = new ArrayList<>();
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
          pefaDocs.add(ctx.docBase + d);
        }
      }
    }
    boolean all = args.length < 3 || args[2].equals("mip-erm") == false;
    if (all) {
      build(work.resolve("angular"), e, v -> angular(v));
      build(work.resolve("cosine"), e, v -> VectorUtil.l2normalize(v.clone(), false));
    }

    Random random = new Random(1);
    List<float[]> queries = new ArrayList<>();
    List<Set<Integer>> exact = new ArrayList<>();
    for (int i = 0; i < QUERIES; i++) {
      float[] base = p.get(random.nextInt(p.size()));
      float[] q = new float[base.length];
      for (int j = 0; j < q.length; j++) {
        q[j] = base[j] + (float) (random.nextGaussian() * 0.5 / Math.sqrt(q.length));
      }
      queries.add(VectorUtil.l2normalize(q));
      exact.add(new HashSet<>(top(q, e, allOrdinals(e.size()), K)));
    }
    java.util.Map<Integer, Integer> ordOfPefaDoc = new java.util.HashMap<>();
    for (int i = 0; i < pefaDocs.size(); i++) {
      ordOfPefaDoc.put(pefaDocs.get(i), i);
    }
    try (Directory pd = FSDirectory.open(pefa);
        DirectoryReader pr = DirectoryReader.open(pd);
        Directory ad = all ? FSDirectory.open(work.resolve("angular")) : null;
        DirectoryReader ar = all ? DirectoryReader.open(ad) : null;
        Directory cd = all ? FSDirectory.open(work.resolve("cosine")) : null;
        DirectoryReader cr = all ? DirectoryReader.open(cd) : null) {
      System.out.println(e.size() + " documents, dimension " + e.get(0).length);
      for (int ef : new int[] {100, 200, 300, 500}) {
        double mip = 0, ang = 0, cos = 0, cos2 = 0, erm = 0;
        for (int i = 0; i < QUERIES; i++) {
          float[] q = queries.get(i);
          mip += overlap(search(pr, "pefa.xs.e", q, ef, ordOfPefaDoc), q, e, exact.get(i));
          if (all) {
            ang += overlap(search(ar, "v", Arrays.copyOf(q, q.length + 1), ef, null), q, e, exact.get(i));
            cos += overlap(search(cr, "v", q, ef, null), q, e, exact.get(i));
            cos2 += overlap(search(cr, "v", q, 2 * ef, null), q, e, exact.get(i));
          }
          erm += overlap(walkErm(pr, q, e, ef), q, e, exact.get(i));
        }
        System.out.printf(
            "ef %d: mip %.4f, angular %.4f, cosine+rescoring %.4f (beam 2 ef: %.4f), erm graph %.4f%n",
            ef, mip / QUERIES, ang / QUERIES, cos / QUERIES, cos2 / QUERIES, erm / QUERIES);
      }
    }
  }

  static float[] angular(float[] e) {
    float[] out = Arrays.copyOf(e, e.length + 1);
    double norm2 = 0;
    for (float v : e) {
      norm2 += (double) v * v;
    }
    out[e.length] = (float) Math.sqrt(Math.max(0, 1 - norm2));
    return out;
  }

  static void build(Path path, List<float[]> vectors, java.util.function.UnaryOperator<float[]> f)
      throws Exception {
    if (Files.exists(path)) {
      return;
    }
    long start = System.nanoTime();
    try (Directory dir = FSDirectory.open(path);
        IndexWriter w = new IndexWriter(dir, new IndexWriterConfig().setRAMBufferSizeMB(512))) {
      for (float[] v : vectors) { // doc i is vector i: one segment, added in order
        Document doc = new Document();
        doc.add(new KnnFloatVectorField("v", f.apply(v), VectorSimilarityFunction.DOT_PRODUCT));
        w.addDocument(doc);
      }
      w.forceMerge(1);
    }
    System.out.printf("built %s in %.1f s%n", path, (System.nanoTime() - start) / 1e9);
  }

  /** The vector ordinals of a graph's beam of {@code ef} for {@code q}. */
  static List<Integer> search(
      DirectoryReader reader, String field, float[] q, int ef, java.util.Map<Integer, Integer> ords)
      throws Exception {
    List<Integer> out = new ArrayList<>();
    for (ScoreDoc d : new IndexSearcher(reader).search(new KnnFloatVectorQuery(field, q, ef), ef).scoreDocs) {
      out.add(ords == null ? d.doc : ords.get(d.doc));
    }
    return out;
  }

  /** The ERM graph of the (one-segment) PEFA index walked with {@code <q, e_d>}: vector ordinals. */
  static List<Integer> walkErm(DirectoryReader reader, float[] q, List<float[]> e, int ef)
      throws Exception {
    LeafReaderContext ctx = null;
    for (LeafReaderContext c : reader.leaves()) {
      if (c.reader().getFloatVectorValues("pefa.erm") != null) {
        ctx = c;
      }
    }
    org.apache.lucene.codecs.KnnVectorsReader vectors =
        ((org.apache.lucene.index.CodecReader) ctx.reader()).getVectorReader();
    if (vectors instanceof org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat.FieldsReader f) {
      vectors = f.getFieldReader("pefa.erm");
    }
    org.apache.lucene.util.hnsw.HnswGraph graph =
        ((org.apache.lucene.codecs.hnsw.HnswGraphProvider) vectors).getGraph("pefa.erm");
    FloatVectorValues erm = ctx.reader().getFloatVectorValues("pefa.erm");
    org.apache.lucene.util.hnsw.RandomVectorScorer scorer =
        new org.apache.lucene.util.hnsw.RandomVectorScorer.AbstractRandomVectorScorer(erm) {
          @Override
          public float score(int node) {
            return VectorUtil.scaleMaxInnerProductScore(VectorUtil.dotProduct(q, e.get(node)));
          }
        };
    org.apache.lucene.search.TopKnnCollector collector =
        new org.apache.lucene.search.TopKnnCollector(ef, Integer.MAX_VALUE);
    org.apache.lucene.util.hnsw.HnswGraphSearcher.search(scorer, collector, graph, null, Integer.MAX_VALUE);
    List<Integer> out = new ArrayList<>();
    for (ScoreDoc d : collector.topDocs().scoreDocs) {
      out.add(d.doc); // the collector holds ordinals: no translation was asked for
    }
    return out;
  }

  static List<Integer> allOrdinals(int n) {
    List<Integer> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      all.add(i);
    }
    return all;
  }

  /** The {@code k} of {@code candidates} with the largest {@code <q, e_d>}. */
  static List<Integer> top(float[] q, List<float[]> e, List<Integer> candidates, int k) {
    List<Integer> sorted = new ArrayList<>(candidates);
    sorted.sort((x, y) -> Float.compare(VectorUtil.dotProduct(q, e.get(y)), VectorUtil.dotProduct(q, e.get(x))));
    return sorted.subList(0, Math.min(k, sorted.size()));
  }

  static double overlap(List<Integer> beam, float[] q, List<float[]> e, Set<Integer> exact) {
    int hit = 0;
    for (int ord : top(q, e, beam, K)) {
      hit += exact.contains(ord) ? 1 : 0;
    }
    return hit / (double) K;
  }
}
