package io.swak.bench;

import com.sun.management.OperatingSystemMXBean;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.runtime.Agent;
import io.swak.core.runtime.StepCounters;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Runs a pipeline inside this JVM until its last step has passed N events, then prints the rate
 * and the process CPU time. Measures the runtime and plugins without the start-up of a process.
 */
public final class InProcess {

  private InProcess() { }

  public static void main(String[] args) throws Exception {
    String scenario = args[0];
    long n = Long.parseLong(args[1]);
    String yaml = switch (scenario) {
      case "fakedata-null" -> """
          - task:
            - in.FakeData: {type: nginx, count: 1000, total: %d, seed: 1}
            - out.Null
          """.formatted(n);
      // route-null: the same events through a route of 3 branches (a when: on a nested field, a match: on the tag,
      // else), each to out.Null; json-null is the same without the route
      case "json-null" -> """
          - task:
            - in.FakeData: {type: json, count: 1000, total: %d, seed: 1}
            - out.Null
          """.formatted(n);
      case "route-null" -> """
          - task:
            - in.FakeData: {type: json, count: 1000, total: %d, seed: 1}
            - route:
                errors: {when: 'record.http.status >= 500', steps: [out.Null]}
                fake: {match: "fake.**", steps: [out.Null]}
                else: [out.Null]
          """.formatted(n);
      default -> throw new IllegalArgumentException("unknown scenario " + scenario);
    };
    Path data = Files.createTempDirectory("swak-bench");
    AgentConfig cfg = new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse(scenario, yaml);
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    Agent agent = new Agent(cfg, data, Clock.systemUTC());
    agent.start();
    List<StepCounters> counters = agent.tasks().get(0).counters();
    StepCounters last = counters.get(counters.size() - 1);
    // a route passes nothing on: count what entered it (each batch goes through its branches on the task thread)
    String counter = scenario.startsWith("route") ? "events_in" : "events_out";
    while (last.snapshot().get(counter) < n) {
      Thread.onSpinWait();
      Thread.sleep(1);
    }
    long wall = System.nanoTime() - t0;
    long cpu = os.getProcessCpuTime() - cpu0;
    agent.stop();
    System.out.printf("%s: %,d events in %.3f s = %,.0f events/s; %.3f CPU-s per million events%n", scenario, n,
        wall / 1e9, n / (wall / 1e9), cpu / 1e9 / (n / 1e6));
  }
}
