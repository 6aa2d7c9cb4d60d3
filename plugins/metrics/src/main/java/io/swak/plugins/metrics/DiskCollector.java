package io.swak.plugins.metrics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * disk: I/O per block device over the last interval, from the differences of /proc/diskstats (reads and writes
 * completed, sectors of 512 bytes read and written, milliseconds spent doing I/O). Partitions are listed beside
 * their disk, as the kernel does.
 */
final class DiskCollector implements Collector {

  private final ProcFiles proc;
  private final Pattern devices;
  private final Deltas deltas = new Deltas();

  DiskCollector(ProcFiles proc, Pattern devices) {
    this.proc = proc;
    this.devices = devices;
  }

  @Override
  public String name() {
    return "disk";
  }

  @Override
  public Map<String, Object> read() throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    deltas.begin();
    for (String line : proc.lines("diskstats")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 14) {
        if (!line.isBlank()) {
          throw new ProcFiles.BadProcText("diskstats", "a line with " + f.length + " fields: " + ProcFiles.shorten(line));
        }
        continue;
      }
      String name = f[2];
      if (!devices.matcher(name).matches()) {
        continue;
      }
      long[] now = {
          ProcFiles.number(f[3], "diskstats"), ProcFiles.number(f[7], "diskstats"),
          ProcFiles.number(f[5], "diskstats"), ProcFiles.number(f[9], "diskstats"),
          ProcFiles.number(f[12], "diskstats")};
      long[] d = deltas.diff(name, now);
      if (d == null) {
        continue;
      }
      Map<String, Object> dev = new LinkedHashMap<>();
      dev.put("device", name);
      dev.put("reads", d[0]);
      dev.put("writes", d[1]);
      dev.put("read_bytes", d[2] * 512);
      dev.put("written_bytes", d[3] * 512);
      dev.put("io_time_ms", d[4]);
      dev.put("in_progress", ProcFiles.number(f[11], "diskstats"));
      out.add(dev);
    }
    if (deltas.end()) {
      return null;
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("devices", out);
    return r;
  }
}
