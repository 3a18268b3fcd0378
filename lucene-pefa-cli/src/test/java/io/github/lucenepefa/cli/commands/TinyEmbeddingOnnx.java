package io.github.lucenepefa.cli.commands;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Writes a tiny ONNX "sentence encoder" (protobuf by hand, as the encoder module's TinyOnnx does): one Gather of a
 * random {@code [vocabulary, dim]} float embedding table by {@code input_ids}, giving {@code last_hidden_state} of
 * shape {@code [batch, seq, dim]}; {@code attention_mask} is an input the graph does not use. With mean pooling it is
 * a bag-of-word-pieces model: enough to run {@code --model-dir} end to end without a download.
 */
final class TinyEmbeddingOnnx {
  private TinyEmbeddingOnnx() {}

  static byte[] model(int vocabulary, int dim, long seed) {
    Random r = new Random(seed);
    ByteBuffer table = ByteBuffer.allocate(vocabulary * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < vocabulary * dim; i++) {
      table.putFloat((float) r.nextGaussian());
    }
    Proto tensor = new Proto().varint(1, vocabulary).varint(1, dim).varint(2, 1) // dims, FLOAT
        .string(8, "embeddings").bytes(9, table.array());
    Proto gather = new Proto().string(1, "embeddings").string(1, "input_ids").string(2, "last_hidden_state")
        .string(3, "gather").string(4, "Gather");
    Proto graph = new Proto().message(1, gather).string(2, "tiny-encoder").message(5, tensor)
        .message(11, valueInfo("input_ids", 7, false)).message(11, valueInfo("attention_mask", 7, false))
        .message(12, valueInfo("last_hidden_state", 1, true));
    return new Proto().varint(1, 8).message(8, new Proto().string(1, "").varint(2, 13)).message(7, graph).bytes();
  }

  private static Proto valueInfo(String name, int elemType, boolean withDim) {
    Proto shape = new Proto().message(1, new Proto().string(2, "batch")).message(1, new Proto().string(2, "seq"));
    if (withDim) {
      shape.message(1, new Proto().string(2, "dim"));
    }
    Proto tensor = new Proto().varint(1, elemType).message(2, shape);
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
      return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto m) {
      return bytes(field, m.bytes());
    }

    Proto bytes(int field, byte[] b) {
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
