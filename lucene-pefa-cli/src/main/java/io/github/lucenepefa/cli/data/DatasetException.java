package io.github.lucenepefa.cli.data;

import java.io.IOException;

/**
 * A dataset file is missing or does not follow the BEIR layout. The message names the file (relative to the dataset
 * folder) and, where it applies, the 1-based line number, e.g. {@code corpus.jsonl.gz:17: malformed JSON: ...}.
 */
public class DatasetException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long line;

  /**
   * @param file the file name as shown to the user (relative to the dataset folder when possible)
   * @param line the 1-based line number, or 0 when the problem concerns the whole file
   * @param problem what is wrong, without the file and line prefix
   */
  public DatasetException(String file, long line, String problem) {
    super(line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem);
    this.file = file;
    this.line = line;
  }

  /**
   * Same as {@link #DatasetException(String, long, String)} with the underlying cause attached.
   *
   * @param file the file name as shown to the user
   * @param line the 1-based line number, or 0
   * @param problem what is wrong
   * @param cause the underlying exception
   */
  public DatasetException(String file, long line, String problem, Throwable cause) {
    this(file, line, problem);
    initCause(cause);
  }

  /** @return the file name as shown in the message */
  public String file() {
    return file;
  }

  /** @return the 1-based line number, or 0 when the problem concerns the whole file */
  public long line() {
    return line;
  }
}
