package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.index.PefaSchema;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.mapper.FieldMapper;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.ParametrizedFieldMapper;
import org.opensearch.index.mapper.ParseContext;
import org.opensearch.index.mapper.SourceValueFetcher;
import org.opensearch.index.mapper.TextSearchInfo;
import org.opensearch.index.mapper.ValueFetcher;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.search.lookup.SearchLookup;

/**
 * The {@code pefa_memory} field of a training-memory index: one training query per document, its
 * vector {@code x_i} and its labels, {@code {"vector": [...], "labels": {"<_id of a document>":
 * weight, ...}}}. The memory document's {@code _id} is the row id (the tie-breaker of equal
 * similarities). Rows are written, replaced and deleted with ordinary index/delete requests; a
 * refresh of the memory index makes a change visible to the next PEFA-XL query.
 *
 * <p>Each label key is also indexed as a term (a {@code term} query on {@code <field>} finds the rows
 * labelling one document), which is how {@code _pefa/xs_refresh} finds them without a scan.
 *
 * <p>Mapping parameters: {@code dimension} (required), {@code m} and {@code ef_construction} (HNSW
 * of the memory graph, default 16 and 100), {@code compression_level} and {@code mode} (the
 * quantization of the memory graph: {@link Compression}). The index must use {@code
 * "index.codec": "pefa"}.
 */
final class PefaMemoryFieldMapper extends ParametrizedFieldMapper {

  /** The mapping type name. */
  static final String CONTENT_TYPE = "pefa_memory";

  static final TypeParser PARSER = new TypeParser((name, ctx) -> new Builder(name));

  private final Builder builder;

  private PefaMemoryFieldMapper(String simpleName, PefaMemoryFieldType type, Builder builder) {
    super(simpleName, type, MultiFields.empty(), CopyTo.empty());
    this.builder = builder;
  }

  @Override
  public PefaMemoryFieldType fieldType() {
    return (PefaMemoryFieldType) super.fieldType();
  }

  @Override
  public ParametrizedFieldMapper.Builder getMergeBuilder() {
    return new Builder(simpleName()).init(this);
  }

  @Override
  protected String contentType() {
    return CONTENT_TYPE;
  }

