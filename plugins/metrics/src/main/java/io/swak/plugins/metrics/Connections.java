package io.swak.plugins.metrics;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * in.Connections: reads the kernel's TCP socket tables (/proc/net/tcp, /proc/net/tcp6: one line per socket with the
 * local and remote address:port in hex and the state) and counts the sockets by state: in all, and for each port
 * asked for. Every state is in every event, zero or not, so a dashboard's series do not come and go.
 */
final class Connections extends PeriodicInput {

  /** The kernel's TCP states (include/net/tcp_states.h), numbered from 1. */
  static final String[] STATES = {"established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2", "time_wait",
      "close", "close_wait", "last_ack", "listen", "closing", "new_syn_recv"};

  private final ConnectionsPlugin.Options o;
  private final ProcFiles proc;
  /** Gauge values of the last reading, by name. */
  private final Map<String, Long> last = new ConcurrentHashMap<>();

  Connections(ConnectionsPlugin.Options o) {
    super(o.interval(), o.hostKey());
    this.o = o;
    this.proc = new ProcFiles(o.procRoot());
  }

  @Override
  void prepare() {
    ProcFiles.require("in.Connections", o.procRoot(), "net/tcp");
    gauge("connections_total");
    gauge("connections_established");
    for (int p : o.ports()) {
      gauge("connections_port_" + p + "_total");
      gauge("connections_port_" + p + "_established");
    }
    for (int p : o.remotePorts()) {
      gauge("connections_remote_port_" + p + "_total");
      gauge("connections_remote_port_" + p + "_established");
    }
  }

  private void gauge(String name) {
    context.metrics().gauge(name, () -> last.getOrDefault(name, 0L));
  }

  @Override
  List<Reading> read() {
    long[] all = new long[STATES.length];
    Map<Integer, long[]> local = new LinkedHashMap<>();
    Map<Integer, long[]> remote = new LinkedHashMap<>();
    o.ports().forEach(p -> local.put(p, new long[STATES.length]));
    o.remotePorts().forEach(p -> remote.put(p, new long[STATES.length]));
    boolean any = false;
    for (String table : new String[] {"net/tcp", "net/tcp6"}) {
      try {
        count(table, all, local, remote);
        fine(table);
        any = true;
      } catch (NoSuchFileException e) {
        fine(table); // no IPv6 in this kernel
      } catch (IOException | RuntimeException e) {
        problem(table, "read_errors", e);
      }
    }
    List<Reading> out = new ArrayList<>();
    if (!any) {
      return out;
    }
    out.add(new Reading(o.tag(), event(null, null, all)));
    note("connections", all);
    local.forEach((p, c) -> {
      out.add(new Reading(o.tag(), event("local", p, c)));
      note("connections_port_" + p, c);
    });
    remote.forEach((p, c) -> {
      out.add(new Reading(o.tag(), event("remote", p, c)));
      note("connections_remote_port_" + p, c);
    });
    return out;
  }

  private void count(String table, long[] all, Map<Integer, long[]> local, Map<Integer, long[]> remote)
      throws IOException {
    List<String> lines = proc.lines(table);
    for (int i = 1; i < lines.size(); i++) { // the first line names the columns
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\\s+");
      if (f.length < 4) {
        context.metrics().count("bad_lines", 1);
        continue;
      }
      int lp = port(f[1]);
      int rp = port(f[2]);
      int st;
      try {
        st = Integer.parseInt(f[3], 16) - 1;
      } catch (NumberFormatException e) {
        st = -1;
      }
      if (lp < 0 || rp < 0 || st < 0 || st >= STATES.length) {
        context.metrics().count("bad_lines", 1);
        continue;
      }
      all[st]++;
      long[] l = local.get(lp);
      if (l != null) {
        l[st]++;
      }
      long[] r = remote.get(rp);
      if (r != null && st != 9) { // a listener's remote side is 0: no connection to that port
        r[st]++;
      }
    }
  }

  /** The port of an {@code ADDRESS:PORT} in hex; -1 when it is not one. */
  static int port(String addr) {
    int colon = addr.lastIndexOf(':');
    if (colon < 0 || colon == addr.length() - 1 || addr.length() - colon > 5) {
      return -1;
    }
    try {
      return Integer.parseInt(addr.substring(colon + 1), 16);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Map<String, Object> event(String side, Integer port, long[] counts) {
    Map<String, Object> r = new LinkedHashMap<>();
    if (port != null) {
      r.put("side", side);
      r.put("port", port);
    }
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    r.put("total", total);
    for (int i = 0; i < STATES.length; i++) {
      r.put(STATES[i], counts[i]);
    }
    return r;
  }

  private void note(String prefix, long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    last.put(prefix + "_total", total);
    last.put(prefix + "_established", counts[0]);
  }
}
