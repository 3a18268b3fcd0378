package io.github.lucenepefa.cli.vectors;

import io.github.lucenepefa.cli.data.DatasetException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** NumPy {@code .npy} files of float32 matrices: little-endian {@code <f4}, C order, two dimensions. */
public final class Npy {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,?\\s*\\)");

  private Npy() {}

  /**
   * Reads a float32 matrix.
   *
   * @param file the file
   * @return its rows
   * @throws DatasetException naming the file when it is missing or not a 2-D little-endian float32 C-order array
   * @throws IOException on read errors
   */
  public static float[][] read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file.toString(), 0, "missing file");
    }
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      byte[] magic = in.readNBytes(8);
      for (int i = 0; i < MAGIC.length; i++) {
        if (magic.length < 8 || magic[i] != MAGIC[i]) {
          throw new DatasetException(file.toString(), 0, "not a .npy file (bad magic)");
        }
      }
      int major = magic[6];
      int headerLen;
      if (major == 1) {
        byte[] b = in.readNBytes(2);
        headerLen = (b[0] & 0xff) | (b[1] & 0xff) << 8;
      } else if (major == 2 || major == 3) {
        byte[] b = in.readNBytes(4);
        headerLen = (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
      } else {
        throw new DatasetException(file.toString(), 0, "unsupported .npy version " + major);
      }
      String header = new String(in.readNBytes(headerLen), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      Matcher d = DESCR.matcher(header);
      Matcher f = FORTRAN.matcher(header);
      Matcher s = SHAPE.matcher(header);
      if (!d.find() || !f.find() || !s.find()) {
        throw new DatasetException(file.toString(), 0, "cannot read the .npy header (expected a 2-D array): " + header.strip());
      }
      if (!d.group(1).equals("<f4")) {
        throw new DatasetException(file.toString(), 0, "dtype " + d.group(1) + ", expected float32 ('<f4'): save with"
            + " np.save(path, x.astype(np.float32))");
      }
      if (f.group(1).equals("True")) {
        throw new DatasetException(file.toString(), 0, "Fortran-order array; save a C-order one (np.ascontiguousarray)");
      }
      long rows = Long.parseLong(s.group(1));
      long dim = Long.parseLong(s.group(2));
      if (rows > Integer.MAX_VALUE || dim > 65536) {
        throw new DatasetException(file.toString(), 0, "shape (" + rows + ", " + dim + ") is too large");
      }
      float[][] out = new float[(int) rows][(int) dim];
      byte[] row = new byte[(int) dim * 4];
      for (int i = 0; i < rows; i++) {
        if (in.readNBytes(row, 0, row.length) != row.length) {
          throw new DatasetException(file.toString(), 0, "truncated: " + i + " of " + rows + " rows");
        }
        ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out[i]);
      }
      return out;
    }
  }

  /**
   * Writes a float32 little-endian C-order .npy (format 1.0).
   *
   * @param file the file
   * @param v rows (all of one length)
   * @throws IOException on errors
   */
  public static void write(Path file, float[][] v) throws IOException {
    int dim = v.length == 0 ? 0 : v[0].length;
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + v.length + ", " + dim + "), }";
    int headerLen = 10 + dict.length() + 1;
    int pad = (64 - headerLen % 64) % 64;
    StringBuilder h = new StringBuilder(dict);
    h.append(" ".repeat(pad)).append('\n');
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
      int len = h.length();
      out.write(len & 0xff);
      out.write((len >> 8) & 0xff);
      out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
      ByteBuffer buf = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float[] row : v) {
        if (row.length != dim) {
          throw new IllegalArgumentException("rows of different lengths: " + row.length + " and " + dim);
        }
        buf.clear();
        buf.asFloatBuffer().put(row);
        out.write(buf.array());
      }
    }
  }
}
