package io.github.lucenepefa.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.document.DocumentStoredFieldVisitor;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.InvertableType;
import org.apache.lucene.document.KnnByteVectorField;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredValue;
import org.apache.lucene.index.DocValuesSkipIndexType;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.IndexableFieldType;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.DataInput;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.util.BytesRef;

/**
 * The application fields of a document, recorded so that {@link PefaIndexWriter} can index the
 * document again, exactly as the application first gave it, when its PEFA-XS vector changes (the
 * way a search engine re-indexes from a stored source). It is stored with the document in {@link
 * PefaSchema#sourceField()}.
 *
 * <p>A field is recorded as what Lucene's indexing chain reads from it: its name and type, its
 * string, binary and numeric values, its stored value, how it is inverted, and its vector. It is
 * replayed as a {@link Field} whose {@link Field#tokenStream} analyses the recorded string with
 * the writer's analyzer, as the original did. Fields whose terms cannot be recorded are rejected
 * when the document is added: a {@link java.io.Reader} or {@link TokenStream} value, or a class
 * that produces its own token stream (such as {@code FeatureField}).
 */
final class DocumentSource {

  private static final int VERSION = 1;

  private static final byte NONE = 0, STRING = 1, BINARY = 2, INT = 3, LONG = 4, FLOAT = 5;
  private static final byte DOUBLE = 6;

  private DocumentSource() {}

