package io.github.lucenepefa.search;

import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.PefaScoring;
import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.hnsw.HnswGraphProvider;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OrdinalTranslatedKnnCollector;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

/**
 * PEFA-XS at a search-time lambda other than the index-time one: the document vectors {@code
 * e_d(lam)}, computed per document from the stored {@code p_d} ({@link PefaSchema#ermField()}) and
 * {@code e_d(lam0)} ({@link PefaSchema#xsVectorField()}) by {@link PefaScoring#xsDocumentVector(
 * float[], float[], float, float, float[])}, searched by walking the graph of {@code e_d(lam0)}
 * (Lucene's {@link HnswGraphSearcher} over the graph the segment's {@link HnswGraphProvider} gives,
 * with a scorer of {@code <q, e_d(lam)>}).
 *
 * <p>Both fields hold a vector for exactly the documents of a segment (memory rows have neither,
 * documents without an ERM vector neither), so their vector ordinals are the same documents'; a
 * segment where the counts differ is refused with an {@link IllegalStateException}.
 */
final class XsMixedField implements VectorField {

  private final PefaSchema schema;
  private final float lambda;

  /**
   * @param schema the index layout
   * @param lambda the search-time lambda
   * @throws IllegalArgumentException when {@code e_d(lam)} cannot be computed ({@link
   *     PefaScoring#checkXsLambdas})
   */
  XsMixedField(PefaSchema schema, float lambda) {
    PefaScoring.checkXsLambdas(schema.xsLambda(), lambda);
    this.schema = schema;
    this.lambda = lambda;
  }

  @Override
  public String name() {
    return schema.xsVectorField();
  }

  @Override
  public LeafReader reader(LeafReaderContext ctx) {
    return ctx.reader();
  }

  /** The walk scores {@code e_d(lam)} from the float vectors, whatever the graph's quantization. */
  @Override
  public PefaQuantization quantization(LeafReader reader) {
    return PefaQuantization.NONE;
  }

  @Override
  public FloatVectorValues values(LeafReader reader) throws IOException {
    FloatVectorValues p = stored(reader, schema.ermField());
    FloatVectorValues e0 = stored(reader, schema.xsVectorField());
    if (p == null && e0 == null) {
      return null;
    }
    int ps = p == null ? 0 : p.size();
    int es = e0 == null ? 0 : e0.size();
    if (ps != es) {
      throw new IllegalStateException(
          "segment "
              + reader
              + " holds "
              + ps
              + " vectors in "
              + schema.ermField()
              + " but "
              + es
              + " in "
              + schema.xsVectorField()
              + ": PEFA-XS at lambda "
              + lambda
              + " needs both on the same documents (an index not written by PefaSchema's fields?)");
    }
    return new Mixed(p, e0, schema.xsLambda(), lambda);
  }

  private static FloatVectorValues stored(LeafReader reader, String field) throws IOException {
    FieldInfo fi = reader.getFieldInfos().fieldInfo(field);
    return fi == null || fi.getVectorDimension() == 0 ? null : reader.getFloatVectorValues(field);
  }

  /**
   * As {@code Lucene99HnswVectorsReader.search}: Lucene's graph searcher over {@code e_d(lam0)}'s
   * graph when a graph search visits fewer vectors than the filter accepts, else every accepted
   * vector.
   */
  @Override
  public void searchGraph(
      LeafReader reader,
      FloatVectorValues values,
      float[] target,
      KnnCollector collector,
      AcceptDocs accept)
      throws IOException {
    Mixed mixed = (Mixed) values;
    if (mixed.size() == 0 || collector.k() == 0) {
      return;
    }
    RandomVectorScorer scorer = mixed.randomScorer(target);
    HnswGraph graph = graph(reader, schema.xsVectorField());
    int graphSize = graph == null ? 0 : graph.size();
    if (graphSize != 0 && graphSize != mixed.size()) {
      throw new IllegalStateException(
          "segment "
              + reader
              + ": the graph of "
              + schema.xsVectorField()
              + " has "
              + graphSize
              + " nodes for "
              + mixed.size()
              + " vectors");
    }
    int filtered = Math.min(accept.cost(), graphSize);
    Bits acceptOrds = scorer.getAcceptOrds(accept.bits());
    boolean hnsw =
        collector.k() < mixed.size()
            && graphSize > 0
            && HnswGraphSearcher.expectedVisitedNodes(collector.k(), graphSize) < filtered;
    if (hnsw) {
      HnswGraphSearcher.search(
          scorer,
          new OrdinalTranslatedKnnCollector(collector, scorer::ordToDoc),
          graph,
          acceptOrds,
          filtered);
      return;
    }
    for (int ord = 0; ord < mixed.size(); ord++) {
      if (acceptOrds == null || acceptOrds.get(ord)) {
        if (collector.earlyTerminated()) {
          break;
        }
        collector.incVisitedCount(1);
        collector.collect(scorer.ordToDoc(ord), scorer.score(ord));
      }
    }
  }

