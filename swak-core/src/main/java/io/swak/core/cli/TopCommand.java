package io.swak.core.cli;

import io.swak.core.config.AgentOptions;
import io.swak.core.config.ConfigException;
import io.swak.core.config.ConfigLoader;
import io.swak.core.service.StatusFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swak top}: the dashboard's numbers in the terminal, refreshed every second (like {@code vector top}): per
 * task and step the events per second in and out, bytes per second, errors, retries, buffer fill, checkpoint lag,
 * servers up, health. Reads {@code /api/status} of the agent's HTTP endpoint.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
    description = {"Shows the running agent's numbers per task and step, refreshed every second (Ctrl-C ends it).",
        "The agent needs agent.http; its address comes from --url, else CONFIG's agent.http, else the status file of "
            + "the agent `swak start` started."})
final class TopCommand extends DaemonCommands.Controlling {
  @Option(names = "--url", paramLabel = "URL", description = "The agent's HTTP address, e.g. http://127.0.0.1:24230.")
  String url;

  @Option(names = "--token", paramLabel = "TOKEN", description = "agent.http.token of the agent (default: "
      + "$SWAK_HTTP_TOKEN, else CONFIG's).")
  String token;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
      description = "Time between refreshes (default: ${DEFAULT-VALUE}).")
  String interval;

  @Option(names = {"-n", "--iterations"}, paramLabel = "N", defaultValue = "0",
      description = "Stop after N refreshes (default: until Ctrl-C).")
  int iterations;

  @Override
  public Integer call() throws Exception {
    String base = address();
    if (base == null) {
      return Main.FAILED;
    }
    Duration every = Main.parseDuration(interval);
    PrintStream out = System.out;
    boolean terminal = System.console() != null;
    Map<String, Map<String, Object>> before = new HashMap<>();
    Instant beforeTime = null;
    for (int i = 0; iterations <= 0 || i < iterations; i++) {
      if (i > 0) {
        Thread.sleep(every.toMillis());
      }
      Map<String, Object> st;
      try {
        st = fetch(base + "/api/status");
      } catch (IOException e) {
        out.println((terminal ? "\033[H\033[2J" : "") + "cannot read " + base + "/api/status: " + e.getMessage()
            + " (is the agent running with agent.http?)");
        if (iterations == 1) {
          return Main.FAILED;
        }
        continue;
      }
      Instant now = Instant.parse(String.valueOf(st.get("written")));
      String frame = frame(base, st, before, beforeTime, now);
      out.print((terminal ? "\033[H\033[2J" : (i > 0 ? "\n" : "")) + frame);
      out.flush();
      before = steps(st);
      beforeTime = now;
    }
    return 0;
  }

  /** --url, else CONFIG's agent.http, else the http address in the started agent's status file. */
  private String address() throws IOException {
    if (token == null) {
      token = System.getenv("SWAK_HTTP_TOKEN");
    }
    if (url != null) {
      return url.replaceAll("/+$", "");
    }
    if (config != null) {
      try {
        AgentOptions ao = new ConfigLoader(Main.registry(), System.getenv()).loadAgent(config);
        if (ao.http() != null) {
          if (token == null) {
            token = ao.http().token();
          }
          if (ao.http().port() != 0) {
            String host = ao.http().bind().equals("0.0.0.0") ? "127.0.0.1" : ao.http().bind();
            return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + ao.http().port();
          }
        }
      } catch (ConfigException e) {
        System.err.println(e.getMessage());
        return null;
      }
    }
    var pf = pidFileResolved();
    if (pf == null) {
      return null;
    }
    Object http = StatusFile.besides(pf).read().map(m -> m.get("http")).orElse(null);
    if (http == null) {
      System.err.println("no HTTP address known: the agent of " + pf + " is not running, or runs without agent.http; "
          + "give --url, or a CONFIG with agent.http: {port: …}");
      return null;
    }
    return "http://" + http;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> fetch(String address) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(address).toURL().openConnection();
    c.setConnectTimeout(2000);
    c.setReadTimeout(5000);
    if (token != null) {
      c.setRequestProperty("Authorization", "Bearer " + token);
    }
    int code = c.getResponseCode();
    if (code == 401) {
      throw new IOException("the agent wants its token (--token, or $SWAK_HTTP_TOKEN)");
    }
    if (code != 200) {
      throw new IOException("HTTP " + code);
    }
    try (InputStream in = c.getInputStream()) {
      Object o = new Load(LoadSettings.builder().build()).loadFromString(new String(in.readAllBytes(),
          StandardCharsets.UTF_8));
      if (!(o instanceof Map<?, ?> m)) {
        throw new IOException("not a status document");
      }
      return (Map<String, Object>) m;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> steps(Map<String, Object> st) {
    Map<String, Map<String, Object>> out = new HashMap<>();
    for (Object t : (List<Object>) st.getOrDefault("tasks", List.of())) {
      Map<String, Object> task = (Map<String, Object>) t;
      for (Object s : (List<Object>) task.getOrDefault("steps", List.of())) {
        Map<String, Object> step = (Map<String, Object>) s;
        withNested(task.get("task") + "#" + step.get("step"), step, out);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void withNested(String key, Map<String, Object> step, Map<String, Map<String, Object>> out) {
    out.put(key, step);
    for (Object n : (List<Object>) step.getOrDefault("nested", List.of())) {
      Map<String, Object> nested = (Map<String, Object>) n;
      withNested(key + " › " + nested.get("name"), nested, out);
    }
  }

  private static final String ROW = "%-30s %9s %9s %10s %7s %7s %14s %10s %7s%n";

  /** One screen: the agent's line, then a line per task and per step. */
  @SuppressWarnings("unchecked")
  static String frame(String base, Map<String, Object> st, Map<String, Map<String, Object>> before, Instant beforeTime,
      Instant now) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "swak %s · pid %s · up %s · health %s · %s · %s%n", st.get("version"),
        st.get("pid"), up(st.get("uptime_seconds")), st.get("health"), base, now));
    b.append(String.format(Locale.ROOT, ROW, "TASK / STEP", "IN/s", "OUT/s", "BYTES/s", "ERRORS", "RETRIES", "BUFFER",
        "LAG", "SERVERS"));
    double dt = beforeTime == null ? 0 : Duration.between(beforeTime, now).toMillis() / 1000.0;
    for (Object to : (List<Object>) st.getOrDefault("tasks", List.of())) {
      Map<String, Object> t = (Map<String, Object>) to;
      b.append(t.get("task")).append(": ").append(t.get("state")).append(", ").append(t.get("health"));
      if (t.get("reason") != null) {
        b.append(" (").append(t.get("reason")).append(')');
      }
      b.append('\n');
      for (Object so : (List<Object>) t.getOrDefault("steps", List.of())) {
        Map<String, Object> s = (Map<String, Object>) so;
        row(b, "  " + s.get("step") + " " + s.get("plugin"), t.get("task") + "#" + s.get("step"), s, before, dt);
      }
    }
    return b.toString();
  }

  /** A step's line, then a line for each step nested in it (failover's outputs, a route's branches), indented. */
  @SuppressWarnings("unchecked")
  private static void row(StringBuilder b, String label, String key, Map<String, Object> s,
      Map<String, Map<String, Object>> before, double dt) {
    Map<String, Object> prev = before.get(key);
    long bufferBytes = n(s, "buffer_bytes");
    long limit = n(s, "buffer_limit_bytes");
    String buffer = !s.containsKey("buffer_bytes") ? "" : bytes(bufferBytes)
        + (limit > 0 ? String.format(Locale.ROOT, " %3.0f%%", 100.0 * bufferBytes / limit) : "");
    b.append(String.format(Locale.ROOT, ROW, label,
        rate(prev, s, "events_in", dt), rate(prev, s, "events_out", dt),
        s.containsKey("bytes_out") && n(s, "bytes_out") > 0 ? rate(prev, s, "bytes_out", dt) : "",
        n(s, "errors"), n(s, "retries"), buffer,
        s.containsKey("checkpoint_lag_bytes") ? bytes(n(s, "checkpoint_lag_bytes")) : "",
        s.containsKey("servers_up") ? String.valueOf(n(s, "servers_up")) : ""));
    String indent = " ".repeat(label.length() - label.stripLeading().length() + 2);
    for (Object n : (List<Object>) s.getOrDefault("nested", List.of())) {
      Map<String, Object> nested = (Map<String, Object>) n;
      row(b, indent + "› " + nested.get("name"), key + " › " + nested.get("name"), nested, before, dt);
    }
  }

  private static long n(Map<String, Object> m, String key) {
    return m.get(key) instanceof Number x ? x.longValue() : 0;
  }

  private static String rate(Map<String, Object> prev, Map<String, Object> now, String key, double dt) {
    if (prev == null || dt <= 0) {
      return "-";
    }
    double r = Math.max(0, (n(now, key) - n(prev, key)) / dt); // a restarted task counts from 0 again
    return r >= 10_000 ? String.format(Locale.ROOT, "%.1fk", r / 1000) : String.format(Locale.ROOT, "%.1f", r);
  }

  private static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
  }

  private static String up(Object seconds) {
    double s = seconds instanceof Number x ? x.doubleValue() : 0;
    return s < 60 ? (long) s + " s" : s < 3600 ? (long) (s / 60) + " min" : String.format(Locale.ROOT, "%.1f h",
        s / 3600);
  }
}
