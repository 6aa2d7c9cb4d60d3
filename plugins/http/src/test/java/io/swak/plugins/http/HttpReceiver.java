package io.swak.plugins.http;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/** A JDK HTTP server on loopback for out.Http's tests: keeps each body and answers with the status it is told. */
final class HttpReceiver implements AutoCloseable {

  /** One request as the server saw it. */
  record Request(String contentType, String contentEncoding, String authorization, String tag, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  final List<Request> requests = new CopyOnWriteArrayList<>();
  volatile int status = 200;
  volatile String retryAfter;
  /** The next this many requests are answered with {@link #refuseWith} (and Retry-After), then {@link #status}. */
  final java.util.concurrent.atomic.AtomicInteger refuseNext = new java.util.concurrent.atomic.AtomicInteger();
  volatile int refuseWith = 429;
  /** When each request arrived (System.nanoTime), whatever the answer. */
  final List<Long> arrivals = new CopyOnWriteArrayList<>();
  /** The same as wall-clock times. */
  final List<java.time.Instant> arrivedAt = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  HttpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext("/", x -> {
      arrivals.add(System.nanoTime());
      arrivedAt.add(java.time.Instant.now());
      byte[] raw = x.getRequestBody().readAllBytes();
      String enc = x.getRequestHeaders().getFirst("Content-Encoding");
      byte[] body = raw;
      if ("gzip".equals(enc)) {
        try (InputStream z = new GZIPInputStream(new ByteArrayInputStream(raw))) {
          body = z.readAllBytes();
        }
      }
      boolean refused = refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
      int s = refused ? refuseWith : status;
      if (s / 100 == 2) {
        requests.add(new Request(x.getRequestHeaders().getFirst("Content-Type"), enc,
            x.getRequestHeaders().getFirst("Authorization"), x.getRequestHeaders().getFirst("X-Swak-Tag"), body));
      }
      if (retryAfter != null && s / 100 != 2) {
        x.getResponseHeaders().set("Retry-After", retryAfter);
      }
      byte[] answer = s / 100 == 2 ? new byte[0] : ("refused with " + s).getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(s, answer.length == 0 ? -1 : answer.length);
      x.getResponseBody().write(answer);
      x.close();
    });
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
