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

  /** in.Process watching `java` (this benchmark's own JVM among them): a scan of every process of /proc. */
  private final ProcessWatch process = new ProcessWatch(new ProcessPlugin.Options(Pattern.compile("java"), null,
      java.time.Duration.ofSeconds(10), "process", true, "host", null));

  @org.openjdk.jmh.annotations.Setup
  public void setup() throws Exception {
    process.start(new Quiet());
  }

  @Benchmark
  public Object processScan() {
    return process.read();
  }

  /** What ProcessWatch needs of its context here: metrics that count nothing. */
  static final class Quiet implements io.swak.api.StepContext, io.swak.api.StepMetrics {
    @Override public String taskName() { return "bench"; }
    @Override public String stepName() { return "in.Process"; }
    @Override public java.nio.file.Path dataDir() { return java.nio.file.Path.of("."); }
    @Override public java.time.Clock clock() { return java.time.Clock.systemUTC(); }
    @Override public boolean stopping() { return false; }
    @Override public boolean sleep(java.time.Duration d) { return true; }
    @Override public io.swak.api.StepMetrics metrics() { return this; }
    @Override public void eventsIn(long n) { }
    @Override public void eventsOut(long n) { }
    @Override public void bytesOut(long n) { }
    @Override public void dropped(long n) { }
    @Override public void errors(long n) { }
    @Override public void retries(long n) { }
    @Override public void count(String name, long n) { }
  }

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
