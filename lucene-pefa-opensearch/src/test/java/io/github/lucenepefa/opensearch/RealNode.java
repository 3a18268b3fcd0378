package io.github.lucenepefa.opensearch;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.RestClient;
import org.opensearch.common.xcontent.XContentHelper;
import org.opensearch.common.xcontent.json.JsonXContent;

/**
 * An OpenSearch 3.9.0 node of its own process, as a user runs one: the server's jars from Maven
 * Central in {@code lib/}, the netty4 transport in {@code modules/transport-netty4/} (assembled by
 * the build in {@code target/real-node}), the built plugin zip unpacked into {@code
 * plugins/lucene-pefa/} as {@code bin/opensearch-plugin install} lays it out, started with {@code
 * org.opensearch.bootstrap.OpenSearch} on free loopback ports. Data and logs stay across {@link
 * #stop()} and {@link #start()}.
 *
 * <p>The node runs as the user the tests run as, which is never root (the tests' JVM runs through
 * {@code src/test/bin/java-unprivileged}).
 */
final class RealNode implements Closeable {

  static final String VERSION = "3.9.0";

  private final Path home;
  private final int httpPort;
  private final int transportPort;
  private Process process;
  private RestClient client;

  /**
   * Lays out the node's home (a fresh one: plugins, config, data and logs are written again).
   *
   * @param home the folder the build assembled ({@code lib/}, {@code modules/transport-netty4/})
   * @param pluginZip the plugin zip to install
   */
  RealNode(Path home, Path pluginZip) throws IOException {
    this.home = home.toAbsolutePath();
    if (Files.isDirectory(home.resolve("lib")) == false) {
      throw new IllegalStateException(home + "/lib is missing: the build's pre-integration-test phase assembles it");
    }
    for (String dir : new String[] {"plugins", "config", "data", "logs", "tmp"}) {
      deleteTree(home.resolve(dir));
      Files.createDirectories(home.resolve(dir));
    }
    Files.writeString(
        home.resolve("modules/transport-netty4/plugin-descriptor.properties"),
        "name=transport-netty4\n"
            + "description=Netty 4 based transport implementation\n"
            + "version=" + VERSION + "\n"
            + "classname=org.opensearch.transport.Netty4ModulePlugin\n"
            + "java.version=21\n"
            + "opensearch.version=" + VERSION + "\n");
    unzip(pluginZip, home.resolve("plugins/lucene-pefa"));
    httpPort = freePort();
    transportPort = freePort();
    Files.writeString(
        home.resolve("config/opensearch.yml"),
        "cluster.name: pefa-real-node\n"
            + "node.name: node-1\n"
            + "network.host: 127.0.0.1\n"
            + "http.port: " + httpPort + "\n"
            + "transport.port: " + transportPort + "\n"
            + "discovery.type: single-node\n"
            + "path.data: " + home.resolve("data") + "\n"
            + "path.logs: " + home.resolve("logs") + "\n"
            + "cluster.routing.allocation.disk.threshold_enabled: false\n");
    Files.writeString(
        home.resolve("config/log4j2.properties"),
        "status = error\n"
            + "appender.file.type = File\n"
            + "appender.file.name = file\n"
            + "appender.file.fileName = ${sys:opensearch.logs.base_path}${sys:file.separator}"
            + "${sys:opensearch.logs.cluster_name}.log\n"
            + "appender.file.layout.type = PatternLayout\n"
            + "appender.file.layout.pattern = [%d{ISO8601}][%-5p][%c] [%node_name]%marker %m%n\n"
            + "rootLogger.level = info\n"
            + "rootLogger.appenderRef.file.ref = file\n");
  }

  /** Starts the node and waits until it answers with a yellow or green cluster. */
  void start() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(
        List.of(
            "-Xms1g",
            "-Xmx1g",
            "-XX:+UseG1GC",
            "-Dfile.encoding=UTF-8",
            "-Djava.locale.providers=SPI,CLDR",
            "-Djava.io.tmpdir=" + home.resolve("tmp"),
            "-Dlog4j2.disable.jmx=true",
            "-Dlog4j.shutdownHookEnabled=false",
            "-Dio.netty.allocator.numDirectArenas=0",
            "-Dio.netty.noUnsafe=true",
            "-Dio.netty.noKeySetOptimization=true",
            "-Dio.netty.recycler.maxCapacityPerThread=0",
            "--add-modules",
            "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED",
            "-Dopensearch.path.home=" + home,
            "-Dopensearch.path.conf=" + home.resolve("config"),
            "-Dopensearch.distribution.type=tar",
            "-Dopensearch.bundled_jdk=false",
            "-cp",
            home.resolve("lib") + "/*",
            "org.opensearch.bootstrap.OpenSearch"));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("logs/console.log").toFile()));
    process = pb.start();
    client = RestClient.builder(new HttpHost("http", "127.0.0.1", httpPort)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (true) {
      if (process.isAlive() == false) {
        throw new IllegalStateException(
            "the node exited with " + process.exitValue() + ":\n" + tail(home.resolve("logs/console.log")));
      }
      try {
        Response r = client.performRequest(new Request("GET", "/_cluster/health?wait_for_status=yellow&timeout=5s"));
        if (r.getStatusLine().getStatusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet, or not yellow yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the node did not start:\n" + tail(home.resolve("logs/console.log")));
      }
      Thread.sleep(500);
    }
  }

  /** Stops the node as its service manager would (SIGTERM) and waits for it to exit. */
  void stop() throws Exception {
    if (client != null) {
      client.close();
      client = null;
    }
    if (process != null) {
      process.destroy();
      if (process.waitFor(120, TimeUnit.SECONDS) == false) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException("the node did not stop within 120 s");
      }
      process = null;
    }
  }

  /** The REST client of the running node. */
  RestClient client() {
    return client;
  }

  /** The node's process id, or -1 when it is stopped. */
  long pid() {
    return process == null ? -1 : process.pid();
  }

  /** The node's log file (OpenSearch's own, {@code logs/<cluster name>.log}). */
  Path logFile() {
    return home.resolve("logs/pefa-real-node.log");
  }

  /** The lines of the node's log at WARN or ERROR. */
  List<String> warnings() throws IOException {
    List<String> out = new ArrayList<>();
    if (Files.exists(logFile())) {
      for (String line : Files.readAllLines(logFile(), StandardCharsets.UTF_8)) {
        if (line.matches("^\\[[^]]*\\]\\[(WARN |ERROR|FATAL)\\].*")) {
          out.add(line);
        }
      }
    }
    return out;
  }

  /** Runs a request and returns its JSON body as a map; a status other than 2xx throws. */
  Map<String, Object> call(String method, String path, String json) throws IOException {
    Request request = new Request(method, path);
    if (json != null) {
      request.setJsonEntity(json);
    }
    Response response = client.performRequest(request);
    try (InputStream in = response.getEntity().getContent()) {
      return XContentHelper.convertToMap(JsonXContent.jsonXContent, in, false);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      stop();
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no " + file + ": " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static void unzip(Path zip, Path target) throws IOException {
    Files.createDirectories(target);
    try (InputStream in = Files.newInputStream(zip);
        ZipInputStream zin = new ZipInputStream(in)) {
      ZipEntry entry;
      while ((entry = zin.getNextEntry()) != null) {
        Path out = target.resolve(entry.getName()).normalize();
        if (out.startsWith(target) == false) {
          throw new IOException("zip entry outside the plugin folder: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(zin, out);
        }
      }
    }
  }
}