  /**
   * The HNSW graph of {@code field} in the segment under {@code reader}, through its codec's {@link
   * HnswGraphProvider}, or {@code null} when the segment's reader or format gives none.
   */
  static HnswGraph graph(LeafReader reader, String field) throws IOException {
    if (FilterLeafReader.unwrap(reader) instanceof CodecReader codec) {
      KnnVectorsReader vectors = codec.getVectorReader();
      if (vectors instanceof PerFieldKnnVectorsFormat.FieldsReader perField) {
        vectors = perField.getFieldReader(field);
      }
      if (vectors instanceof HnswGraphProvider provider) {
        return provider.getGraph(field);
      }
    }
    return null;
  }

  /** {@code e_d(lam)} of every document of a segment, by the ordinal of its stored vectors. */
  static final class Mixed extends FloatVectorValues {
    private final FloatVectorValues p, e0;
    private final float indexLambda, lambda;
    private final float[] out;

    Mixed(FloatVectorValues p, FloatVectorValues e0, float indexLambda, float lambda) {
      this.p = p;
      this.e0 = e0;
      this.indexLambda = indexLambda;
      this.lambda = lambda;
      this.out = new float[p.dimension()];
    }

    @Override
    public float[] vectorValue(int ord) throws IOException {
      return PefaScoring.xsDocumentVector(
          p.vectorValue(ord), e0.vectorValue(ord), indexLambda, lambda, out);
    }

    @Override
    public Mixed copy() throws IOException {
      return new Mixed(p.copy(), e0.copy(), indexLambda, lambda);
    }

    @Override
    public int dimension() {
      return p.dimension();
    }

    @Override
    public int size() {
      return p.size();
    }

    @Override
    public int ordToDoc(int ord) {
      return p.ordToDoc(ord);
    }

    @Override
    public Bits getAcceptOrds(Bits acceptDocs) {
      return p.getAcceptOrds(acceptDocs);
    }

    @Override
    public DocIndexIterator iterator() {
      return p.iterator();
    }

    @Override
    public VectorEncoding getEncoding() {
      return VectorEncoding.FLOAT32;
    }

    /** The score of the field's similarity (maximum inner product) of {@code <q, e_d(lam)>}. */
    float score(float[] q, int ord) throws IOException {
      return VectorUtil.scaleMaxInnerProductScore(PefaScoring.xsScore(q, vectorValue(ord)));
    }

    /** A graph scorer over a copy of these values. */
    RandomVectorScorer randomScorer(float[] q) throws IOException {
      Mixed own = copy();
      return new RandomVectorScorer.AbstractRandomVectorScorer(own) {
        @Override
        public float score(int node) throws IOException {
          return own.score(q, node);
        }
      };
    }

    /** The exact scan's scorer, over a copy of these values. */
    @Override
    public VectorScorer scorer(float[] q) throws IOException {
      Mixed own = copy();
      DocIndexIterator it = own.iterator();
      return new VectorScorer() {
        @Override
        public float score() throws IOException {
          return own.score(q, it.index());
        }

        @Override
        public DocIdSetIterator iterator() {
          return it;
        }
      };
    }
  }
}
