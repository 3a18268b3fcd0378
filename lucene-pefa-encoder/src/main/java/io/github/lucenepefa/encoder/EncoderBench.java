package io.github.lucenepefa.encoder;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Throughput benchmark of {@link TextEncoder} (not a test): texts/s for short queries and ~250-token
 * documents at batch sizes 1, 8 and 32 with 1 and 2 ONNX Runtime threads, next to a bare ONNX Runtime
 * session fed the same pre-tokenised, pre-padded batches (no tokenisation, no pooling). Prints a
 * Markdown table.
 *
 * <pre>
 * mvn -B -pl lucene-pefa-encoder compile exec:exec [-Dbench.args="--seconds 1 --threads 2"]
 * java --enable-native-access=ALL-UNNAMED -cp ... io.github.lucenepefa.encoder.EncoderBench
 *      [--preset all-minilm-l6-v2] [--seconds 2] [--threads 1,2] [--batches 1,8,32] [--queries 256] [--docs 64]
 * </pre>
 */
public final class EncoderBench {

  private EncoderBench() {}

  private static final String[] WORDS = {
    "protein", "cell", "the", "of", "receptor", "binding", "increases", "patients", "with", "cancer",
    "treatment", "reduced", "mortality", "gene", "expression", "in", "mice", "vitamin", "levels",
    "associated", "risk", "higher", "lower", "trial", "randomized", "dose", "response", "immune",
    "inflammation", "neurons", "brain", "signaling", "pathway", "mutation", "tumor", "growth", "factor",
    "antibody", "virus", "infection", "vaccine", "efficacy", "retrieval", "vector", "query", "document",
    "ranking", "score", "index", "search", "dense", "and", "a", "to", "was", "is", "for", "we", "found"
  };

  /**
   * Runs the benchmark.
   *
   * @param rawArgs {@code --preset NAME}, {@code --seconds S} (time per measurement), {@code --threads
   *     1,2}, {@code --batches 1,8,32}, {@code --queries 256}, {@code --docs 64}
   * @throws Exception on failure
   */
  public static void main(String[] rawArgs) throws Exception {
    // exec:exec passes ${bench.args} as one (possibly empty) argument: split on whitespace.
    String[] args =
        Arrays.stream(rawArgs).flatMap(a -> Arrays.stream(a.trim().split("\\s+"))).filter(a -> !a.isEmpty())
            .toArray(String[]::new);
    String preset = EncoderConfig.ALL_MINILM_L6_V2;
    double seconds = 2;
    int[] threadCounts = {1, 2};
    int[] batches = {1, 8, 32};
    int nQueries = 256;
    int nDocs = 64;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--preset" -> preset = args[++i];
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--threads" -> threadCounts = ints(args[++i]);
        case "--batches" -> batches = ints(args[++i]);
        case "--queries" -> nQueries = Integer.parseInt(args[++i]);
        case "--docs" -> nDocs = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(tmp);

    System.out.printf(Locale.ROOT, "EncoderBench: preset %s, %s, %d cores, Java %s, %.1f s per measurement (best of 2)%n",
        preset, System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(),
        Runtime.version(), seconds);
    System.out.println();
    System.out.println("| threads | input | batch | TextEncoder texts/s | bare ORT texts/s | ratio |");
    System.out.println("|---:|---|---:|---:|---:|---:|");
    for (int threads : threadCounts) {
      EncoderConfig cfg = EncoderConfig.preset(preset).threads(threads).build();
      try (TextEncoder enc = TextEncoder.open(cfg);
          OrtSession.SessionOptions opts = OrtSessions.options(threads);
          OrtSession bare = enc.environment().createSession(cfg.model().readAllBytes("model"), opts)) {
        List<String> queries = queries(nQueries);
        List<String> docs = documents(enc, nDocs);
        for (String kind : List.of("queries", "docs ~250 tok")) {
          List<String> texts = kind.equals("queries") ? queries : docs;
          for (int batch : batches) {
            double ours = 0;
            double raw = 0;
            List<long[][]> prepared = prepare(enc, texts, batch);
            Runnable runOurs = () -> enc.encodeTexts(texts, batch, true);
            Runnable runBare = () -> runBare(enc, bare, prepared);
            runOurs.run(); // warm-up
            runBare.run();
            for (int round = 0; round < 2; round++) {
              ours = Math.max(ours, rate(runOurs, texts.size(), seconds));
              raw = Math.max(raw, rate(runBare, texts.size(), seconds));
            }
            System.out.printf(Locale.ROOT, "| %d | %s | %d | %.1f | %.1f | %.3f |%n",
                threads, kind, batch, ours, raw, ours / raw);
          }
        }
      }
    }
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static double rate(Runnable r, int textsPerRun, double seconds) {
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    long runs = 0;
    do {
      r.run();
      runs++;
    } while (System.nanoTime() < deadline);
    return runs * textsPerRun / ((System.nanoTime() - start) / 1e9);
  }

  /** Pre-tokenised batches in the order TextEncoder uses (length-sorted), untimed. */
  private static List<long[][]> prepare(TextEncoder enc, List<String> texts, int batch) {
    long[][] ids = enc.tokenize(texts.toArray(String[]::new));
    long[][] sorted = ids.clone();
    Arrays.sort(sorted, (a, b) -> Integer.compare(a.length, b.length));
    List<long[][]> batches = new ArrayList<>();
    for (int i = 0; i < sorted.length; i += batch) {
      batches.add(Arrays.copyOfRange(sorted, i, Math.min(sorted.length, i + batch)));
    }
    return batches;
  }

  /** The bare session on pre-tokenised input: pad, create tensors, run, release. */
  private static void runBare(TextEncoder enc, OrtSession session, List<long[][]> batches) {
    OrtEnvironment env = enc.environment();
    try {
      for (long[][] batch : batches) {
        int len = 0;
        for (long[] t : batch) {
          len = Math.max(len, t.length);
        }
        long[] ids = new long[batch.length * len];
        long[] mask = new long[batch.length * len];
        for (int i = 0; i < batch.length; i++) {
          System.arraycopy(batch[i], 0, ids, i * len, batch[i].length);
          Arrays.fill(mask, i * len, i * len + batch[i].length, 1L);
        }
        long[] shape = {batch.length, len};
        try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
            OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
            OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape)) {
          Map<String, OnnxTensor> in = new HashMap<>();
          in.put("input_ids", a);
          in.put("attention_mask", m);
          if (enc.usesTokenTypeIds()) {
            in.put("token_type_ids", t);
          }
          try (OrtSession.Result r = session.run(in, java.util.Set.of(enc.outputName()))) {
            if (r.size() != 1) {
              throw new IllegalStateException();
            }
          }
        }
      }
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> queries(int n) {
    Random r = new Random(1);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(words(r, 4 + r.nextInt(9)));
    }
    return out;
  }

  /** Documents of 240..256 tokens (under the MiniLM limit, so nothing is truncated). */
  static List<String> documents(TextEncoder enc, int n) {
    Random r = new Random(2);
    List<String> out = new ArrayList<>();
    int target = Math.min(250, enc.maxLength());
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder(words(r, target - 40));
      while (enc.tokenCount(sb.toString()) < target - 8 + r.nextInt(8)) {
        sb.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
      }
      out.add(sb.toString());
    }
    return out;
  }

  private static String words(Random r, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

}
