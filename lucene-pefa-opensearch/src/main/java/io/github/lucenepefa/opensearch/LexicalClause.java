package io.github.lucenepefa.opensearch;

import java.io.IOException;
import java.util.Objects;
import org.opensearch.core.ParseField;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryRewriteContext;

/**
 * The {@code lexical} clause of a {@code pefa} query, {@code {"query": {...any query...},
 * "weight": a}}: the lexical side of the core's hybrid query ({@code PefaHybridQuery}), fused as
 * {@code a * lexical / max + (1 - a) * pefa}.
 *
 * @param query the lexical query (for example {@code match} over a text field)
 * @param weight {@code a}, in [0, 1]
 */
record LexicalClause(QueryBuilder query, float weight) implements Writeable {

  static final ParseField NAME = new ParseField("lexical");
  private static final ParseField QUERY = new ParseField("query");
  private static final ParseField WEIGHT = new ParseField("weight");

  LexicalClause {
    Objects.requireNonNull(query, "query");
    PefaCore.checkLambda("[pefa] [lexical] [weight]", weight);
  }

  LexicalClause(StreamInput in) throws IOException {
    this(in.readNamedWriteable(QueryBuilder.class), in.readFloat());
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeNamedWriteable(query);
    out.writeFloat(weight);
  }

  /** Whether the clause changes the ranking at all ({@code a = 0} is PEFA alone). */
  boolean active() {
    return weight > 0f;
  }

  /** Parses the clause's object; a missing part or a weight outside [0, 1] is refused by name. */
  static LexicalClause fromXContent(XContentParser parser) throws IOException {
    if (parser.currentToken() != XContentParser.Token.START_OBJECT) {
      throw new ParsingException(
          parser.getTokenLocation(), "[pefa] [lexical] must be an object: {\"query\": ..., \"weight\": a}");
    }
    QueryBuilder query = null;
    Float weight = null;
    String current = null;
    XContentParser.Token token;
    while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
      if (token == XContentParser.Token.FIELD_NAME) {
        current = parser.currentName();
      } else if (QUERY.match(current, parser.getDeprecationHandler())) {
        query = AbstractQueryBuilder.parseInnerQueryBuilder(parser);
      } else if (WEIGHT.match(current, parser.getDeprecationHandler()) && token.isValue()) {
        weight = parser.floatValue();
      } else {
        throw new ParsingException(
            parser.getTokenLocation(), "[pefa] [lexical] does not support [" + current + "]");
      }
    }
    if (query == null) {
      throw new ParsingException(
          parser.getTokenLocation(), "[pefa] [lexical] requires [query], the lexical query");
    }
    if (weight == null) {
      throw new ParsingException(
          parser.getTokenLocation(), "[pefa] [lexical] requires [weight], in [0,1]");
    }
    try {
      return new LexicalClause(query, weight);
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), e.getMessage(), e);
    }
  }

  void toXContent(XContentBuilder builder) throws IOException {
    builder.startObject(NAME.getPreferredName());
    builder.field(QUERY.getPreferredName(), query);
    builder.field(WEIGHT.getPreferredName(), weight);
    builder.endObject();
  }

  /** The clause with its query rewritten, or this clause when nothing changed. */
  LexicalClause rewrite(QueryRewriteContext context) throws IOException {
    QueryBuilder rewritten = query.rewrite(context);
    return rewritten == query ? this : new LexicalClause(rewritten, weight);
  }
}
