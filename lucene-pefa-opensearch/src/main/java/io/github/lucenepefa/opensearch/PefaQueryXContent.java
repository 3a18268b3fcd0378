package io.github.lucenepefa.opensearch;

import static io.github.lucenepefa.opensearch.PefaQueryChecks.checkLambda;
import static io.github.lucenepefa.opensearch.PefaQueryChecks.checkRange;
import static io.github.lucenepefa.opensearch.PefaQueryChecks.checkTemperature;
import static io.github.lucenepefa.opensearch.PefaQueryChecks.checkVector;
import static io.github.lucenepefa.opensearch.PefaQueryChecks.choice;

import java.io.IOException;
import org.opensearch.core.ParseField;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;

/**
 * The JSON of a {@link PefaQueryBuilder}: its option names, the parser that checks every option as
 * it reads it (a bad value is a {@link ParsingException} naming it), and the printer of the same
 * options. The {@code rescore} and {@code lexical} objects are {@link RescoreOption}'s and {@link
 * LexicalClause}'s.
 */
final class PefaQueryXContent {

  private static final ParseField FIELD = new ParseField("field");
  private static final ParseField MODE = new ParseField("mode");
  private static final ParseField VECTOR = new ParseField("vector");
  private static final ParseField TEXT = new ParseField("text");
  private static final ParseField MEMORY_INDEX = new ParseField("memory_index");
  private static final ParseField MEMORY_FIELD = new ParseField("memory_field");
  private static final ParseField LAMBDA = new ParseField("lambda");
  static final ParseField K = new ParseField("k");
  static final ParseField TOP_K = new ParseField("top_k");
  private static final ParseField KNN_NORM = new ParseField("knn_norm");
  private static final ParseField KNN_WEIGHT = new ParseField("knn_weight");
  private static final ParseField TEMPERATURE = new ParseField("temperature");
  private static final ParseField ERM_SCORE = new ParseField("erm_score");
  static final ParseField NUM_CANDIDATES = new ParseField("num_candidates");
  static final ParseField EF_SEARCH = new ParseField("ef_search");
  private static final ParseField EXACT = new ParseField("exact");
  private static final ParseField FILTER = new ParseField("filter");

  private PefaQueryXContent() {}

  /** Writes the options of {@code q}, inside its {@code "pefa"} object. */
  static void writeFields(PefaQueryBuilder q, XContentBuilder builder) throws IOException {
    builder.field(FIELD.getPreferredName(), q.field);
    builder.field(MODE.getPreferredName(), q.xl ? "xl" : "xs");
    if (q.vector != null) {
      builder.array(VECTOR.getPreferredName(), q.vector);
    }
    if (q.text != null) {
      builder.field(TEXT.getPreferredName(), q.text);
    }
    if (q.memoryIndex != null) {
      builder.field(MEMORY_INDEX.getPreferredName(), q.memoryIndex);
    }
    if (q.memoryField != null) {
      builder.field(MEMORY_FIELD.getPreferredName(), q.memoryField);
    }
    if (q.lambda != null) {
      builder.field(LAMBDA.getPreferredName(), q.lambda.floatValue());
    }
    builder.field(K.getPreferredName(), q.k);
    if (q.topK != null) {
      builder.field(TOP_K.getPreferredName(), q.topK);
    }
    builder.field(KNN_NORM.getPreferredName(), q.knnMean ? "mean" : "sum");
    builder.field(KNN_WEIGHT.getPreferredName(), q.softmax ? "softmax" : "similarity");
    if (q.temperature != null) {
      builder.field(TEMPERATURE.getPreferredName(), q.temperature.floatValue());
    }
    builder.field(ERM_SCORE.getPreferredName(), q.ermTopKOnly ? "top_k" : "exact");
    if (q.numCandidates != null) {
      builder.field(NUM_CANDIDATES.getPreferredName(), q.numCandidates);
    }
    if (q.efSearch != null) {
      builder.field(EF_SEARCH.getPreferredName(), q.efSearch);
    }
    builder.field(EXACT.getPreferredName(), q.exact);
    if (q.filter != null) {
      builder.field(FILTER.getPreferredName(), q.filter);
    }
    RescoreOption.toXContent(builder, q.oversample);
    if (q.lexical != null) {
      q.lexical.toXContent(builder);
    }
  }

