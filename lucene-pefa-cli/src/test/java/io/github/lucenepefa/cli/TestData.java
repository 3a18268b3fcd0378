package io.github.lucenepefa.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the bundled datasets for tests. */
public final class TestData {
  private TestData() {}

  /** @return the bundled SciFact folder ({@code <repo>/data/scifact}) */
  public static Path scifact() {
    String p = System.getProperty("pefa.data.dir");
    Path dir = (p != null ? Path.of(p) : Path.of("..", "data")).resolve("scifact");
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("bundled SciFact not found at " + dir.toAbsolutePath());
    }
    return dir;
  }
}
