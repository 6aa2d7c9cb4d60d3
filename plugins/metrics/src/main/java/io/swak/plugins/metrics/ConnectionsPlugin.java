package io.swak.plugins.metrics;

import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@code in.Connections}: TCP connections by state, in all and per port, from /proc/net/tcp and tcp6. */
public final class ConnectionsPlugin extends Plugin<ConnectionsPlugin.Options> {

  /** Options of in.Connections. */
  public record Options(
      @Option("Local ports to count on their own (a server's port: its listener and the connections it "
          + "accepted), an event each.") List<Integer> ports,
      @Option("Remote ports to count on their own (connections this host opened to a service, e.g. 3306), an "
          + "event each.") List<Integer> remotePorts,
      @Option(value = "Time between two readings.", defaultValue = "10s") Duration interval,
      @Option(value = "Tag of the events.", defaultValue = "connections") String tag,
      @Option(value = "Key of this machine's host name in every event (empty: none).", defaultValue = "host")
      String hostKey,
      @Option("Where the proc file system is (default /proc).") Path procRoot) {

    public Options {
      ports = ports == null ? List.of() : List.copyOf(ports);
      remotePorts = remotePorts == null ? List.of() : List.copyOf(remotePorts);
      for (int p : ports) {
        check("ports", p);
      }
      for (int p : remotePorts) {
        check("remote_ports", p);
      }
      if (interval.toMillis() < 10) {
        throw new IllegalArgumentException("option `interval` must be at least 10ms, got " + interval);
      }
    }

    private static void check(String option, int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("option `" + option + "`: " + port + " is not a TCP port (1-65535)");
      }
    }
  }

  public ConnectionsPlugin() {
    super("in.Connections", "Counts TCP connections (IPv4 and IPv6) by state at an interval: one event for all, "
        + "one per port asked for; the counts also as gauges in /metrics.", Options.class, Connections::new,
        "in.Netstat");
  }

  @Override
  public String validate(Options o) {
    return ProcFiles.unavailable(name(), o.procRoot(), "net/tcp");
  }
}
