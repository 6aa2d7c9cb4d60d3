package io.swak.parsers.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link ParseBench} (all of it, side by side in one run, or the benchmarks matching the first argument)
 * and prints for each: JMH's wall-clock lines/s (median of the measured iterations, mean and its 99.9%
 * error) and lines per CPU-second of the benchmark thread (median, min, max; see {@link CpuTimeRecord}).
 * Build with {@code mvn -pl swak-parsers -DskipTests test-compile}, then from swak-parsers:
 * {@code java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt)
 * io.swak.parsers.bench.ParseBenchMain [regex] [jmh options]}.
 */
public final class ParseBenchMain {

  private ParseBenchMain() {}

  public static void main(String[] args) throws Exception {
    boolean named = args.length > 0 && !args[0].startsWith("-");
    String include = named ? args[0] : ".*";
    CommandLineOptions cli = new CommandLineOptions(named ? Arrays.copyOfRange(args, 1, args.length) : args);
    Files.deleteIfExists(CpuTimeRecord.FILE);
    Collection<RunResult> results = new Runner(new OptionsBuilder().parent(cli)
        .include(ParseBench.class.getName() + "\\." + include).build()).run();
    Map<String, List<Double>> cpu = cpuRates();
    System.out.printf("%n%-20s %13s %13s %12s | %13s %13s %13s%n", "benchmark", "wall median", "wall mean",
        "± error", "cpu median", "cpu min", "cpu max");
    for (RunResult r : results) {
      var s = r.getPrimaryResult().getStatistics();
      String name = r.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.') + 1);
      double[] c = cpu.getOrDefault(name, List.of()).stream().mapToDouble(Double::doubleValue).sorted().toArray();
      System.out.printf("%-20s %,13.0f %,13.0f %,12.0f | %,13.0f %,13.0f %,13.0f%n", name, s.getPercentile(50),
          s.getMean(), r.getPrimaryResult().getScoreError(), median(c), c.length > 0 ? c[0] : Double.NaN,
          c.length > 0 ? c[c.length - 1] : Double.NaN);
    }
    System.out.println("(ops/s = lines/s on one thread; cpu = lines per CPU-second of that thread)");
  }

  private static Map<String, List<Double>> cpuRates() throws IOException {
    Map<String, List<Double>> out = new LinkedHashMap<>();
    if (!Files.exists(CpuTimeRecord.FILE)) {
      return out;
    }
    for (String line : Files.readAllLines(CpuTimeRecord.FILE)) {
      String[] p = line.split(" ");
      out.computeIfAbsent(p[0], k -> new ArrayList<>()).add(Double.parseDouble(p[1]));
    }
    return out;
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
