package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.store.Directory;

/** Runs Lucene's {@link CheckIndex} (outside the randomized-testing runner). */
final class IndexChecks {
  private IndexChecks() {}

  static void assertClean(Directory dir) throws IOException {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (CheckIndex checker = new CheckIndex(dir)) {
      checker.setLevel(CheckIndex.Level.MIN_LEVEL_FOR_SLOW_CHECKS);
      checker.setInfoStream(new PrintStream(log, true, StandardCharsets.UTF_8));
      CheckIndex.Status status = checker.checkIndex();
      assertTrue(status.clean, () -> "CheckIndex failed:\n" + log.toString(StandardCharsets.UTF_8));
    }
  }
}
