package io.github.lucenepefa.cli;

import io.github.lucenepefa.cli.bench.BenchCommand;
import io.github.lucenepefa.cli.commands.DemoCommand;
import io.github.lucenepefa.cli.commands.EncodeCommand;
import io.github.lucenepefa.cli.commands.EvalCommand;
import io.github.lucenepefa.cli.commands.IndexCommand;
import io.github.lucenepefa.cli.commands.MemoryCommand;
import io.github.lucenepefa.cli.commands.SearchCommand;
import io.github.lucenepefa.cli.commands.TuneCommand;
import io.github.lucenepefa.cli.commands.VectorsCommand;
import io.github.lucenepefa.cli.data.DatasetException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code pefa} command line. Every subcommand is listed here, in one place.
 *
 * <p>Exit codes: 0 success, 1 failure (message on stderr; for a malformed dataset file it is {@code file:line:
 * problem}), 2 bad usage.
 */
@Command(
    name = "pefa",
    mixinStandardHelpOptions = true,
    version = "pefa 0.1.0 (lucene-pefa, Lucene 10.5.1)",
    description = "PEFA (ParamEter-Free Adapters, WSDM 2024) on Apache Lucene: index, search, evaluate and tune.",
    subcommands = {
      DemoCommand.class,
      IndexCommand.class,
      EncodeCommand.class,
      SearchCommand.class,
      EvalCommand.class,
      TuneCommand.class,
      MemoryCommand.class,
      VectorsCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class PefaCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /**
   * @return a configured command line (used by main and the tests)
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new PefaCli());
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          PrintWriter err = cmd.getErr();
          String name = cmd.getCommandName();
          if (ex instanceof DatasetException) {
            err.println(ex.getMessage());
          } else if (ex instanceof java.io.IOException || ex instanceof IllegalArgumentException
              || ex instanceof java.io.UncheckedIOException) {
            err.println("pefa " + name + ": " + ex.getMessage());
          } else {
            err.println("pefa " + name + ": unexpected error: " + ex);
            ex.printStackTrace(err);
          }
          err.flush();
          return 1;
        });
    return cl;
  }

  /**
   * @param args command line
   */
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    int code = commandLine().execute(args);
    System.exit(code);
  }
}
