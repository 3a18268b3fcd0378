package io.github.lucenepefa.encoder;

/**
 * Switches DJL into offline mode and opts out of its usage reporting ("call home", which contacts an
 * EC2 metadata address and a telemetry bucket). DJL reads these settings each time it would report
 * ({@code ai.djl.util.Ec2Utils.callHome} checks {@code Utils.isOfflineMode()} and {@code
 * OPT_OUT_TRACKING}), so setting the system properties before the first tokenizer is created is enough.
 *
 * <p>Environment variables take precedence over these properties in DJL; only an explicit {@code
 * DJL_OFFLINE=false} <em>and</em> {@code OPT_OUT_TRACKING=false} in the environment could re-enable
 * reporting, which {@link #apply()} refuses.
 */
final class DjlOffline {

  static final String OPT_OUT_TRACKING = "OPT_OUT_TRACKING";
  static final String OFFLINE_PROPERTY = "ai.djl.offline";

  private DjlOffline() {}

  static void apply() {
    System.setProperty(OPT_OUT_TRACKING, "true");
    System.setProperty(OFFLINE_PROPERTY, "true");
    if ("false".equalsIgnoreCase(System.getenv("DJL_OFFLINE"))
        && "false".equalsIgnoreCase(System.getenv(OPT_OUT_TRACKING))) {
      throw new IllegalStateException(
          "environment sets DJL_OFFLINE=false and OPT_OUT_TRACKING=false; lucene-pefa-encoder must run"
              + " without network access: unset them");
    }
  }
}
