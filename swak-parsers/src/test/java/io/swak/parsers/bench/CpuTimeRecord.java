package io.swak.parsers.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Lines per CPU-second of the benchmark thread, per measured iteration: on a shared machine (two cores,
 * other builds running) JMH's wall-clock ops/s says how much CPU the thread got as much as how fast the
 * parser is. Each iteration appends "benchmark rate" to {@link #FILE}; {@link ParseBenchMain} reads it.
 */
final class CpuTimeRecord {

  static final Path FILE = Path.of(System.getProperty("java.io.tmpdir"), "swak-parse-bench-cpu.txt");
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private long cpuStart;
  private int callsStart;

  void start(int calls) {
    callsStart = calls;
    cpuStart = THREADS.getCurrentThreadCpuTime();
  }

  /** Called after measured iterations only. */
  void stop(int calls, String benchmark) {
    long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
    double rate = (calls - callsStart) * 1e9 / cpu;
    String line = benchmark.substring(benchmark.lastIndexOf('.') + 1) + " " + rate + "\n";
    try {
      Files.writeString(FILE, line, StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
