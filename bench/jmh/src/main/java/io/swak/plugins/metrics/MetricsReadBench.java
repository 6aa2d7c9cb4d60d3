package io.swak.plugins.metrics;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one reading of each in.HostMetrics collector costs on this machine's real /proc (µs per reading): the price
 * of a short interval. In the package of the plugin because the collectors are not public.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetricsReadBench {

  private final ProcFiles proc = new ProcFiles(null);
  private final CpuCollector cpu = new CpuCollector(proc, true);
  private final MemoryCollector memory = new MemoryCollector(proc);
  private final LoadCollector load = new LoadCollector(proc);
  private final DiskCollector disk = new DiskCollector(proc, Pattern.compile("(?!loop)(?!ram).*"));
  private final NetworkCollector network = new NetworkCollector(proc, Pattern.compile(".*"));
  private final FilesystemCollector filesystem = new FilesystemCollector(proc, FilesystemCollector.PSEUDO);

  @Benchmark
  public Map<String, Object> cpu() throws IOException {
    return cpu.read();
  }

  @Benchmark
  public Map<String, Object> memory() throws IOException {
    return memory.read();
  }

  @Benchmark
  public Map<String, Object> load() throws IOException {
    return load.read();
  }

  @Benchmark
  public Map<String, Object> disk() throws IOException {
    return disk.read();
  }

  @Benchmark
  public Map<String, Object> network() throws IOException {
    return network.read();
  }

  @Benchmark
  public Map<String, Object> filesystem() throws IOException {
    return filesystem.read();
  }
}
