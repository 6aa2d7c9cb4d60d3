package io.swak.core.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.swak.core.runtime.Agent;
import io.swak.core.runtime.StepCounters;
import io.swak.core.runtime.Task;
import io.swak.core.runtime.TaskHealth;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The state of a running agent as JSON (the HTTP API and the status file read by {@code swak status}) and
 * as text lines (SIGUSR1, {@code swak status}).
 */
public final class StatusReport {

  /** Jackson is loaded when the first report is written, not at start-up. */
  private static final class Json {
    static final JsonFactory FACTORY = JsonFactory.builder().build();
  }

  private final Agent agent;
  private final Instant started;
  private volatile String httpAddress;
  private volatile String lastReload;

  public StatusReport(Agent agent, Instant started) {
    this.agent = agent;
    this.started = started;
  }

  public Agent agent() {
    return agent;
  }

  public Instant started() {
    return started;
  }

  /** host:port of the HTTP endpoint once it listens, for the status file. */
  public void httpAddress(String address) {
    this.httpAddress = address;
  }

  /** The outcome of the last reload, e.g. "2026-…Z reloaded: 1 unchanged, 1 restarted, …" or "… rejected: …". */
  public void lastReload(String outcome) {
    this.lastReload = outcome;
  }

  public static String version() {
    return Version.VALUE;
  }

  /**
   * Read at the first use, not when the agent starts: finding the resource opens the jars of the class path
   * one by one, which nothing else needs with the class-data sharing archive (~20 ms of start-up).
   */
  private static final class Version {
    static final String VALUE = readVersion();
  }

  /** The health of one task under the thresholds in force. */
  public TaskHealth health(Task t) {
    return TaskHealth.of(t, agent.config().agent().healthOrDefaults());
  }

  /** The worst health of the tasks: what /health answers. */
  public TaskHealth.Level health() {
    TaskHealth.Level worst = TaskHealth.Level.OK;
    for (Task t : agent.tasks()) {
      TaskHealth.Level l = health(t).level();
      worst = l.compareTo(worst) > 0 ? l : worst;
    }
    return worst;
  }

  /** False while a task is failing (not running, or an output stalled past failing_after). */
  public boolean healthy() {
    return health() != TaskHealth.Level.FAILING;
  }

  /** The answer of {@code GET /health}: the worst health and the document saying each task's. */
  public record HealthAnswer(TaskHealth.Level level, byte[] json) { }

  /** Each task's health and, when not ok, why; and the agent's, the worst of them (one reading of each task). */
  public HealthAnswer healthAnswer() {
    List<Task> tasks = agent.tasks();
    List<TaskHealth> hs = tasks.stream().map(this::health).toList();
    TaskHealth.Level worst = hs.stream().map(TaskHealth::level).max(Enum::compareTo).orElse(TaskHealth.Level.OK);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("status", worst.word());
      g.writeArrayFieldStart("tasks");
      for (int i = 0; i < tasks.size(); i++) {
        g.writeStartObject();
        g.writeStringField("task", tasks.get(i).config().label());
        g.writeStringField("health", hs.get(i).level().word());
        if (!hs.get(i).reason().isEmpty()) {
          g.writeStringField("reason", hs.get(i).reason());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new HealthAnswer(worst, out.toByteArray());
  }

  /** The status document of {@code GET /api/status}. */
  public byte[] json(Instant now) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("version", version());
      g.writeNumberField("pid", ProcessHandle.current().pid());
      g.writeStringField("started", started.toString());
      g.writeStringField("written", now.toString());
      g.writeNumberField("uptime_seconds", Duration.between(started, now).toMillis() / 1000.0);
      g.writeStringField("config", agent.config().file());
      if (httpAddress != null) {
        g.writeStringField("http", httpAddress);
      }
      if (lastReload != null) {
        g.writeStringField("last_reload", lastReload);
      }
      g.writeBooleanField("healthy", healthy());
      g.writeStringField("health", health().word());
      g.writeArrayFieldStart("tasks");
      for (Task t : agent.tasks()) {
        g.writeStartObject();
        g.writeStringField("task", t.config().label());
        g.writeStringField("name", t.config().name());
        g.writeStringField("state", t.state());
        TaskHealth h = health(t);
        g.writeStringField("health", h.level().word());
        if (!h.reason().isEmpty()) {
          g.writeStringField("reason", h.reason());
        }
        if (t.lastError() != null) {
          g.writeStringField("error", t.lastError());
        }
        g.writeArrayFieldStart("steps");
        List<StepCounters> cs = t.counters();
        for (int i = 0; i < cs.size(); i++) {
          g.writeStartObject();
          g.writeNumberField("step", i + 1);
          g.writeStringField("plugin", t.config().steps().get(i).name());
          for (Map.Entry<String, Long> e : cs.get(i).snapshot().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
          }
          for (Map.Entry<String, Long> e : cs.get(i).gauges().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
          }
          nested(g, cs.get(i));
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The steps nested in a step (failover's outputs, a route's branches and their steps) as {@code "nested": [{"name":
   * "errors", counters…, "nested": […]}]}; nothing for a step without any.
   */
  private static void nested(JsonGenerator g, StepCounters c) throws IOException {
    Map<String, StepCounters> children = c.children();
    if (children.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart("nested");
    for (Map.Entry<String, StepCounters> child : children.entrySet()) {
      g.writeStartObject();
      g.writeStringField("name", child.getKey());
      for (Map.Entry<String, Long> e : child.getValue().snapshot().entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      for (Map.Entry<String, Long> e : child.getValue().gauges().entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      nested(g, child.getValue());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** One line per task: state and the counters of its first and last step. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    for (Task t : agent.tasks()) {
      TaskHealth h = health(t);
      out.add(taskLine(t.config().label(), t.state(), h.level().word(), h.reason(),
          t.counters().stream().map(StepCounters::snapshot).toList()));
    }
    return out;
  }

  /**
   * e.g. {@code task 1 (web): running, in 1200 events, out 1200 events / 88000 bytes, 0 errors, 2 retries}:
   * events into the first step, out of the last, bytes written by all outputs. A task that is not ok says its
   * health and why first: {@code task 2 (db): failing (restarting after: …), in 0 events, …}.
   */
  public static String taskLine(String label, String state, String health, String reason,
      List<Map<String, Long>> steps) {
    StringBuilder b = new StringBuilder(label).append(": ");
    if (health == null || health.equals("ok") || health.isEmpty()) {
      b.append(state);
    } else {
      b.append(health);
      if (reason != null && !reason.isEmpty()) {
        b.append(" (").append(reason).append(')');
      }
    }
    if (!steps.isEmpty()) {
      Map<String, Long> first = steps.get(0);
      Map<String, Long> last = steps.get(steps.size() - 1);
      long errors = 0;
      long retries = 0;
      long dropped = 0;
      long bytes = 0;
      for (Map<String, Long> s : steps) {
        bytes += s.getOrDefault("bytes_out", 0L);
        errors += s.getOrDefault("errors", 0L);
        retries += s.getOrDefault("retries", 0L);
        dropped += s.getOrDefault("dropped", 0L);
      }
      b.append(", in ").append(first.getOrDefault("events_in", 0L)).append(" events, out ")
          .append(last.getOrDefault("events_out", 0L)).append(" events / ")
          .append(bytes).append(" bytes, ")
          .append(errors).append(" errors, ").append(retries).append(" retries");
      if (dropped > 0) {
        b.append(", ").append(dropped).append(" dropped");
      }
    }
    return b.toString();
  }

  private static String readVersion() {
    try (InputStream in = StatusReport.class.getResourceAsStream("/io/swak/core/version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
