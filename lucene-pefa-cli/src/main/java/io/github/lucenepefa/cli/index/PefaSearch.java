package io.github.lucenepefa.cli.index;

import io.github.lucenepefa.cli.eval.ScoredDoc;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnVote;
import io.github.lucenepefa.scoring.PefaScoring;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.Neighbour;
import io.github.lucenepefa.search.PefaHybridQuery;
import io.github.lucenepefa.search.PefaQuery;
import io.github.lucenepefa.search.TrainingQueryMemory;
import io.github.lucenepefa.search.XlCandidates;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;

/**
 * Searches a PEFA index in the three modes and maps Lucene doc ids to corpus ids and titles. Rankings ({@link
 * #ranked}) order equal scores by corpus position, never by Lucene doc id (which changes when a document is
 * re-written), and the cut at {@code n} hits is made after the whole tie group at the cut is known. Thread-safe.
 */
public final class PefaSearch implements Closeable {

  /**
   * PEFA-XL parameters.
   *
   * @param lam weight of the ERM part
   * @param vote how the k nearest training queries vote (k, weighting, normalisation, temperature)
   * @param topK ERM candidates K
   * @param ermMode ERM score of candidates outside the ERM top-K
   */
  public record XlParams(float lam, KnnVote vote, int topK, ErmScoreMode ermMode) {
    /** @return the number of neighbours k */
    public int k() {
      return vote.k();
    }

    /** @return the same parameters with another lambda */
    public XlParams withLam(float l) {
      return new XlParams(l, vote, topK, ermMode);
    }
  }

  /** A search for the top {@code n} hits. */
  @FunctionalInterface
  public interface TopSearch {
    /**
     * @param n hits wanted
     * @return the hits
     * @throws IOException on I/O errors
     */
    TopDocs search(int n) throws IOException;
  }

  /** Extra hits asked for beyond {@code n}, to see whether a tie group crosses the cut. */
  static final int TIE_MARGIN = 8;

  /** The file of an index folder listing its document keys in corpus order, one per line. */
  public static final String DOC_ORDER_FILE = "pefa-doc-order.txt";

  private final Directory dir;
  private final DirectoryReader reader;
  private final IndexSearcher searcher;
  private final PefaSchema schema;
  private final String[] keys;
  private final int[] positions;
  private volatile Map<String, Integer> docsByKey;
  private final AnnEffort effort;
  private float oversample;
  private Bm25Settings bm25; // null: the index has no text field
  private final org.apache.lucene.analysis.Analyzer analyzer = Bm25Settings.analyzer();

  /**
   * @param dir an index directory (closed with this object)
   * @param effort ANN effort of every search
   * @param corpusOrder document keys in corpus order (the tie-break order)
   * @throws IOException on I/O errors
   */
  public PefaSearch(Directory dir, AnnEffort effort, List<String> corpusOrder) throws IOException {
    this.dir = dir;
    this.reader = DirectoryReader.open(dir);
    this.searcher = new IndexSearcher(reader);
    this.searcher.setQueryCache(null);
    this.schema = PefaSchema.read(reader);
    this.effort = effort;
    this.keys = new String[reader.maxDoc()];
    for (LeafReaderContext ctx : reader.leaves()) {
      SortedDocValues dv = ctx.reader().getSortedDocValues(schema.keyField());
      if (dv == null) {
        continue;
      }
      for (int d = dv.nextDoc(); d != SortedDocValues.NO_MORE_DOCS; d = dv.nextDoc()) {
        keys[ctx.docBase + d] = dv.lookupOrd(dv.ordValue()).utf8ToString();
      }
    }
    Map<String, Integer> pos = HashMap.newHashMap(corpusOrder.size());
    for (int i = 0; i < corpusOrder.size(); i++) {
      pos.putIfAbsent(corpusOrder.get(i), i);
    }
    this.positions = new int[keys.length];
    for (int d = 0; d < keys.length; d++) {
      positions[d] = keys[d] == null ? Integer.MAX_VALUE : pos.getOrDefault(keys[d], Integer.MAX_VALUE);
    }
  }

