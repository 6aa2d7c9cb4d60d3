package io.swak.plugins.metrics;

import io.swak.api.StepMetrics;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** load: /proc/loadavg, the 1, 5 and 15 minute load averages and the scheduler's runnable/total tasks. */
final class LoadCollector implements Collector {

  private final ProcFiles proc;
  private volatile long load1Milli;

  LoadCollector(ProcFiles proc) {
    this.proc = proc;
  }

  @Override
  public String name() {
    return "load";
  }

  @Override
  public Map<String, Object> read() throws IOException {
    String text = proc.text("loadavg").trim();
    String[] f = text.split("\\s+");
    if (f.length < 4 || f[3].indexOf('/') < 0) {
      throw new ProcFiles.BadProcText("loadavg", "expected `1m 5m 15m running/total last-pid`, got '"
          + ProcFiles.shorten(text) + "'");
    }
    Map<String, Object> r = new LinkedHashMap<>();
    try {
      r.put("load1", Double.parseDouble(f[0]));
      r.put("load5", Double.parseDouble(f[1]));
      r.put("load15", Double.parseDouble(f[2]));
    } catch (NumberFormatException e) {
      throw new ProcFiles.BadProcText("loadavg", "'" + ProcFiles.shorten(text) + "' has a load that is not a number");
    }
    String[] tasks = f[3].split("/");
    r.put("tasks_running", ProcFiles.number(tasks[0], "loadavg"));
    r.put("tasks_total", ProcFiles.number(tasks.length > 1 ? tasks[1] : "", "loadavg"));
    load1Milli = Math.round((double) r.get("load1") * 1000);
    return r;
  }

  @Override
  public void gauges(StepMetrics metrics) {
    metrics.gauge("host_load1_milli", () -> load1Milli);
  }
}
