package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.index.PefaSchema;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.Query;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.mapper.FieldMapper;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.ParametrizedFieldMapper;
import org.opensearch.index.mapper.ParseContext;
import org.opensearch.index.mapper.SourceValueFetcher;
import org.opensearch.index.mapper.TextSearchInfo;
import org.opensearch.index.mapper.ValueFetcher;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;
import org.opensearch.search.lookup.SearchLookup;

/**
 * The {@code pefa_vector} field: a document's ERM vector {@code p_d} and, for PEFA-XS, its label
 * centroid {@code u_d}. Its value is either the vector, {@code [0.1, ...]} (a document no memory
 * row labels: {@code u_d = 0}), or {@code {"vector": [...], "label_centroid": "<base64>"}}, the form
 * {@code POST /<index>/_pefa/xs_refresh} writes. The document's {@code _id} is its PEFA key, so
 * memory labels name {@code _id}s.
 *
 * <p>Mapping parameters: {@code dimension} (required), {@code xs_lambda} (PEFA-XS index-time lambda,
 * default 0.5), {@code xs_any_lambda} (whether XS can be searched at any lambda, computed from the
 * stored {@code p_d} and {@code e_d}, or only at {@code xs_lambda}; default true, the index is the
 * same either way), {@code m} and {@code ef_construction} (HNSW, default 16 and 100), {@code xs_m}
 * (HNSW max connections of the PEFA-XS graph, default 32: {@link
 * io.github.lucenepefa.index.PefaSchema#DEFAULT_XS_MAX_CONN}), {@code
 * compression_level} and {@code mode} (the quantization of the ERM and PEFA-XS graphs: {@link
 * Compression}). None can be changed after the field is created. The index must use {@code
 * "index.codec": "pefa"}.
 */
final class PefaVectorFieldMapper extends ParametrizedFieldMapper {

  /** The mapping type name. */
  static final String CONTENT_TYPE = "pefa_vector";

  static final TypeParser PARSER = new TypeParser((name, ctx) -> new Builder(name));

  private final Builder builder;

  private PefaVectorFieldMapper(String simpleName, PefaVectorFieldType type, Builder builder) {
    super(simpleName, type, MultiFields.empty(), CopyTo.empty());
    this.builder = builder;
  }

  @Override
  public PefaVectorFieldType fieldType() {
    return (PefaVectorFieldType) super.fieldType();
  }

  @Override
  public ParametrizedFieldMapper.Builder getMergeBuilder() {
    return new Builder(simpleName()).init(this);
  }

  /** The value is one vector (an array), not an array of values. */
  @Override
  public boolean parsesArrayValue() {
    return true;
  }

  @Override
  protected String contentType() {
    return CONTENT_TYPE;
  }

