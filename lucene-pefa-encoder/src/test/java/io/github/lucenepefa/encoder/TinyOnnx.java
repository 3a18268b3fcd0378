package io.github.lucenepefa.encoder;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes minimal ONNX models (protobuf by hand, no onnx library needed) whose graph is one Identity
 * node per input: enough to test the encoder's input/output validation.
 */
final class TinyOnnx {
  private TinyOnnx() {}

  /** A model taking int64 [batch, seq] inputs of the given names, with outputs "out_<name>". */
  static byte[] identityModel(List<String> inputNames) {
    Proto graph = new Proto();
    for (String in : inputNames) {
      Proto node = new Proto().string(1, in).string(2, "out_" + in).string(3, "id_" + in).string(4, "Identity");
      graph.message(1, node);
    }
    graph.string(2, "tiny");
    for (String in : inputNames) {
      graph.message(11, valueInfo(in));
    }
    for (String in : inputNames) {
      graph.message(12, valueInfo("out_" + in));
    }
    Proto model = new Proto().varint(1, 8).message(8, new Proto().string(1, "").varint(2, 13)).message(7, graph);
    return model.bytes();
  }

  private static Proto valueInfo(String name) {
    Proto shape = new Proto().message(1, new Proto().string(2, "batch")).message(1, new Proto().string(2, "seq"));
    Proto tensor = new Proto().varint(1, 7).message(2, shape); // elem_type INT64
    return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
  }

  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long v) {
      writeVarint((long) field << 3);
      writeVarint(v);
      return this;
    }

    Proto string(int field, String s) {
      return bytesField(field, s.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto m) {
      return bytesField(field, m.bytes());
    }

    private Proto bytesField(int field, byte[] b) {
      writeVarint(((long) field << 3) | 2);
      writeVarint(b.length);
      out.writeBytes(b);
      return this;
    }

    private void writeVarint(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
