package io.github.lucenepefa.encoder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a model or tokenizer file is read from: a file on disk or a classpath resource. Never a hub
 * name: the encoder performs no network access.
 */
public final class ModelSource {

  private final Path path;
  private final String resource;
  private final String hint;

  private ModelSource(Path path, String resource, String hint) {
    this.path = path;
    this.resource = resource;
    this.hint = hint;
  }

  /**
   * A file on disk.
   *
   * @param path the file, e.g. {@code /models/bge/model.onnx}
   * @return the source
   */
  public static ModelSource file(Path path) {
    return new ModelSource(Objects.requireNonNull(path, "path"), null, null);
  }

  /**
   * A resource on the classpath (resolved with this library's class loader, then the context class
   * loader).
   *
   * @param name the resource name without a leading slash, e.g. {@code all-minilm-l6-v2.onnx}
   * @return the source
   */
  public static ModelSource classpath(String name) {
    return classpath(name, null);
  }

  /**
   * A resource on the classpath with a hint shown when it is missing (e.g. the Maven artifact that
   * ships it).
   *
   * @param name the resource name without a leading slash
   * @param hint extra text for the "not found" error, may be {@code null}
   * @return the source
   */
  public static ModelSource classpath(String name, String hint) {
    Objects.requireNonNull(name, "name");
    return new ModelSource(null, name.startsWith("/") ? name.substring(1) : name, hint);
  }

  /**
   * Whether this is a file on disk.
   *
   * @return {@code true} for {@link #file(Path)} sources
   */
  public boolean isFile() {
    return path != null;
  }

  /**
   * The file, for file sources.
   *
   * @return the path or {@code null} for classpath sources
   */
  public Path path() {
    return path;
  }

  /**
   * The short name of the file or resource (last path element), used in model ids.
   *
   * @return the file name
   */
  public String fileName() {
    String s = path != null ? path.getFileName().toString() : resource;
    int slash = s.lastIndexOf('/');
    return slash >= 0 ? s.substring(slash + 1) : s;
  }

  /**
   * Reads the whole file or resource.
   *
   * @param what what the file is, for the error message (e.g. "model", "tokenizer")
   * @return its bytes
   * @throws IOException naming the file or resource if it is missing or unreadable
   */
  public byte[] readAllBytes(String what) throws IOException {
    if (path != null) {
      if (!Files.isRegularFile(path)) {
        throw new IOException(what + " file not found: " + path.toAbsolutePath());
      }
      try {
        return Files.readAllBytes(path);
      } catch (IOException e) {
        throw new IOException("cannot read " + what + " file " + path.toAbsolutePath() + ": " + e, e);
      }
    }
    try (InputStream in = open()) {
      if (in == null) {
        throw new IOException(
            what
                + " classpath resource not found: "
                + resource
                + (hint == null ? "" : " (" + hint + ")"));
      }
      return in.readAllBytes();
    }
  }

  private InputStream open() {
    InputStream in = ModelSource.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      ClassLoader ctx = Thread.currentThread().getContextClassLoader();
      if (ctx != null) {
        in = ctx.getResourceAsStream(resource);
      }
    }
    return in;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelSource m
        && Objects.equals(path, m.path)
        && Objects.equals(resource, m.resource);
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, resource);
  }

  /** Returns {@code file:<absolute path>} or {@code classpath:<resource>}. */
  @Override
  public String toString() {
    return path != null ? "file:" + path.toAbsolutePath() : "classpath:" + resource;
  }
}
