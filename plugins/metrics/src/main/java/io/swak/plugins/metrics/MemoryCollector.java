package io.swak.plugins.metrics;

import io.swak.api.StepMetrics;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** memory: /proc/meminfo in bytes; {@code used_bytes} is total minus available (what free(1) shows as used). */
final class MemoryCollector implements Collector {

  private final ProcFiles proc;
  private volatile long used;
  private volatile long available;
  private volatile long total;

  MemoryCollector(ProcFiles proc) {
    this.proc = proc;
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Map<String, Object> read() throws IOException {
    Map<String, Long> kb = new HashMap<>();
    for (String line : proc.lines("meminfo")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String[] v = line.substring(colon + 1).trim().split("\\s+");
      kb.put(line.substring(0, colon), ProcFiles.number(v[0], "meminfo"));
    }
    Long memTotal = kb.get("MemTotal");
    if (memTotal == null) {
      throw new ProcFiles.BadProcText("meminfo", "no MemTotal line");
    }
    long t = memTotal * 1024;
    long free = kb.getOrDefault("MemFree", 0L) * 1024;
    // MemAvailable since Linux 3.14; before, free + buffers + cache is what could be had
    long avail = kb.containsKey("MemAvailable") ? kb.get("MemAvailable") * 1024
        : free + (kb.getOrDefault("Buffers", 0L) + kb.getOrDefault("Cached", 0L)) * 1024;
    long swapTotal = kb.getOrDefault("SwapTotal", 0L) * 1024;
    long swapFree = kb.getOrDefault("SwapFree", 0L) * 1024;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("total_bytes", t);
    r.put("used_bytes", t - avail);
    r.put("available_bytes", avail);
    r.put("free_bytes", free);
    r.put("buffers_bytes", kb.getOrDefault("Buffers", 0L) * 1024);
    r.put("cached_bytes", kb.getOrDefault("Cached", 0L) * 1024);
    r.put("used_ratio", Collector.ratio(t - avail, t));
    r.put("swap_total_bytes", swapTotal);
    r.put("swap_used_bytes", swapTotal - swapFree);
    r.put("swap_free_bytes", swapFree);
    total = t;
    used = t - avail;
    available = avail;
    return r;
  }

  @Override
  public void gauges(StepMetrics metrics) {
    metrics.gauge("host_memory_total_bytes", () -> total);
    metrics.gauge("host_memory_used_bytes", () -> used);
    metrics.gauge("host_memory_available_bytes", () -> available);
  }
}