  /**
   * Writes the tie-break order of an index folder ({@link #DOC_ORDER_FILE}).
   *
   * @param dir the index directory
   * @param keys document keys in corpus order
   * @throws IOException on I/O errors
   */
  public static void writeCorpusOrder(Directory dir, List<String> keys) throws IOException {
    try (IndexOutput out = dir.createOutput(DOC_ORDER_FILE, IOContext.DEFAULT)) {
      byte[] nl = {'\n'};
      for (String k : keys) {
        byte[] b = k.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(b, b.length);
        out.writeBytes(nl, 1);
      }
    }
  }

  /**
   * @param indexDir an index folder
   * @return its document keys in corpus order
   * @throws IOException if the file is missing or unreadable
   */
  public static List<String> readCorpusOrder(Path indexDir) throws IOException {
    Path f = indexDir.resolve(DOC_ORDER_FILE);
    if (!Files.isRegularFile(f)) {
      throw new IOException(indexDir + ": no " + DOC_ORDER_FILE + " (an index of an older version; rebuild it)");
    }
    return Files.readAllLines(f, StandardCharsets.UTF_8);
  }

  /**
   * Runs the search part of PEFA-XL once, so that many settings can be scored from it.
   *
   * @param q query vector
   * @param maxK the largest k that will be scored
   * @param topK ERM candidates K
   * @return the candidates ({@link XlCandidates#score})
   * @throws IOException on I/O errors
   */
  public XlCandidates xlCandidates(float[] q, int maxK, int topK) throws IOException {
    return XlCandidates.search(searcher, schema, q, maxK, topK, effort, oversample, null);
  }

  /**
   * Scores PEFA-XL candidates with one setting.
   *
   * @param candidates from {@link #xlCandidates}
   * @param p the setting
   * @param n hits
   * @return the ranking PefaQuery returns for that setting
   * @throws IOException on I/O errors
   */
  public List<ScoredDoc> xlRank(XlCandidates candidates, XlParams p, int n) throws IOException {
    return ranked(m -> candidates.score(p.lam(), p.vote(), p.ermMode(), m), n);
  }

  /**
   * Opens a complete index folder.
   *
   * @param indexDir the folder (must hold {@link IndexInfo#FILE})
   * @param effort ANN effort
   * @return the searcher
   * @throws IOException if not a complete index
   */
  public static PefaSearch open(Path indexDir, AnnEffort effort) throws IOException {
    IndexInfo info = IndexInfo.read(indexDir);
    PefaSearch ps = new PefaSearch(FSDirectory.open(indexDir), effort, readCorpusOrder(indexDir));
    if (info.bm25() != null) {
      ps.useBm25(info.bm25());
    }
    return ps;
  }

  /**
   * Scores the text field {@value Bm25Settings#TEXT_FIELD} with these settings (for an index built with it).
   *
   * @param settings the BM25 settings
   */
  public void useBm25(Bm25Settings settings) {
    this.bm25 = settings;
    this.searcher.setSimilarity(settings.similarity());
  }

  /**
   * The lexical score of every live document the lexical query of a text matches.
   *
   * @param docs global doc ids, ascending
   * @param scores their scores
   * @param max the largest, 0 when nothing matches
   */
  public record LexicalScores(int[] docs, float[] scores, float max) {
    /**
     * @param doc a global doc id
     * @return its score, 0 when not matched
     */
    public float score(int doc) {
      int i = Arrays.binarySearch(docs, doc);
      return i >= 0 ? scores[i] : 0f;
    }
  }

