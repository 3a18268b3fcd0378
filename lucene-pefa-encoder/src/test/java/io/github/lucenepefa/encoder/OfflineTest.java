package io.github.lucenepefa.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Proves that the encoder itself (not the build's surefire settings) switches DJL offline: a child JVM
 * without any DJL variable runs {@link OfflineProbe}, which blocks and records every HTTP(S) attempt.
 */
class OfflineTest {

  @Test
  void encoderSwitchesDjlOfflineWithoutAnyEnvironmentHelp() throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx1g"));
    String tmp = System.getProperty("encoder.test.tmpdir", System.getProperty("java.io.tmpdir"));
    cmd.add("-Djava.io.tmpdir=" + tmp);
    String cache = System.getProperty("DJL_CACHE_DIR");
    if (cache != null) {
      cmd.add("-DDJL_CACHE_DIR=" + cache);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), OfflineProbe.class.getName()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.remove("DJL_OFFLINE");
    env.remove("OPT_OUT_TRACKING");
    env.remove("DJL_CACHE_DIR");
    env.remove("ENGINE_CACHE_DIR");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe timed out");
    System.out.println("offline probe: " + out.lines().filter(l -> l.contains("offline=") || l.contains("OK")).toList());
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("OFFLINE-OK"), out);
  }
}
