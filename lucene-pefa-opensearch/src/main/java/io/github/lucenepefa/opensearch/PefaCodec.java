package io.github.lucenepefa.opensearch;

import java.util.Set;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.PostingsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldPostingsFormat;
import org.opensearch.common.settings.Settings;
import org.opensearch.index.codec.CodecAliases;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.MapperService;

/**
 * The codec of a PEFA index: the index's own OpenSearch codec, with the core's {@code
 * Pefa01VectorsFormat} for the vector fields of {@code pefa_vector} and {@code pefa_memory} fields.
 * SPI name {@value #NAME}; an index selects it with {@code "index.codec": "pefa"} (or {@code
 * "pefa_best_compression"}), names the plugin registers through {@code
 * EnginePlugin#getAdditionalCodecs}, so it coexists with other plugins' codecs.
 *
 * <p>The instance an index writes with wraps OpenSearch's per-field codec and asks the index's
 * {@link MapperService} which vector fields are PEFA's. Segments record the SPI name; Lucene reopens
 * them with the no-argument instance, which reads every format by the per-field names the segment
 * recorded, so reading needs no mapping.
 *
 * <p>A PEFA field {@code f} also writes term fields {@code f.<part>} (document keys, row ids, label
 * keys), which are not in the mapping: their postings format is Lucene's default, chosen here
 * without asking OpenSearch's per-field codec (which would log a warning for each unmapped field at
 * every segment write).
 */
public final class PefaCodec extends FilterCodec implements CodecAliases {

  /** The SPI name: PEFA format 01 over Lucene's 10.4 codec family (Lucene104). */
  public static final String NAME = "PefaOpenSearch104";

  /** The {@code index.codec} value of a PEFA index (the default stored-fields compression). */
  public static final String INDEX_CODEC = "pefa";

  /** The {@code index.codec} value of a PEFA index with best-compression stored fields. */
  public static final String INDEX_CODEC_BEST_COMPRESSION = "pefa_best_compression";

  private static final Set<String> ALIASES = Set.of(INDEX_CODEC, INDEX_CODEC_BEST_COMPRESSION);

  private final KnnVectorsFormat pefaFormat = PefaCore.vectorsFormat();
  private final MapperService mapperService;
  private final KnnVectorsFormat vectorsFormat;
  private final PostingsFormat postingsFormat;

  /** The SPI instance, used to read segments (and writes every vector field with PEFA's format). */
  public PefaCodec() {
    this(new Lucene104Codec(), null);
  }

  /**
   * The instance an index writes with.
   *
   * @param delegate the index's OpenSearch codec
   * @param mapperService the index's mappings, or null to give every vector field PEFA's format
   */
  PefaCodec(Codec delegate, MapperService mapperService) {
    super(NAME, delegate);
    this.mapperService = mapperService;
    KnnVectorsFormat delegateFormat = delegate.knnVectorsFormat();
    this.vectorsFormat =
        new PerFieldKnnVectorsFormat() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            if (isPefaField(field)) {
              return pefaFormat;
            }
            return delegateFormat instanceof PerFieldKnnVectorsFormat perField
                ? perField.getKnnVectorsFormatForField(field)
                : delegateFormat;
          }
        };
    PostingsFormat delegatePostings = delegate.postingsFormat();
    PostingsFormat lucenePostings = new Lucene104Codec().postingsFormat();
    this.postingsFormat =
        delegatePostings instanceof PerFieldPostingsFormat perField
                && lucenePostings instanceof PerFieldPostingsFormat luceneDefault
            ? new PerFieldPostingsFormat() {
              @Override
              public PostingsFormat getPostingsFormatForField(String field) {
                return isPefaSubField(field)
                    ? luceneDefault.getPostingsFormatForField(field)
                    : perField.getPostingsFormatForField(field);
              }
            }
            : delegatePostings;
  }

  /** Whether a Lucene field is one a PEFA field writes ({@code <pefa field>.<part>}). */
  private boolean isPefaSubField(String luceneField) {
    if (mapperService == null) {
      return false;
    }
    for (int dot = luceneField.lastIndexOf('.'); dot > 0; dot = luceneField.lastIndexOf('.', dot - 1)) {
      if (mapperService.fieldType(luceneField.substring(0, dot)) instanceof PefaFieldType) {
        return true;
      }
    }
    return false;
  }

  private boolean isPefaField(String luceneField) {
    if (mapperService == null) {
      return true;
    }
    // a PEFA field "f" writes Lucene fields "f.<part>": look the prefixes up in the mapping
    for (int dot = luceneField.lastIndexOf('.'); dot > 0; dot = luceneField.lastIndexOf('.', dot - 1)) {
      MappedFieldType type = mapperService.fieldType(luceneField.substring(0, dot));
      if (type instanceof PefaFieldType pefa && pefa.luceneVectorFields().contains(luceneField)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public PostingsFormat postingsFormat() {
    return postingsFormat;
  }

  @Override
  public KnnVectorsFormat knnVectorsFormat() {
    return vectorsFormat;
  }

  @Override
  public Set<String> aliases() {
    return ALIASES;
  }

  /**
   * Refuses to index a PEFA field into an index that does not write with this codec (its vectors
   * would get Lucene's default format: other graph parameters, and for PEFA-XS a graph built in the
   * wrong space).
   *
   * <p>OpenSearch merges a mapping update into existing field mappers by rebuilding them with
   * empty settings ({@code ParametrizedFieldMapper#merge}, for example when a document adds a new
   * dynamic field): those fields were checked when they were created, so empty settings pass.
   *
   * @param indexSettings the index's settings, or empty settings for a mapper rebuilt by a merge
   * @param field the PEFA field being indexed
   */
  static void checkIndexCodec(Settings indexSettings, String field) {
    if (indexSettings.isEmpty()) {
      return;
    }
    String codec = indexSettings.get("index.codec", "default");
    if (ALIASES.contains(codec) == false && NAME.equals(codec) == false) {
      throw new IllegalArgumentException(
          "field ["
              + field
              + "] is a PEFA field: its index must be created with \"index.codec\": \""
              + INDEX_CODEC
              + "\" (or \""
              + INDEX_CODEC_BEST_COMPRESSION
              + "\"), not ["
              + codec
              + "]");
    }
  }
}
