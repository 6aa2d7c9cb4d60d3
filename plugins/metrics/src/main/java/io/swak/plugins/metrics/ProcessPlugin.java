package io.swak.plugins.metrics;

import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/** {@code in.Process}: watches processes chosen by name or pid file; an event per process per interval. */
public final class ProcessPlugin extends Plugin<ProcessPlugin.Options> {

  /** Options of in.Process. */
  public record Options(
      @Option("Regex found in the process's name (its comm, as ps shows it) or in its command line (arguments "
          + "joined by spaces), e.g. `nginx` or `java .*kafka\\.Kafka`.") Pattern name,
      @Option("File holding the pid of the process to watch (as daemons write one); read again at each interval.")
      Path pidFile,
      @Option(value = "Time between two readings; cpu_ratio is the CPU used in it.", defaultValue = "10s")
      Duration interval,
      @Option(value = "Tag of the events.", defaultValue = "process") String tag,
      @Option(value = "Also put the command line into each event (`cmdline`).", defaultValue = "true")
      boolean cmdline,
      @Option(value = "Key of this machine's host name in every event (empty: none).", defaultValue = "host")
      String hostKey,
      @Option("Where the proc file system is (default /proc).") Path procRoot) {

    public Options {
      if (name == null && pidFile == null) {
        throw new IllegalArgumentException("in.Process needs `name` (a regex of process names) or `pid_file`");
      }
      if (interval.toMillis() < 10) {
        throw new IllegalArgumentException("option `interval` must be at least 10ms, got " + interval);
      }
    }
  }

  public ProcessPlugin() {
    super("in.Process", "Watches processes matched by a name regex or a pid file: CPU, memory, threads, open "
        + "files and state of each, an event per process per interval; an `alive: false` event (and the `absent` "
        + "counter) when none is running.", Options.class, ProcessWatch::new, "in.Proc");
  }

  @Override
  public String validate(Options o) {
    return ProcFiles.unavailable(name(), o.procRoot(), "stat");
  }
}
