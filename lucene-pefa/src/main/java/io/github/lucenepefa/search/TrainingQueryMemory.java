package io.github.lucenepefa.search;

import io.github.lucenepefa.index.PefaDirectoryReader;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.TrainingLabels;
import io.github.lucenepefa.scoring.PefaChecks;
import io.github.lucenepefa.scoring.PefaScoring;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.IndexSearcher;

/**
 * The training memory of a PEFA index: finds {@code N_k(q)}, the {@code k} rows with the largest
 * {@code <q, x_i>}, with their labels. Segments are searched in parallel on the searcher's
 * executor, across segments as Lucene's kNN query searches them (each segment first for its share
 * of {@code k}, again with the full beam where that share may have been too small); every hit is
 * rescored exactly and the global top {@code k} is taken in {@link PefaScoring#NEIGHBOUR_ORDER}.
 *
 * <p>For an index split into shards, call {@link #nearest} on every shard, concatenate and keep
 * {@link PefaScoring#topNeighbours} of the union: that is the exact global {@code N_k(q)} (with
 * exhaustive effort), which {@link PefaQuery.Builder#neighbours} then takes on every shard.
 */
public final class TrainingQueryMemory {

  private TrainingQueryMemory() {}

  /**
   * Finds the {@code k} nearest memory rows of {@code query}.
   *
   * @param searcher a searcher over a PEFA index
   * @param schema the index layout
   * @param query the query vector (unit length)
   * @param k the number of neighbours, > 0
   * @param effort the ANN effort
   * @return at most {@code k} neighbours in {@link PefaScoring#NEIGHBOUR_ORDER}
   * @throws IOException on I/O errors
   */
  public static List<Neighbour> nearest(
      IndexSearcher searcher, PefaSchema schema, float[] query, int k, AnnEffort effort)
      throws IOException {
    return nearest(searcher, schema, query, k, effort, LeafVectorSearch.DEFAULT_OVERSAMPLE);
  }

  /**
   * Finds the {@code k} nearest memory rows of {@code query}, walking a quantized memory graph with
   * an oversample factor ({@link PefaQuery.Builder#oversample}).
   *
   * @param searcher a searcher over a PEFA index
   * @param schema the index layout
   * @param query the query vector (unit length)
   * @param k the number of neighbours, > 0
   * @param effort the ANN effort
   * @param oversample the oversample factor, finite and {@code >= 1}, or 0 for the graph's
   *     quantization default
   * @return at most {@code k} neighbours in {@link PefaScoring#NEIGHBOUR_ORDER}
   * @throws IOException on I/O errors
   */
  public static List<Neighbour> nearest(
      IndexSearcher searcher,
      PefaSchema schema,
      float[] query,
      int k,
      AnnEffort effort,
      float oversample)
      throws IOException {
    if (oversample != LeafVectorSearch.DEFAULT_OVERSAMPLE) {
      PefaChecks.oversample("oversample", oversample);
    }
    PefaChecks.positive("k", k);
    io.github.lucenepefa.index.PefaVectors.checkUnit("query vector", query, schema.dimension());
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    LeafVectorSearch.Leaves hits =
        LeafVectorSearch.searchLeaves(
            searcher,
            VectorField.stored(schema.memoryField(), true),
            query,
            k,
            effort,
            oversample,
            null,
            x -> PefaScoring.similarity(query, x));
    List<Callable<List<Neighbour>>> tasks = new ArrayList<>(leaves.size());
    for (int i = 0; i < leaves.size(); i++) {
      LeafReaderContext ctx = leaves.get(i);
      LeafVectorSearch.Hits leafHits = hits.perLeaf().get(i);
      if (leafHits.size() > 0) {
        tasks.add(() -> labelled(ctx, schema, leafHits));
      }
    }
    List<Neighbour> all = new ArrayList<>();
    for (List<Neighbour> part : searcher.getTaskExecutor().invokeAll(tasks)) {
      all.addAll(part);
    }
    return PefaScoring.topNeighbours(all, k);
  }

  /**
   * The decoded labels of the memory rows read so far, per segment and by doc, keyed on the
   * segment's reader cache key (which changes with its deletes and doc-value updates): a row's
   * labels are decoded once, not at every query that finds it.
   */
  private static final SegmentCache<AtomicReferenceArray<TrainingLabels>> DECODED =
      new SegmentCache<>();

  /** The neighbours of one segment's hits, with their labels. */
  private static List<Neighbour> labelled(
      LeafReaderContext ctx, PefaSchema schema, LeafVectorSearch.Hits hits) throws IOException {
    // labels are read in doc order
    LeafVectorSearch.DocScores byDoc = LeafVectorSearch.DocScores.of(hits.docs(), hits.scores());
    LeafReader memory = PefaDirectoryReader.withMemory(ctx.reader());
    AtomicReferenceArray<TrainingLabels> decoded =
        DECODED.get(
            memory.getReaderCacheHelper(),
            schema.labelsField(),
            memory.maxDoc(),
            AtomicReferenceArray::new);
    BinaryDocValues labels = null; // opened at the first row not decoded yet
    List<Neighbour> out = new ArrayList<>(byDoc.docs().length);
    for (int i = 0; i < byDoc.docs().length; i++) {
      int doc = byDoc.docs()[i];
      TrainingLabels l = decoded == null ? null : decoded.get(doc);
      if (l == null) {
        if (labels == null) {
          labels = ctx.reader().getBinaryDocValues(schema.labelsField());
          if (labels == null) {
            break;
          }
        }
        if (labels.advanceExact(doc) == false) {
          continue;
        }
        l = TrainingLabels.decode(labels.binaryValue());
        if (decoded != null) {
          decoded.set(doc, l);
        }
      }
      out.add(new Neighbour(l.rowId(), byDoc.scores()[i], l.weights()));
    }
    return out;
  }

  /**
   * @return the number of segments with decoded labels (for tests)
   */
  static int decodedSegments() {
    return DECODED.size();
  }
}