  /**
   * @param text a query text
   * @return the lexical score of every matching live document, from the lexical query's scorers
   * @throws IOException on I/O errors
   */
  public LexicalScores lexicalScores(String text) throws IOException {
    org.apache.lucene.search.Query q = searcher.rewrite(lexicalQuery(text));
    org.apache.lucene.search.Weight w =
        searcher.createWeight(q, org.apache.lucene.search.ScoreMode.COMPLETE, 1f);
    int[] docs = new int[16];
    float[] scores = new float[16];
    int count = 0;
    float max = 0f;
    for (LeafReaderContext ctx : reader.leaves()) {
      org.apache.lucene.search.Scorer s = w.scorer(ctx);
      if (s == null) {
        continue;
      }
      org.apache.lucene.util.Bits live = ctx.reader().getLiveDocs();
      var it = s.iterator();
      for (int d = it.nextDoc(); d != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
        if (live != null && !live.get(d)) {
          continue;
        }
        if (count == docs.length) {
          docs = Arrays.copyOf(docs, count * 2);
          scores = Arrays.copyOf(scores, count * 2);
        }
        docs[count] = ctx.docBase + d;
        scores[count] = s.score();
        max = Math.max(max, scores[count++]);
      }
    }
    return new LexicalScores(Arrays.copyOf(docs, count), Arrays.copyOf(scores, count), max);
  }

  /**
   * Ranks PEFA-XL candidates fused with BM25, as {@link PefaHybridQuery} with exhaustive effort ranks them when the
   * ERM top-K is at least {@code n} deep: the candidates and every lexical match are scored, a document that is
   * neither scores below the ERM top-K.
   *
   * @param candidates from {@link #xlCandidates}
   * @param p the PEFA-XL setting
   * @param lexical the query's lexical scores ({@link #lexicalScores})
   * @param weight {@code a}
   * @param n hits
   * @return the ranking
   * @throws IOException on I/O errors
   */
  public List<ScoredDoc> xlHybridRank(XlCandidates candidates, XlParams p, LexicalScores lexical, float weight, int n)
      throws IOException {
    return hybridRank(xlScores(candidates, p, lexical), lexical, weight, n);
  }

  /**
   * The raw PEFA-XL scores of the candidates and of every lexical match.
   *
   * @param candidates from {@link #xlCandidates}
   * @param p the PEFA-XL setting
   * @param lexical the query's lexical scores
   * @return the scored documents
   * @throws IOException on I/O errors
   */
  public ScoreDoc[] xlScores(XlCandidates candidates, XlParams p, LexicalScores lexical) throws IOException {
    return candidates.score(p.lam(), p.vote(), p.ermMode(), Integer.MAX_VALUE, lexical.docs()).scoreDocs;
  }

