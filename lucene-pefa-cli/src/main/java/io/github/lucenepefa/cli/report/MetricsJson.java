package io.github.lucenepefa.cli.report;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code metrics.json}: {@code {"<method>": {"R@10": .., "R@20": .., ...}, ..., "params": {...}}}, pretty-printed,
 * methods and metrics in the given map order, {@code "params"} last.
 */
public final class MetricsJson {

  /** The reserved key holding run parameters. */
  public static final String PARAMS = "params";

  private static final JsonMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private MetricsJson() {}

  /**
   * Writes the file (creating parent folders).
   *
   * @param file the output file
   * @param methods method name → (metric name → value)
   * @param params run parameters (any Jackson-serialisable values: numbers, strings, lists, maps)
   * @throws IOException on write failure
   * @throws IllegalArgumentException if a method is named {@code "params"} or a value is not finite
   */
  public static void write(Path file, Map<String, Map<String, Double>> methods, Map<String, ?> params)
      throws IOException {
    String json = toJson(methods, params);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, json);
  }

  /**
   * Renders the JSON text (ends with a newline).
   *
   * @param methods method name → (metric name → value)
   * @param params run parameters
   * @return the JSON text
   */
  public static String toJson(Map<String, Map<String, Double>> methods, Map<String, ?> params) {
    Map<String, Object> root = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Double>> e : methods.entrySet()) {
      if (PARAMS.equals(e.getKey())) {
        throw new IllegalArgumentException("a method may not be called \"" + PARAMS + "\"");
      }
      for (Map.Entry<String, Double> m : e.getValue().entrySet()) {
        if (m.getValue() == null || !Double.isFinite(m.getValue())) {
          throw new IllegalArgumentException(e.getKey() + " " + m.getKey() + " = " + m.getValue());
        }
      }
      root.put(e.getKey(), e.getValue());
    }
    root.put(PARAMS, params == null ? Map.of() : params);
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (IOException ex) {
      throw new IllegalArgumentException("cannot serialise metrics: " + ex.getMessage(), ex);
    }
  }

  /**
   * Reads the method metrics back (without {@code "params"}).
   *
   * @param file a metrics.json file
   * @return method → (metric → value), in file order
   * @throws IOException on read or parse failure
   */
  public static Map<String, Map<String, Double>> readMethods(Path file) throws IOException {
    Map<String, Object> root = JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : root.entrySet()) {
      if (PARAMS.equals(e.getKey())) {
        continue;
      }
      if (!(e.getValue() instanceof Map<?, ?> m)) {
        throw new IOException(file + ": \"" + e.getKey() + "\" is not an object");
      }
      Map<String, Double> metrics = new LinkedHashMap<>();
      for (Map.Entry<?, ?> me : m.entrySet()) {
        if (!(me.getValue() instanceof Number n)) {
          throw new IOException(file + ": " + e.getKey() + "." + me.getKey() + " is not a number");
        }
        metrics.put(String.valueOf(me.getKey()), n.doubleValue());
      }
      out.put(e.getKey(), metrics);
    }
    return out;
  }
}
