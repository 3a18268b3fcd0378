package io.github.lucenepefa.search;

import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.scoring.PefaScoring;
import java.io.IOException;
import org.apache.lucene.search.IndexSearcher;

/**
 * How many vectors the searches of a PEFA query score: graph nodes visited plus vectors scanned
 * exactly, over every segment and both passes of the cross-segment search. It runs the very
 * search {@link PefaQuery} runs for one vector field (for benchmarks and for tuning {@link
 * AnnEffort}); a stock {@code KnnFloatVectorQuery} reports the same figure as its total hits.
 */
public final class VectorSearchCost {

  private VectorSearchCost() {}

  /**
   * Vectors scored by the search of one field scored by inner product with {@code target} (the
   * ERM field, the training memory, the stored PEFA-XS {@code e_d}), underneath {@link
   * io.github.lucenepefa.index.PefaDirectoryReader}'s hiding of memory rows.
   *
   * @param searcher the searcher
   * @param field the vector field
   * @param target the query vector
   * @param wanted the number of results the search is for
   * @param effort the effort it runs with
   * @return the number of vectors scored
   * @throws IOException on I/O errors
   */
  public static long visited(
      IndexSearcher searcher, String field, float[] target, int wanted, AnnEffort effort)
      throws IOException {
    if (wanted <= 0) {
      throw new IllegalArgumentException("wanted must be > 0, got " + wanted);
    }
    return LeafVectorSearch.searchLeaves(
            searcher,
            field,
            true,
            target,
            wanted,
            effort,
            null,
            v -> PefaScoring.similarity(target, v))
        .visited();
  }

  /**
   * Vectors scored by both searches of a PEFA-XL query: {@code N_k(q)} in the training memory at
   * {@link AnnEffort#forMemory} and the ERM top {@code K}.
   *
   * @param searcher the searcher
   * @param schema the index layout
   * @param query the query vector
   * @param k neighbours
   * @param topK ERM candidates {@code K}
   * @param effort the query's effort
   * @return the number of vectors scored
   * @throws IOException on I/O errors
   */
  public static long visitedXl(
      IndexSearcher searcher,
      PefaSchema schema,
      float[] query,
      int k,
      int topK,
      AnnEffort effort)
      throws IOException {
    return visited(searcher, schema.memoryField(), query, k, effort.forMemory(k))
        + visited(searcher, schema.ermField(), query, topK, effort);
  }
}