  /**
   * Fuses raw PEFA scores with the lexical scores ({@link PefaScoring#hybridScore}) and ranks.
   *
   * @param pefa raw PEFA scores ({@link #xlScores})
   * @param lexical the query's lexical scores
   * @param weight {@code a}
   * @param n hits
   * @return the ranking
   * @throws IOException on I/O errors
   */
  public List<ScoredDoc> hybridRank(ScoreDoc[] pefa, LexicalScores lexical, float weight, int n) throws IOException {
    ScoreDoc[] fused = new ScoreDoc[pefa.length];
    for (int i = 0; i < pefa.length; i++) {
      float h = PefaScoring.hybridScore(weight, lexical.score(pefa[i].doc), lexical.max(), pefa[i].score);
      fused[i] = new ScoreDoc(pefa[i].doc, h);
    }
    Arrays.sort(fused, (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
    return ranked(m -> new TopDocs(new org.apache.lucene.search.TotalHits(fused.length,
        org.apache.lucene.search.TotalHits.Relation.EQUAL_TO), Arrays.copyOf(fused, Math.min(m, fused.length))), n);
  }

  /** @return the BM25 settings of the text field, or {@code null} when the index has none */
  public Bm25Settings bm25() {
    return bm25;
  }

  /**
   * @param text a query text
   * @return its BM25 query on the text field ({@link Bm25Settings#query})
   */
  public org.apache.lucene.search.Query lexicalQuery(String text) {
    return Bm25Settings.query(analyzer, text);
  }

  /**
   * BM25 alone: the top {@code n} by the lexical query's score.
   *
   * @param text the query text
   * @param n hits
   * @return ranked hits
   * @throws IOException on I/O errors
   */
  public TopDocs bm25Top(String text, int n) throws IOException {
    return searcher.search(lexicalQuery(text), n);
  }

  /**
   * A PEFA query fused with BM25 ({@link PefaHybridQuery}), its lexical top-K the larger of {@code n} and the default.
   *
   * @param pefa the PEFA side (its {@code n} is the hybrid's)
   * @param text the query text
   * @param weight {@code a}
   * @return the query
   */
  public PefaHybridQuery hybridQuery(PefaQuery pefa, String text, float weight) {
    return new PefaHybridQuery(
        pefa, lexicalQuery(text), weight, Math.max(pefa.n(), PefaHybridQuery.DEFAULT_LEXICAL_TOP_K));
  }

  /**
   * @param pefa the PEFA side
   * @param text the query text
   * @param weight {@code a}
   * @return ranked hits
   * @throws IOException on I/O errors
   */
  public TopDocs hybridTop(PefaQuery pefa, String text, float weight) throws IOException {
    return searcher.search(hybridQuery(pefa, text, weight), pefa.n());
  }

  /**
   * The PEFA query of plain ERM (PEFA-XL with lambda 1 and no neighbours).
   *
   * @param q query vector
   * @param n hits
   * @return the query
   */
  public PefaQuery ermQuery(float[] q, int n) {
    return PefaQuery.xl(schema, q, n).lambda(1f).topK(n).k(1).effort(effort).neighbours(List.of()).build();
  }

  /**
   * Sets the oversample factor of every later search ({@link PefaQuery.Builder#oversample}).
   *
   * @param factor the factor, {@code >= 1}, or 0 for each graph's quantization default
   * @return this
   */
  public PefaSearch oversample(float factor) {
    this.oversample = factor;
    return this;
  }

  /** @return the schema */
  public PefaSchema schema() {
    return schema;
  }

  /** @return the Lucene searcher */
  public IndexSearcher searcher() {
    return searcher;
  }

  /**
   * @param docId a Lucene doc id
   * @return the corpus id
   */
  public String key(int docId) {
    return keys[docId];
  }

  /**
   * @param key a document key
   * @return its Lucene doc id in this reader, or -1
   */
  public int doc(String key) {
    Map<String, Integer> m = docsByKey;
    if (m == null) {
      m = HashMap.newHashMap(keys.length);
      for (int d = 0; d < keys.length; d++) {
        if (keys[d] != null) {
          m.put(keys[d], d);
        }
      }
      docsByKey = m;
    }
    return m.getOrDefault(key, -1);
  }

  /**
   * @param docId Lucene doc id
   * @return the stored title
   * @throws IOException on I/O errors
   */
  public String title(int docId) throws IOException {
    var doc = searcher.storedFields().document(docId);
    String t = doc.get(IndexBuilder.TITLE_FIELD);
    return t == null ? "" : t;
  }

  /**
   * Plain ERM: exact top-n by {@code <q,p_d>} (PEFA-XL with lambda 1).
   *
   * @param q query vector
   * @param n hits
   * @return ranked hits
   * @throws IOException on I/O errors
   */
  public TopDocs ermTop(float[] q, int n) throws IOException {
    PefaQuery query =
        withOversample(PefaQuery.xl(schema, q, n).lambda(1f).topK(n).k(1).effort(effort).neighbours(List.of()))
            .build();
    return searcher.search(query, n);
  }

  /**
   * @param q query vector
   * @param lam search-time lambda
   * @param n hits
   * @return ranked hits
   * @throws IOException on I/O errors
   */
  public TopDocs xsTop(float[] q, float lam, int n) throws IOException {
    return searcher.search(xsQuery(q, lam, n), n);
  }

  /**
   * @param q query vector
   * @param lam lambda
   * @param n hits
   * @return the query
   */
  public PefaQuery xsQuery(float[] q, float lam, int n) {
    return withOversample(PefaQuery.xs(schema, q, n).lambda(lam).effort(effort)).build();
  }

  private PefaQuery.Builder withOversample(PefaQuery.Builder b) {
    return oversample > 0 ? b.oversample(oversample) : b;
  }

  /**
   * @param q query vector
   * @param p XL parameters
   * @param n hits
   * @param neighbours precomputed {@code N_k(q)} (at least {@code p.k()} or all rows), or null to search
   * @return the query
   */
  public PefaQuery xlQuery(float[] q, XlParams p, int n, List<Neighbour> neighbours) {
    PefaQuery.Builder b =
        PefaQuery.xl(schema, q, n)
            .lambda(p.lam())
            .k(p.k())
            .topK(p.topK())
            .knnWeighting(p.vote().weighting())
            .knnNormalization(p.vote().normalization())
            .temperature(p.vote().temperature())
            .ermScoreMode(p.ermMode())
            .effort(effort);
    withOversample(b);
    if (neighbours != null) {
      b.neighbours(neighbours.subList(0, Math.min(p.k(), neighbours.size())));
    }
    return b.build();
  }

  /**
   * @param q query vector
   * @param p XL parameters
   * @param n hits
   * @param neighbours precomputed neighbours or null
   * @return ranked hits
   * @throws IOException on I/O errors
   */
  public TopDocs xlTop(float[] q, XlParams p, int n, List<Neighbour> neighbours) throws IOException {
    return searcher.search(xlQuery(q, p, n, neighbours), n);
  }

  /**
   * @param q query vector
   * @param k neighbours
   * @return {@code N_k(q)} in neighbour order
   * @throws IOException on I/O errors
   */
  public List<Neighbour> neighbours(float[] q, int k) throws IOException {
    return TrainingQueryMemory.nearest(searcher, schema, q, k, effort, oversample);
  }

  /**
   * @param query a query
   * @param docId a doc id
   * @return Lucene's explanation
   * @throws IOException on I/O errors
   */
  public Explanation explain(org.apache.lucene.search.Query query, int docId) throws IOException {
    return searcher.explain(query, docId);
  }

  /**
   * The top {@code n} hits of a search in rank order: score descending, equal scores by corpus position. The search
   * is asked for a few more than {@code n} hits, and again for more while the tie group at the cut reaches the end
   * of what it returned, so that which of several equal-scored documents make the cut never depends on Lucene doc
   * ids.
   *
   * @param search the search
   * @param n hits wanted
   * @return at most {@code n} hits
   * @throws IOException on I/O errors
   */
  public List<ScoredDoc> ranked(TopSearch search, int n) throws IOException {
    int want = n + TIE_MARGIN;
    while (true) {
      ScoreDoc[] hits = search.search(want).scoreDocs.clone();
      Arrays.sort(hits, this::rankOrder);
      if (hits.length < want || hits.length <= n || hits[n - 1].score > hits[hits.length - 1].score
          || want >= reader.maxDoc()) {
        List<ScoredDoc> out = new ArrayList<>(Math.min(n, hits.length));
        for (int i = 0; i < Math.min(n, hits.length); i++) {
          out.add(new ScoredDoc(keys[hits[i].doc], hits[i].score));
        }
        return out;
      }
      want = (int) Math.min(reader.maxDoc(), 2L * want);
    }
  }

  private int rankOrder(ScoreDoc a, ScoreDoc b) {
    if (a.score != b.score) {
      return a.score > b.score ? -1 : 1; // == also ties 0.0 and -0.0, as a reader of the run file does
    }
    int c = Integer.compare(positions[a.doc], positions[b.doc]);
    return c != 0 ? c : keys[a.doc].compareTo(keys[b.doc]);
  }

  @Override
  public void close() throws IOException {
    reader.close();
    dir.close();
  }
}
