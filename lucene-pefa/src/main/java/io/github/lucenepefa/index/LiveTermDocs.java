package io.github.lucenepefa.index;

import java.io.IOException;
import java.util.List;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * The one resolution of keys to documents: every live document of a reader that carries one of a
 * set of terms (document keys, row ids, labelled keys), through the terms dictionary and postings,
 * never by scanning. Used by PEFA-XL (labels to documents) and by {@link PefaIndexWriter} (rows and
 * documents to update, rows labelling a document).
 *
 * <p>This is an internal class of lucene-pefa, public only for its other packages; it may change
 * without notice.
 */
public final class LiveTermDocs {

  private LiveTermDocs() {}

  /** Receives each live document carrying a term. */
  @FunctionalInterface
  public interface Visitor {
    /**
     * @param term the index of the term in the sorted terms
     * @param ctx the segment
     * @param doc the document, in the segment
     * @throws IOException on I/O errors
     */
    void visit(int term, LeafReaderContext ctx, int doc) throws IOException;
  }

  /** The documents of a segment that may be visited besides being live. */
  @FunctionalInterface
  public interface Acceptance {
    /** Every document. */
    Acceptance ALL = ctx -> null;

    /**
     * @param ctx a segment
     * @return the accepted documents, {@code null} for all ({@link Bits.MatchNoBits} skips the
     *     segment)
     * @throws IOException on I/O errors
     */
    Bits accepted(LeafReaderContext ctx) throws IOException;
  }

  /** The documents of one segment's terms, deleted or not. */
  @FunctionalInterface
  public interface SegmentPostings {
    /**
     * @param term the index of the term
     * @return every document of the segment carrying the term, deleted or not, in increasing order;
     *     {@code null} when none does
     * @throws IOException on I/O errors
     */
    DocIdSetIterator docs(int term) throws IOException;
  }

  /** Where the documents of each segment's terms come from. */
  @FunctionalInterface
  public interface PostingsSource {
    /**
     * Opens a segment; called at most once per segment, before any of its documents is visited.
     *
     * @param ctx the segment
     * @param terms the terms of the field in the segment
     * @return the documents of each term in the segment
     * @throws IOException on I/O errors
     */
    SegmentPostings open(LeafReaderContext ctx, Terms terms) throws IOException;
  }

  /**
   * Visits, segment by segment in order and term by term, every live and accepted document that
   * carries one of the terms. Within a segment and a term, documents come in increasing order.
   *
   * @param leaves the segments
   * @param field the indexed field of the terms
   * @param sortedTerms the terms, in increasing order (the terms enum then reuses loaded blocks)
   * @param acceptance which documents of a segment may be visited
   * @param visitor receives the documents
   * @throws IOException on I/O errors
   */
  public static void visit(
      List<LeafReaderContext> leaves,
      String field,
      BytesRef[] sortedTerms,
      Acceptance acceptance,
      Visitor visitor)
      throws IOException {
    visit(
        leaves,
        field,
        sortedTerms.length,
        acceptance,
        (ctx, terms) -> {
          TermsEnum te = terms.iterator();
          PostingsEnum[] reused = new PostingsEnum[1];
          return t -> {
            if (te.seekExact(sortedTerms[t]) == false) {
              return null;
            }
            return reused[0] = te.postings(reused[0], PostingsEnum.NONE);
          };
        },
        visitor);
  }

  /**
   * The one walk of {@link #visit(List, String, BytesRef[], Acceptance, Visitor)}, with the
   * documents of each term taken from {@code source} (the terms dictionary, or a cache of it):
   * visits, segment by segment in order and term by term ({@code 0 .. termCount - 1}), every live
   * and accepted document {@code source} gives. Segments without the field, and those whose
   * accepted documents are {@link Bits.MatchNoBits}, are skipped without opening them.
   *
   * @param leaves the segments
   * @param field the indexed field of the terms
   * @param termCount the number of terms
   * @param acceptance which documents of a segment may be visited
   * @param source the documents of each term in a segment
   * @param visitor receives the documents
   * @throws IOException on I/O errors
   */
  public static void visit(
      List<LeafReaderContext> leaves,
      String field,
      int termCount,
      Acceptance acceptance,
      PostingsSource source,
      Visitor visitor)
      throws IOException {
    if (termCount == 0) {
      return;
    }
    for (LeafReaderContext ctx : leaves) {
      Terms terms = ctx.reader().terms(field);
      if (terms == null) {
        continue;
      }
      Bits accepted = acceptance.accepted(ctx);
      if (accepted instanceof Bits.MatchNoBits) {
        continue;
      }
      SegmentPostings postings = source.open(ctx, terms);
      Bits live = ctx.reader().getLiveDocs();
      for (int t = 0; t < termCount; t++) {
        DocIdSetIterator docs = postings.docs(t);
        if (docs == null) {
          continue;
        }
        for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
          if ((live == null || live.get(doc)) && (accepted == null || accepted.get(doc))) {
            visitor.visit(t, ctx, doc);
          }
        }
      }
    }
  }
}
