package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.index.PefaSchema;
import org.opensearch.core.ParseField;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;

/**
 * The argument checks of the {@code pefa} query: its DSL's parameters, each failing with an {@link
 * IllegalArgumentException} that names the parameter, and its field in a shard's index (a {@link
 * QueryShardException}); both reach the client as a 400.
 */
final class PefaQueryChecks {

  private PefaQueryChecks() {}

  static boolean choice(ParseField field, String value, String no, String yes) {
    if (yes.equals(value)) {
      return true;
    }
    if (no.equals(value)) {
      return false;
    }
    throw new IllegalArgumentException(
        "[pefa] [" + field.getPreferredName() + "] must be [" + no + "] or [" + yes + "], got [" + value + "]");
  }

  static String requireField(String field) {
    if (field == null || field.isEmpty()) {
      throw new IllegalArgumentException("[pefa] requires [field]");
    }
    return field;
  }

  static float checkTemperature(float temperature) {
    try {
      return PefaCore.checkTemperature(temperature);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("[pefa] [temperature]: " + e.getMessage(), e);
    }
  }

  static float checkLambda(float lambda) {
    return PefaCore.checkLambda("[pefa] [lambda]", lambda);
  }

  static int checkRange(ParseField field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "[pefa] ["
              + field.getPreferredName()
              + "] must be in ["
              + min
              + ", "
              + max
              + "], got "
              + value);
    }
    return value;
  }

  static float[] checkVector(float[] vector) {
    if (vector.length == 0) {
      throw new IllegalArgumentException("[pefa] [vector] must not be empty");
    }
    return PefaCore.checkUnit("[pefa] [vector]", vector, vector.length);
  }

  /** The schema of a query's PEFA field in the shard's index, checked against the query vector. */
  static PefaSchema schema(QueryShardContext context, String field, float[] vector) {
    MappedFieldType type = context.fieldMapper(field);
    if (type instanceof PefaVectorFieldMapper.PefaVectorFieldType == false) {
      throw new QueryShardException(
          context,
          "[pefa] field ["
              + field
              + "] is "
              + (type == null ? "not mapped" : "of type [" + type.typeName() + "]")
              + " in index ["
              + context.index().getName()
              + "], expected a ["
              + PefaVectorFieldMapper.CONTENT_TYPE
              + "] field");
    }
    PefaSchema schema = ((PefaVectorFieldMapper.PefaVectorFieldType) type).schema();
    if (vector == null) {
      throw new IllegalStateException("[pefa] the query has no vector");
    }
    if (vector.length != schema.dimension()) {
      throw new QueryShardException(
          context,
          "[pefa] the query vector has dimension "
              + vector.length
              + ", but field ["
              + field
              + "] has dimension "
              + schema.dimension());
    }
    return schema;
  }
}
