package io.swak.plugins.metrics;

import io.swak.api.StepMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * cpu: time shares over the last interval, from the differences of /proc/stat's {@code cpu} lines (clock ticks spent
 * in user, nice, system, idle, iowait, irq, softirq, steal), in total and per core.
 */
final class CpuCollector implements Collector {

  private final ProcFiles proc;
  private final boolean perCpu;
  private Map<String, long[]> last = new HashMap<>();
  private volatile long busyPermille;

  CpuCollector(ProcFiles proc, boolean perCpu) {
    this.proc = proc;
    this.perCpu = perCpu;
  }

  @Override
  public String name() {
    return "cpu";
  }

  /** The ticks of every {@code cpu} line of /proc/stat, by its name ({@code cpu}, {@code cpu0} …). */
  static Map<String, long[]> sample(ProcFiles proc) throws IOException {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (String line : proc.lines("stat")) {
      if (!line.startsWith("cpu")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      if (f.length < 5) {
        throw new ProcFiles.BadProcText("stat", "a cpu line with " + (f.length - 1) + " fields: " + ProcFiles.shorten(line));
      }
      long[] ticks = new long[8]; // user nice system idle iowait irq softirq steal; guest is already in user
      for (int i = 0; i < ticks.length && i + 1 < f.length; i++) {
        ticks[i] = ProcFiles.number(f[i + 1], "stat");
      }
      out.put(f[0], ticks);
    }
    if (!out.containsKey("cpu")) {
      throw new ProcFiles.BadProcText("stat", "no `cpu` line");
    }
    return out;
  }

  @Override
  public Map<String, Object> read() throws IOException {
    Map<String, long[]> now = sample(proc);
    Map<String, long[]> before = last;
    last = now;
    if (before.isEmpty()) {
      return null;
    }
    Map<String, Object> r = shares(now.get("cpu"), before.get("cpu"));
    if (r == null) {
      return null;
    }
    busyPermille = Math.round((double) r.get("cpu_ratio") * 1000);
    r.put("cores", now.size() - 1);
    if (perCpu) {
      List<Map<String, Object>> cores = new ArrayList<>();
      for (Map.Entry<String, long[]> e : now.entrySet()) {
        long[] b = before.get(e.getKey());
        if (e.getKey().equals("cpu") || b == null) {
          continue; // a core that came online since the last reading has no difference yet
        }
        Map<String, Object> c = shares(e.getValue(), b);
        if (c != null) {
          Map<String, Object> core = new LinkedHashMap<>();
          core.put("cpu", e.getKey().substring(3));
          core.putAll(c);
          cores.add(core);
        }
      }
      r.put("per_cpu", cores);
    }
    return r;
  }

  /** Shares of the ticks spent between two samples; null when no tick passed (or the counters went back). */
  private static Map<String, Object> shares(long[] now, long[] before) {
    long[] d = new long[now.length];
    long total = 0;
    for (int i = 0; i < d.length; i++) {
      d[i] = now[i] - before[i];
      if (d[i] < 0) {
        return null;
      }
      total += d[i];
    }
    if (total == 0) {
      return null;
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("cpu_ratio", Collector.ratio(total - d[3] - d[4], total));
    r.put("user_ratio", Collector.ratio(d[0] + d[1], total));
    r.put("system_ratio", Collector.ratio(d[2] + d[5] + d[6], total));
    r.put("iowait_ratio", Collector.ratio(d[4], total));
    r.put("steal_ratio", Collector.ratio(d[7], total));
    r.put("idle_ratio", Collector.ratio(d[3], total));
    return r;
  }

  @Override
  public void gauges(StepMetrics metrics) {
    metrics.gauge("host_cpu_used_permille", () -> busyPermille);
  }
}
