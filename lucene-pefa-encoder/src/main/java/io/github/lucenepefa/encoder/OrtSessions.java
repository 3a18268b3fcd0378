package io.github.lucenepefa.encoder;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;

/** Creates the ONNX Runtime sessions of the encoder: one options set, from a file or from bytes. */
final class OrtSessions {

  private OrtSessions() {}

  /** Full graph optimisation, sequential execution, {@code threads} intra-op threads, one inter-op thread. */
  static OrtSession.SessionOptions options(int threads) throws OrtException {
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    try {
      opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      opts.setIntraOpNumThreads(threads);
      opts.setInterOpNumThreads(1);
      return opts;
    } catch (OrtException | RuntimeException e) {
      opts.close();
      throw e;
    }
  }

  /** A session of the model at {@code src} (a file is read by ONNX Runtime itself). */
  static OrtSession open(OrtEnvironment env, ModelSource src, int threads) throws IOException {
    try (OrtSession.SessionOptions opts = options(threads)) {
      if (src.isFile()) {
        return env.createSession(src.path().toAbsolutePath().toString(), opts);
      }
      return env.createSession(src.readAllBytes("model"), opts);
    } catch (OrtException e) {
      throw new IOException("cannot load ONNX model " + src + ": " + e.getMessage(), e);
    }
  }
}
