package io.swak.core.http;

import io.swak.core.runtime.StepCounters;
import io.swak.core.runtime.Task;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Metrics in the Prometheus text exposition format 0.0.4: every family once with HELP and TYPE, its
 * samples together; counters end in {@code _total}; label values escaped.
 */
final class PrometheusText {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Step counters with a name and help of their own; any other counter becomes swak_step_NAME_total. */
  private static final Map<String, String[]> KNOWN = new LinkedHashMap<>();

  static {
    KNOWN.put("events_in", new String[] {"swak_events_in_total", "Events that entered the step."});
    KNOWN.put("events_out", new String[] {"swak_events_out_total", "Events the step passed on."});
    KNOWN.put("bytes_in", new String[] {"swak_bytes_in_total", "Bytes the step read."});
    KNOWN.put("bytes_out", new String[] {"swak_bytes_out_total", "Bytes the step wrote or sent."});
    KNOWN.put("dropped", new String[] {"swak_events_dropped_total", "Events the step dropped (counted, logged)."});
    KNOWN.put("errors", new String[] {"swak_errors_total", "Errors in the step."});
    KNOWN.put("retries", new String[] {"swak_retries_total", "Retried deliveries of the step."});
  }

  private PrometheusText() { }

  static String render(StatusReport report) {
    StringBuilder b = new StringBuilder(4096);
    family(b, "swak_info", "gauge", "Version of the running agent.");
    b.append("swak_info{version=\"").append(escape(StatusReport.version())).append("\"} 1\n");
    family(b, "swak_start_time_seconds", "gauge", "Start time of the agent, seconds since the epoch.");
    b.append("swak_start_time_seconds ").append(report.started().toEpochMilli() / 1000.0).append('\n');

    List<Task> tasks = report.agent().tasks();
    family(b, "swak_task_up", "gauge", "1 while the task runs, 0 while it starts, restarts or stops.");
    for (Task t : tasks) {
      b.append("swak_task_up{task=\"").append(escape(t.config().label())).append("\"} ")
          .append("running".equals(t.state()) ? 1 : 0).append('\n');
    }
    family(b, "swak_task_health", "gauge", "0 ok, 1 degraded, 2 failing (as /health).");
    for (Task t : tasks) {
      b.append("swak_task_health{task=\"").append(escape(t.config().label())).append("\"} ")
          .append(report.health(t).level().ordinal()).append('\n');
    }

    // family name -> sample lines, so each family is written once with all its samples
    Map<String, List<String>> samples = new LinkedHashMap<>();
    Map<String, String> help = new TreeMap<>();
    for (String[] k : KNOWN.values()) {
      samples.put(k[0], new ArrayList<>());
      help.put(k[0], k[1]);
    }
    for (Task t : tasks) {
      forEachStep(t, (labels, c) -> {
        for (Map.Entry<String, Long> e : c.snapshot().entrySet()) {
          String[] known = KNOWN.get(e.getKey());
          String name = known != null ? known[0] : "swak_step_" + sanitize(e.getKey()) + "_total";
          help.putIfAbsent(name, "Counter `" + e.getKey() + "` reported by the plugin.");
          samples.computeIfAbsent(name, n -> new ArrayList<>()).add(name + labels + " " + e.getValue());
        }
      });
    }
    for (Map.Entry<String, List<String>> f : samples.entrySet()) {
      if (f.getValue().isEmpty()) {
        continue; // a counter no step reports (bytes_in before inputs count it)
      }
      family(b, f.getKey(), "counter", help.get(f.getKey()));
      for (String line : f.getValue()) {
        b.append(line).append('\n');
      }
    }

    Map<String, List<String>> gaugeSamples = new TreeMap<>();
    for (Task t : tasks) {
      forEachStep(t, (labels, c) -> {
        for (Map.Entry<String, Long> e : c.gauges().entrySet()) {
          String name = "swak_" + sanitize(e.getKey());
          gaugeSamples.computeIfAbsent(name, n -> new ArrayList<>()).add(name + labels + " " + e.getValue());
        }
      });
    }
    for (Map.Entry<String, List<String>> f : gaugeSamples.entrySet()) {
      family(b, f.getKey(), "gauge", "Gauge `" + f.getKey().substring(5) + "` reported by the step.");
      for (String line : f.getValue()) {
        b.append(line).append('\n');
      }
    }

    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    family(b, "swak_jvm_heap_used_bytes", "gauge", "Heap in use by the agent's JVM.");
    b.append("swak_jvm_heap_used_bytes ").append(heap.getUsed()).append('\n');
    family(b, "swak_jvm_heap_max_bytes", "gauge", "Maximum heap of the agent's JVM (-Xmx).");
    b.append("swak_jvm_heap_max_bytes ").append(heap.getMax()).append('\n');
    return b.toString();
  }

  /**
   * Every step of a task with its labels, and the steps nested in it (failover's outputs, a route's branches and
   * their steps) with the labels of the step they are in and {@code nested="errors › 1 buffer"}.
   */
  private static void forEachStep(Task t, java.util.function.BiConsumer<String, StepCounters> each) {
    List<StepCounters> cs = t.counters();
    for (int i = 0; i < cs.size(); i++) {
      String labels = "task=\"" + escape(t.config().label()) + "\",step=\"" + (i + 1) + "\",plugin=\""
          + escape(t.config().steps().get(i).name()) + "\"";
      each.accept("{" + labels + "}", cs.get(i));
      nested(labels, "", cs.get(i), each);
    }
  }

  private static void nested(String labels, String path, StepCounters c,
      java.util.function.BiConsumer<String, StepCounters> each) {
    for (Map.Entry<String, StepCounters> child : c.children().entrySet()) {
      String p = path.isEmpty() ? child.getKey() : path + " › " + child.getKey();
      each.accept("{" + labels + ",nested=\"" + escape(p) + "\"}", child.getValue());
      nested(labels, p, child.getValue(), each);
    }
  }

  private static void family(StringBuilder b, String name, String type, String help) {
    b.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
        .append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  /** Label value escaping of the text format: backslash, double quote and line feed. */
  static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** A plugin's counter name as a metric name part: [a-z0-9_] only. */
  static String sanitize(String name) {
    String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return s.endsWith("_total") ? s.substring(0, s.length() - 6) : s;
  }
}