  /** Parses the query's JSON. */
  static PefaQueryBuilder parse(XContentParser parser) throws IOException {
    PefaQueryBuilder b = new PefaQueryBuilder();
    String mode = null;
    String current = null;
    XContentParser.Token token;
    try {
      while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
        if (token == XContentParser.Token.FIELD_NAME) {
          current = parser.currentName();
        } else if (VECTOR.match(current, parser.getDeprecationHandler())) {
          b.vector = Vectors.parseArray(parser, "[pefa] [vector]");
        } else if (FILTER.match(current, parser.getDeprecationHandler())) {
          b.filter = AbstractQueryBuilder.parseInnerQueryBuilder(parser);
        } else if (RescoreOption.RESCORE.match(current, parser.getDeprecationHandler())) {
          b.oversample = RescoreOption.parse(parser);
        } else if (LexicalClause.NAME.match(current, parser.getDeprecationHandler())) {
          b.lexical = LexicalClause.fromXContent(parser);
        } else if (token.isValue()) {
          if (FIELD.match(current, parser.getDeprecationHandler())) {
            b.field = parser.text();
          } else if (MODE.match(current, parser.getDeprecationHandler())) {
            mode = parser.text();
          } else if (TEXT.match(current, parser.getDeprecationHandler())) {
            b.text = parser.text();
          } else if (MEMORY_INDEX.match(current, parser.getDeprecationHandler())) {
            b.memoryIndex = parser.text();
          } else if (MEMORY_FIELD.match(current, parser.getDeprecationHandler())) {
            b.memoryField = parser.text();
          } else if (LAMBDA.match(current, parser.getDeprecationHandler())) {
            b.lambda = checkLambda(parser.floatValue());
          } else if (K.match(current, parser.getDeprecationHandler())) {
            b.k = checkRange(K, parser.intValue(), 1, PefaQueryBuilder.MAX_K);
          } else if (TOP_K.match(current, parser.getDeprecationHandler())) {
            b.topK = checkRange(TOP_K, parser.intValue(), 1, Integer.MAX_VALUE);
          } else if (KNN_NORM.match(current, parser.getDeprecationHandler())) {
            b.knnMean = choice(KNN_NORM, parser.text(), "sum", "mean");
          } else if (KNN_WEIGHT.match(current, parser.getDeprecationHandler())) {
            b.softmax = choice(KNN_WEIGHT, parser.text(), "similarity", "softmax");
          } else if (TEMPERATURE.match(current, parser.getDeprecationHandler())) {
            b.temperature = checkTemperature(parser.floatValue());
          } else if (ERM_SCORE.match(current, parser.getDeprecationHandler())) {
            b.ermTopKOnly = choice(ERM_SCORE, parser.text(), "exact", "top_k");
          } else if (NUM_CANDIDATES.match(current, parser.getDeprecationHandler())) {
            b.numCandidates = checkRange(NUM_CANDIDATES, parser.intValue(), 1, Integer.MAX_VALUE);
          } else if (EF_SEARCH.match(current, parser.getDeprecationHandler())) {
            b.efSearch = checkRange(EF_SEARCH, parser.intValue(), 1, Integer.MAX_VALUE);
          } else if (EXACT.match(current, parser.getDeprecationHandler())) {
            b.exact = parser.booleanValue();
          } else if (AbstractQueryBuilder.BOOST_FIELD.match(current, parser.getDeprecationHandler())) {
            b.boost(parser.floatValue());
          } else if (AbstractQueryBuilder.NAME_FIELD.match(current, parser.getDeprecationHandler())) {
            b.queryName(parser.text());
          } else {
            throw new ParsingException(
                parser.getTokenLocation(), "[pefa] query does not support [" + current + "]");
          }
        } else {
          throw new ParsingException(
              parser.getTokenLocation(),
              "[pefa] query does not support [" + current + "] as " + token);
        }
      }
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), e.getMessage(), e);
    }
    if (b.field == null) {
      throw new ParsingException(parser.getTokenLocation(), "[pefa] requires [field]");
    }
    if (mode == null) {
      throw new ParsingException(parser.getTokenLocation(), "[pefa] requires [mode]: xl or xs");
    }
    try {
      b.xl = choice(MODE, mode, "xs", "xl");
      if ((b.vector == null) == (b.text == null)) {
        throw new IllegalArgumentException("[pefa] requires exactly one of [vector] and [text]");
      }
      if (b.vector != null) {
        checkVector(b.vector);
      }
      if (b.xl && b.memoryIndex == null) {
        throw new IllegalArgumentException(
            "[pefa] mode xl requires [memory_index], the index of the training memory");
      }
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), e.getMessage(), e);
    }
    return b;
  }
}