  @Override
  protected void parseCreateField(ParseContext context) throws IOException {
    PefaCodec.checkIndexCodec(context.indexSettings().getSettings(), name());
    XContentParser parser = context.parser();
    String what = "[" + name() + "]";
    if (parser.currentToken() != XContentParser.Token.START_OBJECT) {
      throw new IllegalArgumentException(
          what + " must be an object {\"vector\": [...], \"labels\": {\"<document _id>\": weight}}");
    }
    PefaSchema schema = fieldType().schema();
    float[] x = null;
    Map<String, Float> labels = null;
    XContentParser.Token token;
    while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
      if (token != XContentParser.Token.FIELD_NAME) {
        throw new IllegalArgumentException(what + ": unexpected " + token);
      }
      String key = parser.currentName();
      parser.nextToken();
      switch (key) {
        case "vector" -> x = Vectors.parseArray(parser, what + " vector");
        case "labels" -> labels = parseLabels(parser, what);
        default ->
            throw new IllegalArgumentException(
                what + ": unknown key [" + key + "], expected [vector] and [labels]");
      }
    }
    if (x == null) {
      throw new IllegalArgumentException(what + ": [vector] is missing");
    }
    if (labels == null) {
      throw new IllegalArgumentException(what + ": [labels] is missing");
    }
    if (labels.isEmpty()) {
      // the core refuses a row without labels too (PefaIndexWriter#addTrainingQuery)
      throw new IllegalArgumentException(
          what
              + " of memory row ["
              + context.sourceToParse().id()
              + "]: [labels] is empty: a memory row labels at least one document");
    }
    PefaCore.checkUnit(what + " vector", x, schema.dimension());
    if (context.doc().getField(schema.memoryField()) != null) {
      throw new IllegalArgumentException(what + " takes one training query per document");
    }
    List<IndexableField> fields =
        PefaCore.memoryRowFields(schema, context.sourceToParse().id(), x, labels);
    for (IndexableField f : fields) {
      context.doc().add(f);
    }
  }

  private static Map<String, Float> parseLabels(XContentParser parser, String what)
      throws IOException {
    if (parser.currentToken() != XContentParser.Token.START_OBJECT) {
      throw new IllegalArgumentException(
          what + " labels must be an object {\"<document _id>\": weight, ...}");
    }
    Map<String, Float> labels = new LinkedHashMap<>();
    XContentParser.Token token;
    while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
      String key = parser.currentName();
      token = parser.nextToken();
      if (token != XContentParser.Token.VALUE_NUMBER) {
        throw new IllegalArgumentException(
            what + " label [" + key + "] must have a number as its weight, got " + token);
      }
      float w = parser.floatValue();
      if (!(w > 0f) || Float.isInfinite(w)) {
        throw new IllegalArgumentException(
            what + " label [" + key + "] must have a finite weight > 0, got " + w);
      }
      if (labels.put(key, w) != null) {
        throw new IllegalArgumentException(what + " label [" + key + "] appears twice");
      }
    }
    return labels;
  }

  /** The field type: its {@link PefaSchema} and the Lucene fields it writes. */
  static final class PefaMemoryFieldType extends MappedFieldType implements PefaFieldType {
    private final PefaSchema schema;

    PefaMemoryFieldType(String name, PefaSchema schema, Map<String, String> meta) {
      super(name, true, false, false, TextSearchInfo.NONE, meta);
      this.schema = schema;
    }

    /** The PEFA layout of this field (its memory part). */
    PefaSchema schema() {
      return schema;
    }

    @Override
    public Set<String> luceneVectorFields() {
      return Set.of(PefaCore.memoryVectorField(schema));
    }

    @Override
    public String typeName() {
      return CONTENT_TYPE;
    }

    @Override
    public ValueFetcher valueFetcher(
        QueryShardContext context, SearchLookup searchLookup, String format) {
      return SourceValueFetcher.identity(name(), context, format);
    }

    @Override
    public Query existsQuery(QueryShardContext context) {
      return new FieldExistsQuery(PefaCore.memoryVectorField(schema));
    }

    /** The rows labelling the document whose {@code _id} is {@code value}. */
    @Override
    public Query termQuery(Object value, QueryShardContext context) {
      String key = value instanceof BytesRef b ? b.utf8ToString() : value.toString();
      return new TermQuery(new Term(PefaCore.labelTermsField(schema), key));
    }
  }

  /** Builder with the mapping parameters. */
  static final class Builder extends ParametrizedFieldMapper.Builder {
    final Parameter<Integer> dimension =
        Parameter.intParam("dimension", false, m -> builder(m).dimension.get(), -1)
            .setValidator(PefaVectorFieldMapper::checkDimension);
    final Parameter<Integer> m =
        Parameter.intParam("m", false, mapper -> builder(mapper).m.get(), 16)
            .setValidator(v -> PefaVectorFieldMapper.checkRange("m", v, 1, 512));
    final Parameter<Integer> efConstruction =
        Parameter.intParam(
                "ef_construction", false, mapper -> builder(mapper).efConstruction.get(), 100)
            .setValidator(v -> PefaVectorFieldMapper.checkRange("ef_construction", v, 1, 3200));
    final Parameter<String> compressionLevel =
        Compression.levelParam(mapper -> builder(mapper).compressionLevel.get());
    final Parameter<String> mode = Compression.modeParam(mapper -> builder(mapper).mode.get());
    final Parameter<Map<String, String>> meta = Parameter.metaParam();

    Builder(String name) {
      super(name);
    }

    private static Builder builder(FieldMapper mapper) {
      return ((PefaMemoryFieldMapper) mapper).builder;
    }

    @Override
    protected List<Parameter<?>> getParameters() {
      return Arrays.asList(dimension, m, efConstruction, compressionLevel, mode, meta);
    }

    @Override
    public PefaMemoryFieldMapper build(BuilderContext context) {
      String fullName = buildFullName(context);
      PefaCodec.checkIndexCodec(context.indexSettings(), fullName); // at index (or template) creation
      PefaSchema schema =
          PefaCore.memorySchema(
              fullName,
              dimension.get(),
              m.get(),
              efConstruction.get(),
              Compression.quantization(compressionLevel.get(), mode.get()));
      return new PefaMemoryFieldMapper(
          name, new PefaMemoryFieldType(fullName, schema, meta.get()), this);
    }
  }
}
