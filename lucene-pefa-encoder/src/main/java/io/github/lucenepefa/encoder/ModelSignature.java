package io.github.lucenepefa.encoder;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The inputs and the output of an ONNX text encoder that {@link TextEncoder} uses: whether it takes
 * {@code token_type_ids}, which output holds the vectors, and whether that output is already pooled
 * (rank 2) rather than per token (rank 3).
 */
record ModelSignature(boolean useTokenTypeIds, String outputName, boolean pooledOutput) {

  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  private static final Set<String> KNOWN_INPUTS = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

  /**
   * Reads the signature of {@code session}, the model of {@code config}.
   *
   * @throws IllegalArgumentException if the model lacks {@code input_ids}/{@code attention_mask},
   *     takes other inputs, lacks the configured output, or has no usable output
   */
  static ModelSignature of(EncoderConfig config, OrtSession session) throws IOException {
    String what = "model " + config.model();
    Set<String> inputs = session.getInputNames();
    for (String required : List.of(INPUT_IDS, ATTENTION_MASK)) {
      if (!inputs.contains(required)) {
        throw new IllegalArgumentException(
            what + " has no input '" + required + "' (inputs: " + inputs
                + "); expected a BERT-style text encoder export");
      }
    }
    for (String in : inputs) {
      if (!KNOWN_INPUTS.contains(in)) {
        throw new IllegalArgumentException(
            what + " requires the unsupported input '" + in + "' (supported: " + KNOWN_INPUTS + ")");
      }
    }
    boolean useTypes = inputs.contains(TOKEN_TYPE_IDS);
    Map<String, NodeInfo> outputs;
    try {
      outputs = session.getOutputInfo();
    } catch (OrtException e) {
      throw new IOException("cannot read the outputs of " + what + ": " + e.getMessage(), e);
    }
    String out = config.outputName();
    if (out != null && !outputs.containsKey(out)) {
      throw new IllegalArgumentException(
          what + " has no output '" + out + "' (outputs: " + outputs.keySet() + ")");
    }
    if (out == null) {
      out = chooseOutput(outputs);
      if (out == null) {
        throw new IllegalArgumentException(
            what + " has no token-embedding output of rank 3 (outputs: " + outputs.keySet()
                + "); set EncoderConfig.outputName");
      }
    }
    int rank =
        outputs.get(out).getInfo() instanceof TensorInfo ti ? ti.getShape().length : -1;
    if (rank != 3 && rank != 2) {
      throw new IllegalArgumentException(
          what + " output '" + out + "' must be a tensor of rank 3 (tokens) or 2 (pooled), got "
              + outputs.get(out).getInfo());
    }
    return new ModelSignature(useTypes, out, rank == 2);
  }

  private static String chooseOutput(Map<String, NodeInfo> outputs) {
    for (String preferred : List.of("last_hidden_state", "token_embeddings")) {
      if (outputs.containsKey(preferred)) {
        return preferred;
      }
    }
    for (Map.Entry<String, NodeInfo> e : outputs.entrySet()) {
      if (e.getValue().getInfo() instanceof TensorInfo ti && ti.getShape().length == 3) {
        return e.getKey();
      }
    }
    if (outputs.containsKey("sentence_embedding")) {
      return "sentence_embedding";
    }
    return null;
  }
}
