package io.swak.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The blocking HTTP/1.1 client of out.Elasticsearch, out.Http and out.OpenTelemetry against a server on a real socket
 * that answers as a script says: chunked and length-delimited answers, kept connections, a server that closes an
 * idle one, one that stops reading or answering, an answer cut in its body, garbage, Retry-After, and an error answer
 * larger than what is kept of it.
 */
class Http1ClientTest {

  private static final String OK = "{\"took\":1,\"errors\":false,\"items\":[{\"create\":{\"status\":201}}]}";

  /** What the server does with the n-th request (from 0) of a connection: false closes the connection instead. */
  interface Script {
    boolean answer(int connection, int request, byte[] body, OutputStream out) throws IOException;
  }

  private ServerSocket server;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private Http1Client http;
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() throws IOException {
    release.countDown();
    if (http != null) {
      http.close();
    }
    if (server != null) {
      server.close();
    }
    for (Socket s : accepted) {
      s.close();
    }
  }

  private URI serve(Script script) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      try {
        for (;;) {
          Socket s = server.accept();
          accepted.add(s);
          int c = connections.getAndIncrement();
          Thread h = new Thread(() -> handle(s, c, script), "bulk-http-test-conn-" + c);
          h.setDaemon(true);
          h.start();
        }
      } catch (IOException e) {
        // closed
      }
    }, "bulk-http-test-accept");
    t.setDaemon(true);
    t.start();
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/_bulk?pipeline=p");
  }

  private void handle(Socket s, int connection, Script script) {
    try (s) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      for (int r = 0; ; r++) {
        String line = line(in);
        if (line == null) {
          return;
        }
        int length = 0;
        StringBuilder head = new StringBuilder(line);
        for (String h; !(h = line(in)).isEmpty(); ) {
          head.append('|').append(h);
          if (h.toLowerCase().startsWith("content-length:")) {
            length = Integer.parseInt(h.substring(15).trim());
          }
        }
        byte[] body = new byte[length];
        in.readFully(body);
        requests.add(head + "|" + new String(body, StandardCharsets.UTF_8));
        if (!script.answer(connection, r, body, s.getOutputStream())) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String withLength(int status, String body) {
    return "HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
  }

  private Http1Client client(Duration requestTimeout) {
    http = new Http1Client(null, true, Duration.ofSeconds(5), requestTimeout, 100, "http1-test-timer");
    return http;
  }

  /** Reads a 200's body as text; other answers keep their first bytes. */
  private static Http1Client.BodyReader<String> text(int status) {
    if (status != 200) {
      return null;
    }
    return new Http1Client.BodyReader<>() {
      final ByteArrayOutputStream b = new ByteArrayOutputStream();

      @Override
      public void feed(byte[] bytes, int off, int n) {
        b.write(bytes, off, n);
      }

      @Override
      public String finish() {
        return b.toString(StandardCharsets.UTF_8);
      }
    };
  }

  private Http1Client.Answer<String> post(Http1Client h, URI to, String headers, byte[] body, int off, int len)
      throws IOException {
    return h.post(to, headers, body, off, len, Http1ClientTest::text);
  }

  private String ok(Http1Client h, URI to, byte[] body) throws IOException {
    Http1Client.Answer<String> a = post(h, to, "", body, 0, body.length);
    assertThat(a.status()).isEqualTo(200);
    return a.result();
  }

  private static byte[] doc(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void chunkedAndLengthAnswersOnOneKeptConnection() throws Exception {
    URI node = serve((c, r, body, out) -> {
      if (r == 0) { // a 100 Continue first, then the items in chunks of any size
        String items = "{\"took\":1,\"errors\":true,\"items\":[{\"create\":{\"status\":201}},{\"create\":{\"status\":400,"
            + "\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"bad\"}}}]}";
        StringBuilder b = new StringBuilder("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < items.length(); i += 7) {
          String part = items.substring(i, Math.min(items.length(), i + 7));
          b.append(Integer.toHexString(part.length())).append(";ext=1\r\n").append(part).append("\r\n");
        }
        write(out, b.append("0\r\nTrailer: x\r\n\r\n").toString());
      } else {
        write(out, withLength(200, OK));
      }
      return true;
    });
    Http1Client h = client(Duration.ofSeconds(10));
    byte[] body = doc("{\"create\":{}}\n{\"a\":1}\n{\"create\":{}}\n{\"a\":{}}\n");
    Http1Client.Answer<String> first = post(h, node, "Content-Type: application/x-ndjson\r\n", body, 0, body.length);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.result()).isEqualTo("{\"took\":1,\"errors\":true,\"items\":[{\"create\":{\"status\":201}},"
        + "{\"create\":{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"bad\"}}}]}");
    Http1Client.Answer<String> second = post(h, node, "Content-Type: application/x-ndjson\r\n", body, 14, 8);
    assertThat(second.result()).isEqualTo(OK);
    assertThat(connections).hasValue(1);
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0)).startsWith("POST /_bulk?pipeline=p HTTP/1.1|Host: 127.0.0.1:" + server.getLocalPort()
        + "|Content-Length: " + body.length + "|Content-Type: application/x-ndjson|");
    assertThat(requests.get(1)).endsWith("|{\"a\":1}\n");
  }

  @Test
  void aKeptConnectionTheNodeClosedWhileIdleIsReplacedWithoutLosingTheRequest() throws Exception {
    URI node = serve((c, r, body, out) -> {
      write(out, withLength(200, OK));
      return false; // answers, then closes what the client keeps
    });
    Http1Client h = client(Duration.ofSeconds(10));
    byte[] body = doc("{\"create\":{}}\n{\"n\":1}\n");
    for (int i = 0; i < 3; i++) {
      assertThat(ok(h, node, body)).isEqualTo(OK);
    }
    assertThat(requests).as("each request reached the node once").hasSize(3);
    assertThat(connections).hasValue(3);
  }

  @Test
  void connectionCloseAndAnAnswerThatEndsWithTheConnection() throws Exception {
    URI node = serve((c, r, body, out) -> {
      write(out, c == 0 ? "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: " + OK.length() + "\r\n\r\n" + OK
          : "HTTP/1.0 200 OK\r\n\r\n" + OK);
      return false;
    });
    Http1Client h = client(Duration.ofSeconds(10));
    byte[] body = doc("{\"create\":{}}\n{\"n\":1}\n");
    assertThat(ok(h, node, body)).isEqualTo(OK);
    assertThat(ok(h, node, body)).isEqualTo(OK);
    assertThat(connections).hasValue(2);
  }

  @Test
  void aNodeThatNeverAnswersOrStopsReadingTimesOut() throws Exception {
    URI node = serve((c, r, body, out) -> {
      try {
        release.await(); // holds the connection without an answer until the test ends
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    });
    Http1Client h = client(Duration.ofMillis(300));
    byte[] small = doc("{\"create\":{}}\n{\"n\":1}\n");
    assertThatThrownBy(() -> post(h, node, "", small, 0, small.length))
        .isInstanceOf(Http1Client.TimedOut.class).hasMessageContaining("within 0.3 s");
    // a body of 64 MiB: the server reads only the headers and then nothing, so the write itself blocks
    server.close();
    ServerSocket deaf = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    try (deaf) {
      Thread t = new Thread(() -> {
        try {
          accepted.add(deaf.accept());
        } catch (IOException e) {
          // closed
        }
      });
      t.setDaemon(true);
      t.start();
      URI slow = URI.create("http://127.0.0.1:" + deaf.getLocalPort() + "/_bulk");
      byte[] big = new byte[64 << 20];
      assertThatThrownBy(() -> post(h, slow, "", big, 0, big.length)).isInstanceOf(Http1Client.TimedOut.class);
    }
  }

  @Test
  void anAnswerCutInItsBodyIsAnErrorAndNotSentAgain() throws Exception {
    URI node = serve((c, r, body, out) -> {
      if (r == 0) {
        write(out, withLength(200, OK));
        return true;
      }
      write(out, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"took\":1,\"errors\":true,\"items\":[");
      return false;
    });
    Http1Client h = client(Duration.ofSeconds(10));
    byte[] body = doc("{\"create\":{}}\n{\"n\":1}\n");
    assertThat(ok(h, node, body)).isEqualTo(OK);
    // on the kept connection: the server has begun answering, so it has the request; only the runtime may resend it
    assertThatThrownBy(() -> post(h, node, "", body, 0, body.length)).isInstanceOf(EOFException.class)
        .hasMessageContaining("ended 4");
    assertThat(requests).hasSize(2);
    assertThat(connections).hasValue(1);
  }

  @Test
  void garbageIsABadAnswerAndARefusedPortIsUnreachable() throws Exception {
    URI node = serve((c, r, body, out) -> {
      write(out, "SSH-2.0-OpenSSH_9.6\r\n");
      return false;
    });
    Http1Client h = client(Duration.ofSeconds(10));
    byte[] body = doc("{\"create\":{}}\n{\"n\":1}\n");
    assertThatThrownBy(() -> post(h, node, "", body, 0, body.length)).isInstanceOf(Http1Client.BadAnswer.class)
        .hasMessageContaining("not HTTP/1.1: SSH-2.0");
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    URI none = URI.create("http://127.0.0.1:" + port + "/_bulk");
    assertThatThrownBy(() -> post(h, none, "", body, 0, body.length)).isInstanceOf(Http1Client.Unreachable.class);
  }

  @Test
  void anErrorAnswerKeepsItsFirstBytesAndTheConnection() throws Exception {
    String big = "{\"error\":{\"type\":\"x\",\"reason\":\"" + "r".repeat(5000) + "\"},\"status\":413}";
    URI node = serve((c, r, body, out) -> {
      write(out, r == 0 ? withLength(413, big) : withLength(200, OK));
      return true;
    });
    Http1Client h = client(Duration.ofSeconds(10));
    byte[] body = doc("{\"create\":{}}\n{\"n\":1}\n");
    Http1Client.Answer<String> a = post(h, node, "", body, 0, body.length);
    assertThat(a.status()).isEqualTo(413);
    assertThat(a.result()).isNull();
    assertThat(a.first()).hasSize(100).startsWith(doc("{\"error\":{\"type\":\"x\""));
    assertThat(ok(h, node, body)).isEqualTo(OK);
    assertThat(connections).hasValue(1);
  }

  @Test
  void retryAfterComesWithTheAnswerAndAPathlessUrlAsksForTheRoot() throws Exception {
    URI node = serve((c, r, body, out) -> {
      write(out, "HTTP/1.1 503 Busy\r\nRetry-After: 7\r\nContent-Length: 9\r\n\r\ntoo  busy");
      return true;
    });
    Http1Client h = client(Duration.ofSeconds(10));
    byte[] body = doc("x");
    URI root = URI.create("http://" + node.getRawAuthority());
    Http1Client.Answer<String> a = post(h, root, "", body, 0, body.length);
    assertThat(a.status()).isEqualTo(503);
    assertThat(a.retryAfter()).isEqualTo("7");
    assertThat(a.firstText()).isEqualTo("too busy");
    assertThat(requests.get(0)).startsWith("POST / HTTP/1.1|");
    assertThat(Http1Client.origin(root)).isEqualTo("http://127.0.0.1:" + server.getLocalPort());
  }

  @Test
  void anErrorAnswerWithoutALengthIsKeptWholeUpToTheLimitAndNoFurther() throws Exception {
    String text = "e".repeat(3000);
    URI node = serve((c, r, body, out) -> {
      // no length: chunked in pieces of 700 on the first connection, then one that ends with the connection
      if (c == 0) {
        StringBuilder b = new StringBuilder("HTTP/1.1 500 X\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < text.length(); i += 700) {
          String part = text.substring(i, Math.min(text.length(), i + 700));
          b.append(Integer.toHexString(part.length())).append("\r\n").append(part).append("\r\n");
        }
        write(out, b.append("0\r\n\r\n").toString());
        return false;
      }
      write(out, "HTTP/1.0 500 X\r\n\r\n" + text + text);
      return false;
    });
    http = new Http1Client(null, true, Duration.ofSeconds(5), Duration.ofSeconds(10), 4096, "http1-test-timer");
    byte[] body = doc("x");
    Http1Client.Answer<String> chunked = post(http, node, "", body, 0, body.length);
    assertThat(chunked.status()).isEqualTo(500);
    assertThat(new String(chunked.first(), StandardCharsets.UTF_8)).isEqualTo(text);
    Http1Client.Answer<String> toEnd = post(http, node, "", body, 0, body.length);
    assertThat(toEnd.first()).hasSize(4096);
    assertThat(toEnd.firstText()).isEqualTo("e".repeat(4096));
  }
}
