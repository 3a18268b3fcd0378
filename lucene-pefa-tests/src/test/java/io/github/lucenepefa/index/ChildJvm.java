package io.github.lucenepefa.index;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a main class of the test sources in a fresh JVM: the same {@code java}, the test
 * classpath, and the JVM flags every run of this project uses ({@code --add-modules
 * jdk.incubator.vector --enable-native-access=ALL-UNNAMED}).
 */
public final class ChildJvm {

  private ChildJvm() {}

  /**
   * @param main the class whose {@code main} runs
   * @param args its arguments
   * @return a process builder (not started) for it
   */
  public static ProcessBuilder builder(Class<?> main, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--add-modules");
    command.add("jdk.incubator.vector");
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1"); // short-lived: start fast
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  /**
   * Makes a child exit as soon as its standard input ends, which happens when the parent dies:
   * a child of a test never outlives it.
   */
  public static void exitWithParent() {
    Thread watcher =
        new Thread(
            () -> {
              try {
                while (System.in.read() != -1) {
                  // nothing is sent
                }
              } catch (java.io.IOException e) {
                // the parent is gone
              }
              Runtime.getRuntime().halt(3);
            },
            "parent-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }
}
