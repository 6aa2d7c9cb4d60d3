package io.swak.plugins.parse.step;

import io.swak.api.Batch;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link StepBench} hot paths timed by the thread's CPU time, not the wall clock: on a machine shared with
 * other builds (load far above the core count) wall-clock throughput measures the scheduler, CPU time still
 * measures the code. Rounds alternate between the benchmarks (so a change in load hits all alike); prints the
 * median, min and max events per CPU-second. Run from plugins/parse like StepBench:
 * {@code java -cp … io.swak.plugins.parse.step.StepCpuBench [rounds]}.
 */
public final class StepCpuBench {

  private StepCpuBench() { }

  interface Run {
    Batch once() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    StepBench b = new StepBench();
    b.setup();
    Map<String, Run> runs = new LinkedHashMap<>();
    runs.put("parse json", b::parseJson);
    runs.put("parse nginx", b::parseNginx);
    runs.put("parse regex (Fluent Bit's nginx)", b::parseNginxRegex);
    runs.put("parse logfmt", b::parseLogfmt);
    runs.put("grep one field", b::grepOneField);
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    for (int r = -3; r < rounds; r++) { // 3 warm-up rounds
      for (Map.Entry<String, Run> e : runs.entrySet()) {
        long t0 = cpu.getCurrentThreadCpuTime();
        long batches = 0;
        Object sink = null;
        while (cpu.getCurrentThreadCpuTime() - t0 < 500_000_000L) {
          for (int i = 0; i < 20; i++) {
            sink = e.getValue().once();
          }
          batches += 20;
        }
        long used = cpu.getCurrentThreadCpuTime() - t0;
        if (sink == null && batches < 0) {
          System.out.println(); // keeps the result alive
        }
        if (r >= 0) {
          rates.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(batches * StepBench.N / (used / 1e9));
        }
      }
    }
    System.out.printf("%-36s %14s %14s %14s%n", "step (1024 events a batch)", "median ev/cpu-s", "min", "max");
    for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
      double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      System.out.printf("%-36s %,14.0f %,14.0f %,14.0f%n", e.getKey(), v[v.length / 2], v[0], v[v.length - 1]);
    }
  }
}
