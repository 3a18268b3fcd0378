package io.github.lucenepefa.cli.vectors;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * An on-disk cache of encoded vectors, keyed by model id, kind ({@code query} or {@code doc}) and the SHA-256 of the
 * exact text given to the encoder. One file per (model id, kind):
 *
 * <pre>
 * DIR/&lt;modelId&gt;/&lt;kind&gt;.vec      (or .vec.gz, read-only)
 *   magic "PEFAVEC1", int32 LE dimension, then records: 32-byte SHA-256 of the UTF-8 text, dimension float32 LE
 * </pre>
 *
 * <p>New vectors are appended to the writable directory's file; a truncated last record (an interrupted run) is
 * ignored when reading. Read-only seed directories (for example {@code data/scifact/vectors}, which holds the
 * vectors this project's encoder produced for SciFact) are consulted too, so a fresh checkout does not re-encode.
 */
public final class VectorCache {

  static final byte[] MAGIC = "PEFAVEC1".getBytes(StandardCharsets.US_ASCII);

  private final Path writeDir;
  private final List<Path> seedDirs;
  private final Map<String, Map<Key, float[]>> loaded = new HashMap<>();

  /** A SHA-256 digest as a map key. */
  public record Key(byte[] sha) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(sha, k.sha);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(sha);
    }
  }

  /**
   * @param writeDir where new vectors are appended, or {@code null} for no writes
   * @param seedDirs read-only directories with the same layout (missing ones are skipped)
   */
  public VectorCache(Path writeDir, List<Path> seedDirs) {
    this.writeDir = writeDir;
    this.seedDirs = List.copyOf(seedDirs);
  }

  /** @return the writable directory, or null */
  public Path writeDir() {
    return writeDir;
  }

  /**
   * @param text a text exactly as given to the encoder
   * @return its key
   */
  public static Key key(String text) {
    try {
      return new Key(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Returns the cached vectors of one model and kind (loading them on first use).
   *
   * @param modelId the encoder's model id
   * @param kind {@code query} or {@code doc}
   * @return key → vector (mutable view owned by the cache)
   * @throws IOException on read errors
   */
  public synchronized Map<Key, float[]> vectors(String modelId, String kind) throws IOException {
    String id = modelId + "/" + kind;
    Map<Key, float[]> m = loaded.get(id);
    if (m == null) {
      m = new HashMap<>();
      for (Path dir : seedDirs) {
        readInto(dir.resolve(modelId).resolve(kind + ".vec.gz"), m);
        readInto(dir.resolve(modelId).resolve(kind + ".vec"), m);
      }
      if (writeDir != null) {
        readInto(writeDir.resolve(modelId).resolve(kind + ".vec"), m);
      }
      loaded.put(id, m);
    }
    return m;
  }

  /**
   * Appends vectors to the writable file (and to the in-memory map).
   *
   * @param modelId model id
   * @param kind kind
   * @param keys the keys
   * @param vectors the vectors (same order)
   * @throws IOException on write errors
   */
  public synchronized void put(String modelId, String kind, List<Key> keys, List<float[]> vectors)
      throws IOException {
    Map<Key, float[]> m = vectors(modelId, kind);
    for (int i = 0; i < keys.size(); i++) {
      m.put(keys.get(i), vectors.get(i));
    }
    if (writeDir == null || keys.isEmpty()) {
      return;
    }
    Path file = writeDir.resolve(modelId).resolve(kind + ".vec");
    Files.createDirectories(file.getParent());
    int dim = vectors.get(0).length;
    boolean fresh = !Files.exists(file) || Files.size(file) < MAGIC.length + 4;
    if (!fresh) {
      int existing = readDim(file);
      if (existing != dim) {
        throw new IOException(file + ": cached dimension " + existing + " != " + dim);
      }
      truncateToWholeRecords(file, dim);
    }
    try (OutputStream out =
        new BufferedOutputStream(
            Files.newOutputStream(
                file,
                StandardOpenOption.CREATE,
                fresh ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND),
            1 << 16)) {
      if (fresh) {
        writeHeader(out, dim);
      }
      writeRecords(out, keys, vectors);
    }
  }

  /**
   * Writes a complete, gzipped cache file (for the committed seed).
   *
   * @param file the output {@code .vec.gz}
   * @param keys keys
   * @param vectors vectors
   * @throws IOException on write errors
   */
  public static void writeGz(Path file, List<Key> keys, List<float[]> vectors) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out =
        new BufferedOutputStream(new GZIPOutputStream(Files.newOutputStream(tmp), 1 << 16), 1 << 16)) {
      writeHeader(out, vectors.get(0).length);
      writeRecords(out, keys, vectors);
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static void writeHeader(OutputStream out, int dim) throws IOException {
    out.write(MAGIC);
    out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(dim).array());
  }

  private static void writeRecords(OutputStream out, List<Key> keys, List<float[]> vectors) throws IOException {
    int dim = vectors.get(0).length;
    ByteBuffer buf = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < keys.size(); i++) {
      float[] v = vectors.get(i);
      if (v.length != dim) {
        throw new IllegalArgumentException("mixed dimensions in one cache file");
      }
      out.write(keys.get(i).sha());
      buf.clear();
      buf.asFloatBuffer().put(v);
      out.write(buf.array());
    }
  }

  private static int readDim(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException(file + ": not a PEFA vector cache file");
      }
      return Integer.reverseBytes(in.readInt());
    }
  }

  private static void truncateToWholeRecords(Path file, int dim) throws IOException {
    long header = MAGIC.length + 4;
    long rec = 32L + 4L * dim;
    long size = Files.size(file);
    long whole = header + (size - header) / rec * rec;
    if (whole != size) {
      try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(whole);
      }
    }
  }

  private static void readInto(Path file, Map<Key, float[]> m) throws IOException {
    if (!Files.isRegularFile(file)) {
      return;
    }
    InputStream raw = Files.newInputStream(file);
    if (file.getFileName().toString().endsWith(".gz")) {
      raw = new GZIPInputStream(raw, 1 << 16);
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
      byte[] magic = new byte[MAGIC.length];
      try {
        in.readFully(magic);
      } catch (EOFException e) {
        return;
      }
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException(file + ": not a PEFA vector cache file");
      }
      int dim = Integer.reverseBytes(in.readInt());
      byte[] rec = new byte[dim * 4];
      while (true) {
        byte[] sha = new byte[32];
        try {
          in.readFully(sha);
          in.readFully(rec);
        } catch (EOFException e) {
          break; // truncated tail of an interrupted run
        }
        float[] v = new float[dim];
        ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        m.put(new Key(sha), v);
      }
    }
  }

  /**
   * Lists all (key, vector) pairs of a loaded model/kind, for exporting a seed.
   *
   * @param modelId model id
   * @param kind kind
   * @param wanted the keys to export, in order
   * @return the vectors in the same order (null where missing)
   * @throws IOException on read errors
   */
  public List<float[]> lookup(String modelId, String kind, List<Key> wanted) throws IOException {
    Map<Key, float[]> m = vectors(modelId, kind);
    List<float[]> out = new ArrayList<>(wanted.size());
    for (Key k : wanted) {
      out.add(m.get(k));
    }
    return out;
  }
}