  /**
   * Records the fields.
   *
   * @param key the document's key (for error messages)
   * @param fields the application's fields
   * @return the recorded bytes, or {@code null} when there are no fields
   * @throws IllegalArgumentException naming the field that cannot be recorded
   */
  static BytesRef encode(String key, List<IndexableField> fields) {
    if (fields.isEmpty()) {
      return null;
    }
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    try {
      out.writeVInt(VERSION);
      out.writeVInt(fields.size());
      for (IndexableField f : fields) {
        write(out, key, f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new BytesRef(out.toArrayCopy());
  }

  private static void write(DataOutput out, String key, IndexableField f) throws IOException {
    IndexableFieldType t = f.fieldType();
    String what = "document '" + key + "': field '" + f.name() + "'";
    if (f.readerValue() != null) {
      throw new IllegalArgumentException(
          what + " has a Reader value, which cannot be indexed again when the document's PEFA-XS"
              + " vector changes; pass the text as a String");
    }
    boolean inverted = t.indexOptions() != IndexOptions.NONE;
    InvertableType invertable = inverted ? f.invertableType() : null;
    if (invertable == InvertableType.TOKEN_STREAM) {
      if (f instanceof Field field && field.tokenStreamValue() != null) {
        throw new IllegalArgumentException(
            what + " has a TokenStream value, which cannot be indexed again when the document's"
                + " PEFA-XS vector changes; pass the text as a String");
      }
      if (overridesTokenStream(f)) {
        throw new IllegalArgumentException(
            what + " (" + f.getClass().getName() + ") makes its own token stream, which cannot"
                + " be indexed again when the document's PEFA-XS vector changes");
      }
    }
    out.writeString(f.name());
    writeType(out, t);
    out.writeByte((byte) (invertable == null ? 0 : invertable == InvertableType.BINARY ? 1 : 2));
    // only the values Lucene's indexing chain reads for this type (a multi-dimensional point, for
    // one, has no numeric value)
    DocValuesType dv = t.docValuesType();
    String s = inverted ? f.stringValue() : null;
    out.writeByte(s == null ? NONE : STRING);
    if (s != null) {
      out.writeString(s);
    }
    boolean binary =
        inverted
            || t.pointDimensionCount() != 0
            || dv == DocValuesType.BINARY
            || dv == DocValuesType.SORTED
            || dv == DocValuesType.SORTED_SET;
    writeBytes(out, binary ? f.binaryValue() : null);
    boolean numeric = dv == DocValuesType.NUMERIC || dv == DocValuesType.SORTED_NUMERIC;
    writeNumber(out, numeric ? f.numericValue() : null);
    StoredValue stored = t.stored() ? f.storedValue() : null;
    if (t.stored() && stored == null) {
      throw new IllegalArgumentException(what + " is stored but has no stored value");
    }
    writeStored(out, what, stored);
    if (t.vectorDimension() != 0) {
      if (t.vectorEncoding() == VectorEncoding.FLOAT32 && f instanceof KnnFloatVectorField v) {
        float[] vector = v.vectorValue();
        out.writeVInt(vector.length);
        for (float x : vector) {
          out.writeInt(Float.floatToIntBits(x));
        }
      } else if (t.vectorEncoding() == VectorEncoding.BYTE && f instanceof KnnByteVectorField v) {
        byte[] vector = v.vectorValue();
        out.writeVInt(vector.length);
        out.writeBytes(vector, vector.length);
      } else {
        throw new IllegalArgumentException(
            what + " declares a vector but is not a KnnFloatVectorField or KnnByteVectorField");
      }
    }
  }

  private static boolean overridesTokenStream(IndexableField f) {
    if (f instanceof Field == false) {
      return true;
    }
    try {
      return f.getClass().getMethod("tokenStream", Analyzer.class, TokenStream.class).getDeclaringClass()
          != Field.class;
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  private static void writeType(DataOutput out, IndexableFieldType t) throws IOException {
    int flags =
        (t.stored() ? 1 : 0)
            | (t.tokenized() ? 2 : 0)
            | (t.storeTermVectors() ? 4 : 0)
            | (t.storeTermVectorOffsets() ? 8 : 0)
            | (t.storeTermVectorPositions() ? 16 : 0)
            | (t.storeTermVectorPayloads() ? 32 : 0)
            | (t.omitNorms() ? 64 : 0);
    out.writeVInt(flags);
    out.writeString(t.indexOptions().name());
    out.writeString(t.docValuesType().name());
    out.writeString(t.docValuesSkipIndexType().name());
    out.writeVInt(t.pointDimensionCount());
    out.writeVInt(t.pointIndexDimensionCount());
    out.writeVInt(t.pointNumBytes());
    out.writeVInt(t.vectorDimension());
    if (t.vectorDimension() != 0) {
      out.writeString(t.vectorEncoding().name());
      out.writeString(t.vectorSimilarityFunction().name());
    }
    Map<String, String> attributes = t.getAttributes();
    out.writeVInt(attributes == null ? 0 : attributes.size());
    if (attributes != null) {
      for (Map.Entry<String, String> e : attributes.entrySet()) {
        out.writeString(e.getKey());
        out.writeString(e.getValue());
      }
    }
  }

  private static void writeBytes(DataOutput out, BytesRef b) throws IOException {
    if (b == null) {
      out.writeVInt(0);
      return;
    }
    out.writeVInt(b.length + 1);
    out.writeBytes(b.bytes, b.offset, b.length);
  }

  private static void writeNumber(DataOutput out, Number n) throws IOException {
    switch (n) {
      case null -> out.writeByte(NONE);
      case Integer i -> {
        out.writeByte(INT);
        out.writeInt(i);
      }
      case Long l -> {
        out.writeByte(LONG);
        out.writeLong(l);
      }
      case Float x -> {
        out.writeByte(FLOAT);
        out.writeInt(Float.floatToIntBits(x));
      }
      case Double x -> {
        out.writeByte(DOUBLE);
        out.writeLong(Double.doubleToLongBits(x));
      }
      default -> { // Short, Byte, BigInteger...: Lucene reads longValue()
        out.writeByte(LONG);
        out.writeLong(n.longValue());
      }
    }
  }

  private static void writeStored(DataOutput out, String what, StoredValue v) throws IOException {
    if (v == null) {
      out.writeByte(NONE);
      return;
    }
    switch (v.getType()) {
      case INTEGER -> {
        out.writeByte(INT);
        out.writeInt(v.getIntValue());
      }
      case LONG -> {
        out.writeByte(LONG);
        out.writeLong(v.getLongValue());
      }
      case FLOAT -> {
        out.writeByte(FLOAT);
        out.writeInt(Float.floatToIntBits(v.getFloatValue()));
      }
      case DOUBLE -> {
        out.writeByte(DOUBLE);
        out.writeLong(Double.doubleToLongBits(v.getDoubleValue()));
      }
      case BINARY -> {
        out.writeByte(BINARY);
        writeBytes(out, v.getBinaryValue());
      }
      case STRING -> {
        out.writeByte(STRING);
        out.writeString(v.getStringValue());
      }
      default ->
          throw new IllegalArgumentException(
              what + " has a stored value of type " + v.getType() + ", which cannot be recorded");
    }
  }

  /**
   * Replays recorded fields.
   *
   * @param source bytes of {@link #encode}, or {@code null}
   * @return fields that index exactly as the recorded ones did
   * @throws IllegalStateException when the bytes are not in a known layout
   */
  static List<IndexableField> decode(BytesRef source) {
    if (source == null) {
      return List.of();
    }
    try {
      DataInput in = new ByteArrayDataInput(source.bytes, source.offset, source.length);
      int version = in.readVInt();
      if (version != VERSION) {
        throw new IllegalStateException("unknown PEFA document source version " + version);
      }
      int n = in.readVInt();
      List<IndexableField> fields = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        fields.add(read(in));
      }
      return fields;
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalStateException ise) {
        throw ise;
      }
      throw new IllegalStateException("corrupt PEFA document source", e);
    }
  }

  private static IndexableField read(DataInput in) throws IOException {
    String name = in.readString();
    FieldType type = readType(in);
    byte inv = in.readByte();
    InvertableType invertable =
        inv == 0 ? null : inv == 1 ? InvertableType.BINARY : InvertableType.TOKEN_STREAM;
    String string = in.readByte() == STRING ? in.readString() : null;
    BytesRef binary = readBytes(in);
    Number number = readNumber(in, in.readByte());
    StoredValue stored = readStored(in);
    if (type.vectorDimension() != 0) {
      int len = in.readVInt();
      if (type.vectorEncoding() == VectorEncoding.FLOAT32) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) {
          v[i] = Float.intBitsToFloat(in.readInt());
        }
        return new KnnFloatVectorField(name, v, type);
      }
      byte[] v = new byte[len];
      in.readBytes(v, 0, len);
      return new KnnByteVectorField(name, v, type);
    }
    return new ReplayedField(name, type, invertable, string, binary, number, stored);
  }

  private static FieldType readType(DataInput in) throws IOException {
    FieldType t = new FieldType();
    int flags = in.readVInt();
    t.setStored((flags & 1) != 0);
    t.setTokenized((flags & 2) != 0);
    t.setStoreTermVectors((flags & 4) != 0);
    t.setStoreTermVectorOffsets((flags & 8) != 0);
    t.setStoreTermVectorPositions((flags & 16) != 0);
    t.setStoreTermVectorPayloads((flags & 32) != 0);
    t.setOmitNorms((flags & 64) != 0);
    t.setIndexOptions(IndexOptions.valueOf(in.readString()));
    t.setDocValuesType(DocValuesType.valueOf(in.readString()));
    t.setDocValuesSkipIndexType(DocValuesSkipIndexType.valueOf(in.readString()));
    int dims = in.readVInt(), indexDims = in.readVInt(), bytes = in.readVInt();
    if (dims != 0) {
      t.setDimensions(dims, indexDims, bytes);
    }
    int vectorDim = in.readVInt();
    if (vectorDim != 0) {
      VectorEncoding encoding = VectorEncoding.valueOf(in.readString());
      VectorSimilarityFunction similarity = VectorSimilarityFunction.valueOf(in.readString());
      t.setVectorAttributes(vectorDim, encoding, similarity);
    }
    int attributes = in.readVInt();
    for (int i = 0; i < attributes; i++) {
      t.putAttribute(in.readString(), in.readString());
    }
    t.freeze();
    return t;
  }

  private static BytesRef readBytes(DataInput in) throws IOException {
    int len = in.readVInt();
    if (len == 0) {
      return null;
    }
    byte[] b = new byte[len - 1];
    in.readBytes(b, 0, b.length);
    return new BytesRef(b);
  }

  private static Number readNumber(DataInput in, byte kind) throws IOException {
    return switch (kind) {
      case NONE -> null;
      case INT -> in.readInt();
      case LONG -> in.readLong();
      case FLOAT -> Float.intBitsToFloat(in.readInt());
      case DOUBLE -> Double.longBitsToDouble(in.readLong());
      default -> throw new IllegalStateException("unknown number kind " + kind);
    };
  }

  private static StoredValue readStored(DataInput in) throws IOException {
    byte kind = in.readByte();
    return switch (kind) {
      case NONE -> null;
      case STRING -> new StoredValue(in.readString());
      case BINARY -> new StoredValue(readBytes(in));
      default -> {
        Number n = readNumber(in, kind);
        yield switch (n) {
          case Integer i -> new StoredValue(i);
          case Long l -> new StoredValue(l);
          case Float f -> new StoredValue(f);
          default -> new StoredValue(n.doubleValue());
        };
      }
    };
  }

  /**
   * Reads a document's recorded source from its stored fields.
   *
   * @param visitor a visitor that loaded {@link PefaSchema#sourceField()}
   * @param schema the index layout
   * @return the bytes, or {@code null} when the document has no application fields
   */
  static BytesRef storedSource(DocumentStoredFieldVisitor visitor, PefaSchema schema) {
    IndexableField f = visitor.getDocument().getField(schema.sourceField());
    return f == null ? null : BytesRef.deepCopyOf(f.binaryValue());
  }

  /** A field replayed from its record: it returns to Lucene what the original returned. */
  private static final class ReplayedField extends Field {
    private final InvertableType invertable;
    private final BytesRef binary;
    private final Number number;
    private final StoredValue stored;

    ReplayedField(
        String name,
        FieldType type,
        InvertableType invertable,
        String string,
        BytesRef binary,
        Number number,
        StoredValue stored) {
      super(name, type);
      this.invertable = invertable;
      this.binary = binary;
      this.number = number;
      this.stored = stored;
      this.fieldsData = string != null ? string : binary != null ? binary : number;
    }

    @Override
    public String stringValue() {
      return fieldsData instanceof String s ? s : null;
    }

    @Override
    public BytesRef binaryValue() {
      return binary;
    }

    @Override
    public Number numericValue() {
      return number;
    }

    @Override
    public StoredValue storedValue() {
      return stored;
    }

    @Override
    public InvertableType invertableType() {
      return invertable == null ? InvertableType.TOKEN_STREAM : invertable;
    }
  }
}
