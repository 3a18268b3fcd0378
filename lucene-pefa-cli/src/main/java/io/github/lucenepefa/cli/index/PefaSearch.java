package io.github.lucenepefa.cli.index;

import io.github.lucenepefa.cli.eval.ScoredDoc;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.ErmScoreMode;
import io.github.lucenepefa.scoring.KnnNormalization;
import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.Neighbour;
import io.github.lucenepefa.search.PefaQuery;
import io.github.lucenepefa.search.TrainingQueryMemory;
import io.github.lucenepefa.search.XlCandidates;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/** Searches a PEFA index in the three modes and maps Lucene doc ids to corpus ids and titles. Thread-safe. */
public final class PefaSearch implements Closeable {

  /** PEFA-XL parameters. */
  public record XlParams(float lam, int k, int topK, KnnNormalization norm, ErmScoreMode ermMode) {}

  private final Directory dir;
  private final DirectoryReader reader;
  private final IndexSearcher searcher;
  private final PefaSchema schema;
  private final String[] keys;
  private final AnnEffort effort;

  /**
   * @param dir an index directory (closed with this object)
   * @param effort ANN effort of every search
   * @throws IOException on I/O errors
   */
  public PefaSearch(Directory dir, AnnEffort effort) throws IOException {
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
    return XlCandidates.search(searcher, schema, q, maxK, topK, effort, null);
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
    return toScored(candidates.score(p.lam(), io.github.lucenepefa.scoring.KnnVote.similarity(p.k(), p.norm()), p.ermMode(), n));
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
    IndexInfo.read(indexDir);
    return new PefaSearch(FSDirectory.open(indexDir), effort);
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
        PefaQuery.xl(schema, q, n).lambda(1f).topK(n).k(1).effort(effort).neighbours(List.of()).build();
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
    return PefaQuery.xs(schema, q, n).lambda(lam).effort(effort).build();
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
            .knnNormalization(p.norm())
            .ermScoreMode(p.ermMode())
            .effort(effort);
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
    return TrainingQueryMemory.nearest(searcher, schema, q, k, effort);
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
   * @param top Lucene hits
   * @return the hits as corpus ids with scores
   */
  public List<ScoredDoc> toScored(TopDocs top) {
    List<ScoredDoc> out = new ArrayList<>(top.scoreDocs.length);
    for (ScoreDoc sd : top.scoreDocs) {
      out.add(new ScoredDoc(keys[sd.doc], sd.score));
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    reader.close();
    dir.close();
  }
}