  @Override
  protected void parseCreateField(ParseContext context) throws IOException {
    PefaCodec.checkIndexCodec(context.indexSettings().getSettings(), name());
    XContentParser parser = context.parser();
    if (parser.currentToken() == XContentParser.Token.VALUE_NULL) {
      return;
    }
    PefaSchema schema = fieldType().schema();
    int dim = schema.dimension();
    String what = "[" + name() + "]";
    float[] p;
    float[] u = null;
    if (parser.currentToken() == XContentParser.Token.START_OBJECT) {
      p = null;
      XContentParser.Token token;
      while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
        if (token != XContentParser.Token.FIELD_NAME) {
          throw new IllegalArgumentException(what + ": unexpected " + token);
        }
        String key = parser.currentName();
        parser.nextToken();
        switch (key) {
          case "vector" -> p = Vectors.parseArray(parser, what + " vector");
          case "label_centroid" -> {
            if (parser.currentToken() != XContentParser.Token.VALUE_NULL) {
              u = Vectors.decode(parser.text(), dim, what + " label_centroid");
            }
          }
          default ->
              throw new IllegalArgumentException(
                  what + ": unknown key [" + key + "], expected [vector] and [label_centroid]");
        }
      }
      if (p == null) {
        throw new IllegalArgumentException(what + ": [vector] is missing");
      }
    } else {
      p = Vectors.parseArray(parser, what + " vector");
    }
    PefaCore.checkUnit(what + " vector", p, dim);
    if (u == null) {
      u = new float[dim];
    } else if (Vectors.isZero(u) == false) {
      PefaCore.checkUnit(what + " label_centroid", u, dim);
    }
    if (context.doc().getField(schema.ermField()) != null) {
      throw new IllegalArgumentException(what + " takes one vector per document");
    }
    List<IndexableField> fields =
        PefaCore.documentFields(schema, context.sourceToParse().id(), p, u);
    for (IndexableField f : fields) {
      context.doc().add(f);
    }
  }

  /** The field type: its {@link PefaSchema} and the Lucene fields it writes. */
  static final class PefaVectorFieldType extends MappedFieldType implements PefaFieldType {
    private final PefaSchema schema;
    private final Set<String> vectorFields;

    PefaVectorFieldType(String name, PefaSchema schema, Map<String, String> meta) {
      super(name, true, false, false, TextSearchInfo.NONE, meta);
      this.schema = schema;
      this.vectorFields = Set.copyOf(PefaCore.documentVectorFields(schema));
    }

    /** The PEFA layout of this field. */
    PefaSchema schema() {
      return schema;
    }

    @Override
    public Set<String> luceneVectorFields() {
      return vectorFields;
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
      return new FieldExistsQuery(schema.ermField());
    }

    @Override
    public Query termQuery(Object value, QueryShardContext context) {
      throw new QueryShardException(
          context,
          "field [" + name() + "] of type [" + CONTENT_TYPE + "] is searched with the [pefa] query only");
    }
  }

  /** Builder with the mapping parameters. */
  static final class Builder extends ParametrizedFieldMapper.Builder {
    final Parameter<Integer> dimension =
        Parameter.intParam("dimension", false, m -> builder(m).dimension.get(), -1)
            .setValidator(d -> checkDimension(d));
    final Parameter<Float> xsLambda =
        Parameter.floatParam("xs_lambda", false, m -> builder(m).xsLambda.get(), 0.5f)
            .setValidator(l -> checkLambda("xs_lambda", l));
    final Parameter<Boolean> xsAnyLambda =
        Parameter.boolParam("xs_any_lambda", false, m -> builder(m).xsAnyLambda.get(), true);
    final Parameter<Integer> m =
        Parameter.intParam("m", false, mapper -> builder(mapper).m.get(), 16)
            .setValidator(v -> checkRange("m", v, 1, 512));
    final Parameter<Integer> efConstruction =
        Parameter.intParam(
                "ef_construction", false, mapper -> builder(mapper).efConstruction.get(), 100)
            .setValidator(v -> checkRange("ef_construction", v, 1, 3200));
    final Parameter<Integer> xsM =
        Parameter.intParam(
                "xs_m", false, mapper -> builder(mapper).xsM.get(), PefaSchema.DEFAULT_XS_MAX_CONN)
            .setValidator(v -> checkRange("xs_m", v, 1, 512));
    final Parameter<String> compressionLevel =
        Compression.levelParam(mapper -> builder(mapper).compressionLevel.get());
    final Parameter<String> mode = Compression.modeParam(mapper -> builder(mapper).mode.get());
    final Parameter<Map<String, String>> meta = Parameter.metaParam();

    Builder(String name) {
      super(name);
    }

    private static Builder builder(FieldMapper mapper) {
      return ((PefaVectorFieldMapper) mapper).builder;
    }

    @Override
    protected List<Parameter<?>> getParameters() {
      return Arrays.asList(
          dimension, xsLambda, xsAnyLambda, m, efConstruction, xsM, compressionLevel, mode, meta);
    }

    @Override
    public PefaVectorFieldMapper build(BuilderContext context) {
      String fullName = buildFullName(context);
      PefaCodec.checkIndexCodec(context.indexSettings(), fullName); // at index (or template) creation
      PefaSchema schema =
          PefaCore.schema(
              fullName,
              dimension.get(),
              xsLambda.get(),
              xsAnyLambda.get(),
              m.get(),
              efConstruction.get(),
              xsM.get(),
              Compression.quantization(compressionLevel.get(), mode.get()));
      return new PefaVectorFieldMapper(
          name, new PefaVectorFieldType(fullName, schema, meta.get()), this);
    }
  }

  static void checkDimension(int d) {
    if (d < 1 || d > 1024) {
      throw new IllegalArgumentException("[dimension] must be set, to a value in [1, 1024], got " + d);
    }
  }

  static void checkLambda(String name, float lambda) {
    PefaCore.checkLambda("[" + name + "]", lambda);
  }

  static void checkRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "[" + name + "] must be in [" + min + ", " + max + "], got " + value);
    }
  }
}
