package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.PefaCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs the pefa command line in-process and captures its output. */
final class CliRunner {
  private CliRunner() {}

  record Result(int code, String out, String err) {}

  /**
   * Runs a command; {@code out} and {@code err} hold what it printed through picocli and through {@code System.out}
   * / {@code System.err} (which still go to the console as well).
   */
  static synchronized Result run(String... args) {
    PrintStream sysOut = System.out;
    PrintStream sysErr = System.err;
    ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
    ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    System.setOut(new PrintStream(new Tee(sysOut, capturedOut), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(sysErr, capturedErr), true, StandardCharsets.UTF_8));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try {
      CommandLine cl = PefaCli.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      code = cl.execute(args);
    } finally {
      System.out.flush();
      System.err.flush();
      System.setOut(sysOut);
      System.setErr(sysErr);
    }
    return new Result(code, out + capturedOut.toString(StandardCharsets.UTF_8),
        err + capturedErr.toString(StandardCharsets.UTF_8));
  }

  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }

  static Path work(String name) throws Exception {
    Path base = Path.of(System.getProperty("pefa.test.work", "target/pefa-test"));
    Files.createDirectories(base);
    return Files.createTempDirectory(base.toAbsolutePath(), name);
  }

  /** A tiny BEIR dataset. */
  static Path tinyDataset(Path dir) throws Exception {
    Files.createDirectories(dir.resolve("qrels"));
    Files.writeString(dir.resolve("corpus.jsonl"), String.join("\n",
        "{\"_id\": \"d1\", \"title\": \"Vitamin D\", \"text\": \"Vitamin D deficiency is associated with bone fractures in older adults.\"}",
        "{\"_id\": \"d2\", \"title\": \"Aspirin\", \"text\": \"Low dose aspirin reduces the risk of heart attack but increases bleeding.\"}",
        "{\"_id\": \"d3\", \"title\": \"Sleep\", \"text\": \"Short sleep duration is linked to obesity in children and adults.\"}",
        "{\"_id\": \"d4\", \"title\": \"Exercise\", \"text\": \"Regular aerobic exercise lowers blood pressure in hypertensive patients.\"}",
        "{\"_id\": \"d5\", \"title\": \"Smoking\", \"text\": \"Smoking cessation improves lung function within months.\"}",
        "{\"_id\": \"d6\", \"title\": \"Coffee\", \"text\": \"Moderate coffee consumption is not associated with higher mortality.\"}") + "\n");
    Files.writeString(dir.resolve("queries.jsonl"), String.join("\n",
        "{\"_id\": \"q1\", \"text\": \"does vitamin d prevent fractures\"}",
        "{\"_id\": \"q2\", \"text\": \"aspirin and bleeding risk\"}",
        "{\"_id\": \"q3\", \"text\": \"sleep and weight gain\"}",
        "{\"_id\": \"q4\", \"text\": \"exercise reduces hypertension\"}",
        "{\"_id\": \"q5\", \"text\": \"quitting smoking helps the lungs\"}",
        "{\"_id\": \"q6\", \"text\": \"is coffee bad for you\"}") + "\n");
    Files.writeString(dir.resolve("qrels/train.tsv"),
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq3\td3\t1\nq4\td4\t1\n");
    Files.writeString(dir.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq5\td5\t1\nq6\td6\t1\n");
    return dir;
  }
}
