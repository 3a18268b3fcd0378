package io.github.lucenepefa.index;

import io.github.lucenepefa.codec.PefaQuantization;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;

/**
 * A {@link PefaSchema} as the commit user-data value that {@link PefaIndexWriter} records under
 * {@link PefaSchema#COMMIT_KEY}: {@code name=value} pairs joined by {@code ;}, starting with the
 * layout version.
 */
final class SchemaCommitValue {

  /** The layout version written and read by this code. */
  static final int LAYOUT_VERSION = 4;

  private SchemaCommitValue() {}

  /** The commit value of a schema's settings ({@link PefaSchema#toCommitValue()}). */
  static String encode(
      int dimension,
      float xsLambda,
      String prefix,
      boolean xsAnyLambda,
      GraphSettings erm,
      GraphSettings xs,
      GraphSettings memory) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("version", Integer.toString(LAYOUT_VERSION));
    m.put("dimension", Integer.toString(dimension));
    m.put("xsLambda", Float.toString(xsLambda));
    m.put("prefix", prefix);
    m.put("ermMaxConn", Integer.toString(erm.maxConn()));
    m.put("ermBeamWidth", Integer.toString(erm.beamWidth()));
    m.put("xsMaxConn", Integer.toString(xs.maxConn()));
    m.put("xsBeamWidth", Integer.toString(xs.beamWidth()));
    m.put("memoryMaxConn", Integer.toString(memory.maxConn()));
    m.put("memoryBeamWidth", Integer.toString(memory.beamWidth()));
    if (xsAnyLambda == false) { // the flag as given (xsAnyLambda() also says false at lambda 1)
      m.put("xsAnyLambda", "false");
    }
    // written only when quantized, so that unquantized schemas keep their value
    if (erm.quantization() != PefaQuantization.NONE) {
      m.put("ermQuantization", erm.quantization().id());
    }
    if (xs.quantization() != PefaQuantization.NONE) {
      m.put("xsQuantization", xs.quantization().id());
    }
    if (memory.quantization() != PefaQuantization.NONE) {
      m.put("memoryQuantization", memory.quantization().id());
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : m.entrySet()) {
      if (sb.length() > 0) {
        sb.append(';');
      }
      sb.append(e.getKey()).append('=').append(e.getValue());
    }
    return sb.toString();
  }

  /**
   * Parses {@link #encode}'s value ({@link PefaSchema#fromCommitValue}).
   *
   * @throws IllegalArgumentException when the value is malformed or of another layout version
   */
  static PefaSchema decode(String value) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String part : value.split(";", -1)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("malformed PEFA schema in commit data: " + value);
      }
      m.put(part.substring(0, eq), part.substring(eq + 1));
    }
    String version = m.get("version");
    if (Integer.toString(LAYOUT_VERSION).equals(version) == false) {
      throw new IllegalArgumentException(
          "unsupported PEFA schema version "
              + version
              + " (this code reads version "
              + LAYOUT_VERSION
              + "); rebuild the index");
    }
    try {
      return PefaSchema.builder(Integer.parseInt(m.get("dimension")))
          .xsAnyLambda(Boolean.parseBoolean(m.getOrDefault("xsAnyLambda", "true")))
          .xsLambda(Float.parseFloat(m.get("xsLambda")))
          .fieldPrefix(m.get("prefix"))
          .ermHnsw(Integer.parseInt(m.get("ermMaxConn")), Integer.parseInt(m.get("ermBeamWidth")))
          .xsHnsw(Integer.parseInt(m.get("xsMaxConn")), Integer.parseInt(m.get("xsBeamWidth")))
          .memoryHnsw(
              Integer.parseInt(m.get("memoryMaxConn")), Integer.parseInt(m.get("memoryBeamWidth")))
          .ermQuantization(PefaQuantization.parse(m.getOrDefault("ermQuantization", "none")))
          .xsQuantization(PefaQuantization.parse(m.getOrDefault("xsQuantization", "none")))
          .memoryQuantization(
              PefaQuantization.parse(m.getOrDefault("memoryQuantization", "none")))
          .build();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed PEFA schema in commit data: " + value, e);
    }
  }

  /**
   * The schema recorded in the commit an index reader was opened on ({@link PefaSchema#read}).
   *
   * @throws IllegalArgumentException when the commit holds no PEFA schema
   */
  static PefaSchema read(IndexReader reader) throws java.io.IOException {
    if (reader instanceof DirectoryReader dr) {
      String v = dr.getIndexCommit().getUserData().get(PefaSchema.COMMIT_KEY);
      if (v != null) {
        return decode(v);
      }
    }
    throw new IllegalArgumentException(
        "the index has no PEFA schema in its commit data (was it written by PefaIndexWriter?)");
  }
}
