package io.swak.plugins.metrics;

import io.swak.api.StepMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * network: traffic per interface over the last interval, from the differences of /proc/net/dev (bytes, packets,
 * errors and drops received and sent).
 */
final class NetworkCollector implements Collector {

  private static final String[] FIELDS = {
      "rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "tx_bytes", "tx_packets", "tx_errors", "tx_dropped"};
  /** Columns of /proc/net/dev after the interface name for each of FIELDS. */
  private static final int[] COLUMNS = {0, 1, 2, 3, 8, 9, 10, 11};

  private final ProcFiles proc;
  private final Pattern interfaces;
  private final Deltas deltas = new Deltas();
  private volatile long rxTotal;
  private volatile long txTotal;

  NetworkCollector(ProcFiles proc, Pattern interfaces) {
    this.proc = proc;
    this.interfaces = interfaces;
  }

  @Override
  public String name() {
    return "network";
  }

  @Override
  public Map<String, Object> read() throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    long rx = 0;
    long tx = 0;
    deltas.begin();
    for (String line : proc.lines("net/dev")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue; // the two header lines
      }
      String name = line.substring(0, colon).trim();
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (f.length < 16) {
        throw new ProcFiles.BadProcText("net/dev", "interface " + name + " has " + f.length + " counters, not 16");
      }
      if (!interfaces.matcher(name).matches()) {
        continue;
      }
      long[] now = new long[FIELDS.length];
      for (int i = 0; i < now.length; i++) {
        now[i] = ProcFiles.number(f[COLUMNS[i]], "net/dev");
      }
      rx += now[0];
      tx += now[4];
      long[] d = deltas.diff(name, now);
      if (d == null) {
        continue;
      }
      Map<String, Object> itf = new LinkedHashMap<>();
      itf.put("interface", name);
      for (int i = 0; i < FIELDS.length; i++) {
        itf.put(FIELDS[i], d[i]);
      }
      out.add(itf);
    }
    rxTotal = rx;
    txTotal = tx;
    if (deltas.end()) {
      return null;
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("interfaces", out);
    return r;
  }

  @Override
  public void gauges(StepMetrics metrics) {
    // the kernel's counters since boot, summed over the interfaces selected
    metrics.gauge("host_network_received_bytes", () -> rxTotal);
    metrics.gauge("host_network_sent_bytes", () -> txTotal);
  }
}
