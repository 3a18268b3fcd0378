package io.github.lucenepefa.cli.index;

import io.github.lucenepefa.cli.data.BeirDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.search.similarities.Similarity;

/**
 * The BM25 text field of a PEFA index, the lexical side of hybrid search: {@value #TEXT_FIELD} holds
 * {@code title + " " + text} of each document, analysed by Lucene's {@link EnglishAnalyzer}
 * (standard tokenizer, possessives, lower case, English stop words, Porter stemming), and is scored
 * with {@link BM25Similarity}{@code (k1, b)}. A query is the bag of its analysed words, each a
 * {@code SHOULD} term clause boosted by its count in the query, as Anserini's BEIR "flat" runs do.
 *
 * @param k1 BM25 term-frequency saturation, finite and >= 0
 * @param b BM25 length normalisation, in [0,1]
 */
public record Bm25Settings(float k1, float b) {

  /** The indexed (not stored) text field. */
  public static final String TEXT_FIELD = "text";

  /** Anserini's BEIR settings: k1 0.9, b 0.4. */
  public static final Bm25Settings DEFAULT = new Bm25Settings(0.9f, 0.4f);

  /** Checks the parameters. */
  public Bm25Settings {
    if (!(k1 >= 0f && Float.isFinite(k1))) {
      throw new IllegalArgumentException("--bm25-k1 must be finite and >= 0, got " + k1);
    }
    if (!(b >= 0f && b <= 1f)) {
      throw new IllegalArgumentException("--bm25-b must be in [0,1], got " + b);
    }
  }

  /**
   * @return a new analyzer of the text field and of queries
   */
  public static Analyzer analyzer() {
    return new EnglishAnalyzer();
  }

  /**
   * @return the similarity of the text field
   */
  public Similarity similarity() {
    return new BM25Similarity(k1, b);
  }

  /**
   * @return a new writer configuration that analyses and scores the text field as these settings say
   */
  public IndexWriterConfig writerConfig() {
    return new IndexWriterConfig(analyzer()).setSimilarity(similarity());
  }

  /**
   * @param text a document's text ({@link #documentText})
   * @return the text field of the document (indexed, not stored)
   */
  public static TextField textField(String text) {
    return new TextField(TEXT_FIELD, text, Field.Store.NO);
  }

  /**
   * @param doc a corpus document
   * @return the text indexed for it: {@code title + " " + text}
   */
  public static String documentText(BeirDataset.Doc doc) {
    return doc.title() + " " + doc.text();
  }

  /**
   * The bag-of-words query of a text: one {@code SHOULD} term clause per distinct analysed word,
   * boosted by its count.
   *
   * @param analyzer the analyzer ({@link #analyzer()})
   * @param text the query text
   * @return the query ({@link MatchNoDocsQuery} when no word is left after analysis)
   */
  public static Query query(Analyzer analyzer, String text) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    try (TokenStream ts = analyzer.tokenStream(TEXT_FIELD, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        counts.merge(term.toString(), 1, Integer::sum);
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (counts.isEmpty()) {
      return new MatchNoDocsQuery("no query words");
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    counts.forEach(
        (t, c) -> {
          Query q = new TermQuery(new Term(TEXT_FIELD, t));
          b.add(c == 1 ? q : new BoostQuery(q, c), BooleanClause.Occur.SHOULD);
        });
    return b.build();
  }
}
