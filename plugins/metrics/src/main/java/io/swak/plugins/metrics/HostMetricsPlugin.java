package io.swak.plugins.metrics;

import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** {@code in.HostMetrics}: the machine's cpu, memory, load, disk I/O, network and file systems at an interval. */
public final class HostMetricsPlugin extends Plugin<HostMetricsPlugin.Options> {

  /** What in.HostMetrics reads. */
  public enum Collector { CPU, MEMORY, LOAD, DISK, NETWORK, FILESYSTEM }

  /** Options of in.HostMetrics. */
  public record Options(
      @Option(value = "Time between two readings; cpu, disk and network report what happened in it.",
          defaultValue = "10s") Duration interval,
      @Option("What to read, one event each per reading: cpu, memory, load, disk, network, filesystem. Default: all.")
      List<Collector> collectors,
      @Option(value = "Tag prefix: events are tagged <tag>.<collector> (host.cpu, host.memory …).",
          defaultValue = "host") String tag,
      @Option(value = "cpu: also list each core under per_cpu.", defaultValue = "true") boolean perCpu,
      @Option(value = "disk: regex of the block devices to report (whole name).",
          defaultValue = "(?!loop)(?!ram).*") Pattern devices,
      @Option(value = "network: regex of the interfaces to report (whole name).", defaultValue = ".*")
      Pattern interfaces,
      @Option("filesystem: file system types left out. Default: the pseudo file systems proc, sysfs, devtmpfs, devpts, "
          + "tmpfs, cgroup, cgroup2, mqueue, debugfs, tracefs, securityfs, pstore, bpf, autofs, hugetlbfs, configfs, "
          + "fusectl, binfmt_misc, nsfs, rpc_pipefs, ramfs, efivarfs, selinuxfs, squashfs, nfsd.")
      List<String> fsTypesExclude,
      @Option(value = "Key of this machine's host name in every event (empty: none).", defaultValue = "host")
      String hostKey,
      @Option("Where the proc file system is (default /proc), e.g. the host's /proc mounted into a container.")
      Path procRoot) {

    public Options {
      if (interval != null && interval.toMillis() < 10) {
        throw new IllegalArgumentException("option `interval` must be at least 10ms, got " + interval);
      }
      // a list left out binds as an empty one
      collectors = collectors == null || collectors.isEmpty() ? List.of(Collector.values())
          : List.copyOf(new java.util.LinkedHashSet<>(collectors));
      fsTypesExclude = fsTypesExclude == null || fsTypesExclude.isEmpty() ? FilesystemCollector.PSEUDO : fsTypesExclude;
    }
  }

  public HostMetricsPlugin() {
    super("in.HostMetrics", "The machine's cpu, memory, load, disk I/O, network and file system usage from Linux's "
        + "/proc, an event per collector at each interval; main figures also as gauges in /metrics.", Options.class,
        HostMetrics::new, "in.Host", "in.HostMetric");
  }

  @Override
  public String validate(Options o) {
    return ProcFiles.unavailable(name(), o.procRoot(), "stat");
  }
}
