package io.swak.plugins.elasticsearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A real HTTP server in front of the real node that plays a node under load: of each bulk request it passes the
 * documents it does not throttle on to the node, and answers for the others an item-level 429
 * ({@code es_rejected_execution_exception}, as a node whose write queue is full does), in the request's order.
 * It can also refuse every request (401) or answer garbage. It logs the {@code seq} of every document it was sent.
 */
final class ThrottlingNode implements AutoCloseable {

  /** How it answers. */
  enum Mode { PASS, THROTTLE_ONCE, THROTTLE_ALWAYS, UNAUTHORIZED, GARBAGE, OVERLOADED, HANG }

  private static final JsonFactory JSON = new JsonFactory();
  private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

  private final OpenSearchNode node;
  private final HttpServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  volatile Mode mode = Mode.PASS;
  /** Documents with {@code seq % throttleEvery == 0} are throttled. */
  volatile int throttleEvery = 3;
  /** The status of a throttled document's item: 429, or a 5xx of a node that failed on it. */
  volatile int itemStatus = 429;
  /** The seq of every document sent to it, in arrival order. */
  final List<Long> sent = new CopyOnWriteArrayList<>();
  final List<Long> throttled = new CopyOnWriteArrayList<>();
  private final Set<Long> throttledOnce = ConcurrentHashMap.newKeySet();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  /** Requests held without an answer in mode HANG, and what releases them. */
  final java.util.concurrent.atomic.AtomicInteger hung = new java.util.concurrent.atomic.AtomicInteger();
  final java.util.concurrent.CountDownLatch unhang = new java.util.concurrent.CountDownLatch(1);

  ThrottlingNode(OpenSearchNode node) throws IOException {
    this(node, null, false);
  }

  /** Over TLS with {@code tls} (null: plain HTTP); {@code needClientAuth}: refuses clients without a certificate. */
  ThrottlingNode(OpenSearchNode node, SSLContext tls, boolean needClientAuth) throws IOException {
    this.node = node;
    InetSocketAddress at = new InetSocketAddress("127.0.0.1", 0);
    if (tls == null) {
      server = HttpServer.create(at, 0);
    } else {
      HttpsServer s = HttpsServer.create(at, 0);
      s.setHttpsConfigurator(new HttpsConfigurator(tls) {
        @Override
        public void configure(HttpsParameters params) {
          SSLParameters p = tls.getDefaultSSLParameters();
          p.setNeedClientAuth(needClientAuth);
          params.setSSLParameters(p);
        }
      });
      server = s;
    }
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  String url() {
    return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      byte[] in = x.getRequestBody().readAllBytes();
      authorizations.add(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
      Mode m = mode;
      if (m == Mode.UNAUTHORIZED) {
        answer(x, 401, "{\"error\":{\"type\":\"security_exception\",\"reason\":\"unable to authenticate user [writer]"
            + " for REST request [/_bulk]\"},\"status\":401}");
        return;
      }
      if (m == Mode.GARBAGE) {
        answer(x, 200, "<html><body>502 Bad Gateway</body></html>");
        return;
      }
      if (m == Mode.OVERLOADED) {
        answer(x, 503, "{\"error\":{\"type\":\"cluster_manager_not_discovered_exception\",\"reason\":null},"
            + "\"status\":503}");
        return;
      }
      if (m == Mode.HANG) { // no answer at all until released (then a late 503 the sender no longer waits for)
        hung.incrementAndGet();
        unhang.await(60, java.util.concurrent.TimeUnit.SECONDS);
        x.sendResponseHeaders(503, -1);
        return;
      }
      String[] lines = new String(in, StandardCharsets.UTF_8).split("\n");
      StringBuilder pass = new StringBuilder();
      List<Boolean> held = new ArrayList<>();
      for (int i = 0; i + 1 < lines.length; i += 2) {
        Matcher s = SEQ.matcher(lines[i + 1]);
        long seq = s.find() ? Long.parseLong(s.group(1)) : -1;
        sent.add(seq);
        boolean hold = seq > 0 && seq % throttleEvery == 0
            && (m == Mode.THROTTLE_ALWAYS || m == Mode.THROTTLE_ONCE && throttledOnce.add(seq));
        held.add(hold);
        if (hold) {
          throttled.add(seq);
        } else {
          pass.append(lines[i]).append('\n').append(lines[i + 1]).append('\n');
        }
      }
      List<String> items = pass.length() == 0 ? List.of() : forward(x.getRequestURI(), pass.toString());
      StringBuilder out = new StringBuilder("{\"took\":1,\"errors\":true,\"items\":[");
      int next = 0;
      for (int i = 0; i < held.size(); i++) {
        out.append(i > 0 ? "," : "");
        if (held.get(i)) {
          int status = itemStatus;
          out.append(status == 429
              ? "{\"create\":{\"_index\":\"x\",\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\","
                  + "\"reason\":\"rejected execution of coordinating operation [write queue full]\"}}}"
              : "{\"create\":{\"_index\":\"x\",\"status\":" + status + ",\"error\":{\"type\":"
                  + "\"unavailable_shards_exception\",\"reason\":\"primary shard is not active\"}}}");
        } else {
          out.append(items.get(next++));
        }
      }
      answer(x, 200, out.append("]}").toString());
    } catch (Exception e) {
      x.sendResponseHeaders(500, -1);
    }
  }

  /** The node's items for the documents passed on, each as JSON text. */
  private List<String> forward(URI uri, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.httpUrl() + uri))
        .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    List<String> items = new ArrayList<>();
    try (JsonParser p = JSON.createParser(r.body())) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.FIELD_NAME && p.currentName().equals("items")) {
          p.nextToken();
          while (p.nextToken() == JsonToken.START_OBJECT) {
            StringWriter w = new StringWriter();
            try (JsonGenerator g = JSON.createGenerator(w)) {
              g.copyCurrentStructure(p);
            }
            items.add(w.toString());
          }
        }
      }
    }
    return items;
  }

  private static void answer(HttpExchange x, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, b.length);
    x.getResponseBody().write(b);
  }

  @Override
  public void close() {
    unhang.countDown();
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
