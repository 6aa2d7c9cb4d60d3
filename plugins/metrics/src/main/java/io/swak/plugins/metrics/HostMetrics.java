package io.swak.plugins.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the chosen collectors at each interval; one event per collector, tagged {@code <tag>.<collector>}. */
final class HostMetrics extends PeriodicInput {

  private final HostMetricsPlugin.Options o;
  private final List<Collector> collectors = new ArrayList<>();
  private final ProcFiles proc;

  HostMetrics(HostMetricsPlugin.Options o) {
    super(o.interval(), o.hostKey());
    this.o = o;
    this.proc = new ProcFiles(o.procRoot());
    for (HostMetricsPlugin.Collector c : o.collectors()) {
      collectors.add(switch (c) {
        case CPU -> new CpuCollector(proc, o.perCpu());
        case MEMORY -> new MemoryCollector(proc);
        case LOAD -> new LoadCollector(proc);
        case DISK -> new DiskCollector(proc, o.devices());
        case NETWORK -> new NetworkCollector(proc, o.interfaces());
        case FILESYSTEM -> new FilesystemCollector(proc, o.fsTypesExclude());
      });
    }
  }

  @Override
  void prepare() {
    ProcFiles.require("in.HostMetrics", o.procRoot(), "stat");
    for (Collector c : collectors) {
      c.gauges(context.metrics());
    }
    read(); // the first sample of the collectors that report differences; the others' events are not sent
  }

  @Override
  List<Reading> read() {
    List<Reading> out = new ArrayList<>();
    for (Collector c : collectors) {
      try {
        Map<String, Object> r = c.read();
        fine(c.name());
        if (r != null) {
          out.add(new Reading(o.tag() + "." + c.name(), r));
        }
      } catch (Exception e) {
        problem(c.name(), "collector_errors." + c.name(), e);
      }
    }
    return out;
  }
}
