package io.swak.core.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.swak.core.runtime.TaskHealth;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP endpoint: the live dashboard at {@code /}, {@code /health}, {@code /api/status} (JSON),
 * {@code /api/log} (recent warnings) and {@code /metrics} (Prometheus). One small thread: scrapes are rare and cheap, and it must not compete with tasks.
 */
public final class StatusServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("swak.http");

  private final HttpServer server;
  private final ExecutorService executor;

  private StatusServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Listens on {@code bind:port} (port 0 picks one) without a token; fails with a message naming the address. */
  public static StatusServer start(String bind, int port, StatusReport report, Clock clock) throws IOException {
    return start(bind, port, null, report, clock);
  }

  /**
   * Listens on {@code bind:port}; with a {@code token}, every request for data (/health, /api/*, /metrics) must carry
   * it ({@code Authorization: Bearer TOKEN}, or {@code ?token=TOKEN}); the dashboard's static files need none.
   */
  public static StatusServer start(String bind, int port, String token, StatusReport report, Clock clock)
      throws IOException {
    HttpServer s;
    try {
      s = HttpServer.create(new InetSocketAddress(bind, port), 16);
    } catch (IOException e) {
      throw new IOException("cannot listen for HTTP on " + bind + ":" + port + ": " + e.getMessage()
          + " (is another agent using the port? change agent.http.port)", e);
    }
    Filter guard = token == null ? null : new TokenCheck(token);
    // 200 for ok and degraded (still doing its job), 503 for failing: what a Kubernetes probe reads
    context(s, guard, "/health", x -> {
      StatusReport.HealthAnswer h = report.healthAnswer();
      respond(x, h.level() == TaskHealth.Level.FAILING ? 503 : 200, "application/json", h.json());
    });
    context(s, guard, "/api/status", x -> respond(x, 200, "application/json", report.json(clock.instant())));
    context(s, guard, "/api/log", x -> respond(x, 200, "application/json", RecentWarnings.AGENT.json()));
    context(s, guard, "/metrics", x -> respond(x, 200, PrometheusText.CONTENT_TYPE,
        PrometheusText.render(report).getBytes(StandardCharsets.UTF_8)));
    // the page, its script and its style hold no data: served without the token, so that /?token=TOKEN can load
    // them and pass the token on to the API
    context(s, null, "/", x -> {
      String path = x.getRequestURI().getPath();
      Dashboard.File f = Dashboard.file(path);
      if (f == null) {
        respond(x, 404, "text/plain", ("not found: " + path + " (the dashboard is at /; the API: /health, /api/status, "
            + "/api/log, /metrics)\n").getBytes(StandardCharsets.UTF_8));
      } else {
        x.getResponseHeaders().set("Cache-Control", "no-cache");
        respond(x, 200, f.type(), f.bytes());
      }
    });
    if (token == null && !loopback(bind)) {
      LOG.warn("agent.http listens on {} without a token: anyone who reaches the port sees the dashboard, the status "
          + "and the metrics; set agent.http.token (or bind 127.0.0.1)", bind);
    }
    ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "swak-http");
      t.setDaemon(true);
      return t;
    });
    s.setExecutor(ex);
    s.start();
    StatusServer ss = new StatusServer(s, ex);
    report.httpAddress(ss.address());
    LOG.info("HTTP status on http://{}/ (the dashboard; /health, /api/status, /api/log, /metrics){}", ss.address(),
        token != null ? "; requests need agent.http.token" : "");
    return ss;
  }

  private static void context(HttpServer s, Filter guard, String path, HttpHandler h) {
    HttpContext c = s.createContext(path, h);
    if (guard != null) {
      c.getFilters().add(guard);
    }
  }

  private static boolean loopback(String bind) {
    try {
      return InetAddress.getByName(bind).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  /** 401 unless the request carries the token, as a bearer token or as {@code ?token=}; compared in constant time. */
  private static final class TokenCheck extends Filter {
    private final byte[] token;

    TokenCheck(String token) {
      this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void doFilter(HttpExchange x, Chain chain) throws IOException {
      String given = null;
      String auth = x.getRequestHeaders().getFirst("Authorization");
      if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        given = auth.substring(7).trim();
      } else if (x.getRequestURI().getRawQuery() != null) {
        for (String kv : x.getRequestURI().getRawQuery().split("&")) {
          if (kv.startsWith("token=")) {
            given = URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8);
          }
        }
      }
      if (given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
        chain.doFilter(x);
        return;
      }
      x.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"swak\"");
      respond(x, 401, "text/plain", ("this agent's HTTP endpoint needs its token (agent.http.token): send "
          + "`Authorization: Bearer TOKEN`, or open /?token=TOKEN in a browser\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String description() {
      return "token check";
    }
  }

  /** host:port actually bound. */
  public String address() {
    InetSocketAddress a = server.getAddress();
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange x, int code, String type, byte[] body) throws IOException {
    try (x) {
      if (!"GET".equals(x.getRequestMethod()) && !"HEAD".equals(x.getRequestMethod())) {
        body = "only GET\n".getBytes(StandardCharsets.UTF_8);
        code = 405;
        type = "text/plain";
      }
      x.getResponseHeaders().set("Content-Type", type);
      boolean head = "HEAD".equals(x.getRequestMethod());
      x.sendResponseHeaders(code, head ? -1 : body.length);
      if (!head) {
        try (OutputStream o = x.getResponseBody()) {
          o.write(body);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("HTTP {} failed: {}", x.getRequestURI(), io.swak.core.runtime.FailureText.of(e));
      throw e;
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
