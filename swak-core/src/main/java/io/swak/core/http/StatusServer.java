package io.swak.core.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.swak.core.runtime.TaskHealth;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP endpoint: {@code /health}, {@code /api/status} (JSON) and {@code /metrics}
 * (Prometheus). One small thread: scrapes are rare and cheap, and it must not compete with tasks.
 */
public final class StatusServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("swak.http");

  private final HttpServer server;
  private final ExecutorService executor;

  private StatusServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Listens on {@code bind:port} (port 0 picks one); fails with a message naming the address. */
  public static StatusServer start(String bind, int port, StatusReport report, Clock clock) throws IOException {
    HttpServer s;
    try {
      s = HttpServer.create(new InetSocketAddress(bind, port), 16);
    } catch (IOException e) {
      throw new IOException("cannot listen for HTTP on " + bind + ":" + port + ": " + e.getMessage()
          + " (is another agent using the port? change agent.http.port)", e);
    }
    // 200 for ok and degraded (still doing its job), 503 for failing: what a Kubernetes probe reads
    s.createContext("/health", x -> {
      StatusReport.HealthAnswer h = report.healthAnswer();
      respond(x, h.level() == TaskHealth.Level.FAILING ? 503 : 200, "application/json", h.json());
    });
    s.createContext("/api/status", x -> respond(x, 200, "application/json", report.json(clock.instant())));
    s.createContext("/metrics", x -> respond(x, 200, PrometheusText.CONTENT_TYPE,
        PrometheusText.render(report).getBytes(StandardCharsets.UTF_8)));
    s.createContext("/", x -> respond(x, 404, "text/plain",
        "not found: try /health, /api/status or /metrics\n".getBytes(StandardCharsets.UTF_8)));
    ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "swak-http");
      t.setDaemon(true);
      return t;
    });
    s.setExecutor(ex);
    s.start();
    StatusServer ss = new StatusServer(s, ex);
    report.httpAddress(ss.address());
    LOG.info("HTTP status on http://{}/ (/health, /api/status, /metrics)", ss.address());
    return ss;
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
