package io.github.lucenepefa.encoder;

import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Child-JVM program of {@link OfflineTest}: started without any DJL environment variable or system
 * property, it installs a {@link ProxySelector} that records and <em>blocks</em> every HTTP(S) URL the
 * JVM tries to open (so nothing can leave the machine), uses the encoder, then calls DJL's reporting
 * entry point directly. Exit code 0 and "OFFLINE-OK" when nothing was attempted.
 */
public final class OfflineProbe {
  private OfflineProbe() {}

  /**
   * Runs the probe.
   *
   * @param args unused
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    List<URI> attempts = new CopyOnWriteArrayList<>();
    ProxySelector.setDefault(new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        attempts.add(uri);
        throw new IllegalStateException("network access attempted: " + uri);
      }

      @Override
      public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
    });
    String before = System.getProperty("OPT_OUT_TRACKING") + "/" + System.getProperty("ai.djl.offline");
    try (TextEncoder enc = TextEncoder.open(EncoderConfig.defaults().toBuilder().maxLength(64).threads(1).build())) {
      enc.encodeQueries(List.of("is anybody out there?"));
    }
    // DJL's own usage reporting entry point (normally called from HuggingFaceTokenizer.newInstance).
    ai.djl.util.Ec2Utils.callHome("lucene-pefa-encoder-offline-probe");
    Thread.sleep(500);
    boolean offline = ai.djl.util.Utils.isOfflineMode();
    String optOut = System.getProperty("OPT_OUT_TRACKING");
    System.out.println("properties before=" + before + " offline=" + offline + " OPT_OUT_TRACKING=" + optOut
        + " attempts=" + attempts);
    if (offline && "true".equals(optOut) && attempts.isEmpty() && before.equals("null/null")) {
      System.out.println("OFFLINE-OK");
      System.exit(0);
    }
    System.exit(1);
  }
}
