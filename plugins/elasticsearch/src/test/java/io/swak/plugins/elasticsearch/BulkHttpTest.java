package io.swak.plugins.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swak.core.testing.Ports;
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
 * The blocking HTTP/1.1 client of out.Elasticsearch against a server on a real socket that answers as a script says:
 * chunked and length-delimited answers, kept connections, a node that closes an idle one, one that stops reading or
 * answering, an answer cut in its body, and an error answer larger than what is kept of it.
 */
class BulkHttpTest {

  private static final String OK = "{\"took\":1,\"errors\":false,\"items\":[{\"create\":{\"status\":201}}]}";

  /** What the server does with the n-th request (from 0) of a connection: false closes the connection instead. */
  interface Script {
    boolean answer(int connection, int request, byte[] body, OutputStream out) throws IOException;
  }

  private ServerSocket server;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private BulkHttp http;
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

  private Nodes.Node serve(Script script) throws IOException {
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
    return new Nodes.Node("http://127.0.0.1:" + server.getLocalPort(),
        URI.create("http://127.0.0.1:" + server.getLocalPort() + "/_bulk?pipeline=p"));
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

  private BulkHttp client(Duration requestTimeout) {
    http = new BulkHttp(null, true, Duration.ofSeconds(5), requestTimeout, 100, "bulk-http-test-timer");
    return http;
  }

  private static byte[] doc(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void chunkedAndLengthAnswersOnOneKeptConnection() throws Exception {
    Nodes.Node node = serve((c, r, body, out) -> {
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
    BulkHttp h = client(Duration.ofSeconds(10));
    byte[] body = doc("{\"create\":{}}\n{\"a\":1}\n{\"create\":{}}\n{\"a\":{}}\n");
    BulkHttp.Answer first = h.post(node, "Content-Type: application/x-ndjson\r\n", body, 0, body.length);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.result().items).isEqualTo(2);
    assertThat(first.result().failures).containsExactly(new BulkAnswer.Failure(1, 400, "mapper_parsing_exception", "bad"));
    BulkHttp.Answer second = h.post(node, "Content-Type: application/x-ndjson\r\n", body, 14, 8);
    assertThat(second.result().allSucceeded).isTrue();
    assertThat(connections).hasValue(1);
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0)).startsWith("POST /_bulk?pipeline=p HTTP/1.1|Host: 127.0.0.1:" + server.getLocalPort()
        + "|Content-Length: " + body.length + "|Content-Type: application/x-ndjson|");
    assertThat(requests.get(1)).endsWith("|{\"a\":1}\n");
  }

  @Test
  void aKeptConnectionTheNodeClosedWhileIdleIsReplacedWithoutLosingTheRequest() throws Exception {
    Nodes.Node node = serve((c, r, body, out) -> {
      write(out, withLength(200, OK));
      return false; // answers, then closes what the client keeps
    });
    BulkHttp h = client(Duration.ofSeconds(10));
    byte[] body = doc("{\"create\":{}}\n{\"n\":1}\n");
    for (int i = 0; i < 3; i++) {
      assertThat(h.post(node, "", body, 0, body.length).result().allSucceeded).isTrue();
    }
    assertThat(requests).as("each request reached the node once").hasSize(3);
    assertThat(connections).hasValue(3);
  }

  @Test
  void connectionCloseAndAnAnswerThatEndsWithTheConnection() throws Exception {
    Nodes.Node node = serve((c, r, body, out) -> {
      write(out, c == 0 ? "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: " + OK.length() + "\r\n\r\n" + OK
          : "HTTP/1.0 200 OK\r\n\r\n" + OK);
      return false;
    });
    BulkHttp h = client(Duration.ofSeconds(10));
    byte[] body = doc("{\"create\":{}}\n{\"n\":1}\n");
    assertThat(h.post(node, "", body, 0, body.length).result().allSucceeded).isTrue();
    assertThat(h.post(node, "", body, 0, body.length).result().allSucceeded).isTrue();
    assertThat(connections).hasValue(2);
  }

  @Test
  void aNodeThatNeverAnswersOrStopsReadingTimesOut() throws Exception {
    Nodes.Node node = serve((c, r, body, out) -> {
      try {
        release.await(); // holds the connection without an answer until the test ends
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    });
    BulkHttp h = client(Duration.ofMillis(300));
    byte[] small = doc("{\"create\":{}}\n{\"n\":1}\n");
    assertThatThrownBy(() -> h.post(node, "", small, 0, small.length)).isInstanceOf(BulkHttp.TimedOut.class)
        .hasMessageContaining("request_timeout 0.3 s");
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
      Nodes.Node slow = new Nodes.Node("deaf", URI.create("http://127.0.0.1:" + deaf.getLocalPort() + "/_bulk"));
      byte[] big = new byte[64 << 20];
      assertThatThrownBy(() -> h.post(slow, "", big, 0, big.length)).isInstanceOf(BulkHttp.TimedOut.class);
    }
  }

  @Test
  void anAnswerCutInItsBodyIsAnErrorAndNotSentAgain() throws Exception {
    Nodes.Node node = serve((c, r, body, out) -> {
      if (r == 0) {
        write(out, withLength(200, OK));
        return true;
      }
      write(out, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"took\":1,\"errors\":true,\"items\":[");
      return false;
    });
    BulkHttp h = client(Duration.ofSeconds(10));
    byte[] body = doc("{\"create\":{}}\n{\"n\":1}\n");
    assertThat(h.post(node, "", body, 0, body.length).result().allSucceeded).isTrue();
    // on the kept connection: the node has begun answering, so it has the request; only the runtime may resend it
    assertThatThrownBy(() -> h.post(node, "", body, 0, body.length)).isInstanceOf(EOFException.class)
        .hasMessageContaining("ended 4");
    assertThat(requests).hasSize(2);
    assertThat(connections).hasValue(1);
  }

  @Test
  void garbageIsNotBulkAndARefusedPortIsUnreachable() throws Exception {
    Nodes.Node node = serve((c, r, body, out) -> {
      write(out, "SSH-2.0-OpenSSH_9.6\r\n");
      return false;
    });
    BulkHttp h = client(Duration.ofSeconds(10));
    byte[] body = doc("{\"create\":{}}\n{\"n\":1}\n");
    assertThatThrownBy(() -> h.post(node, "", body, 0, body.length)).isInstanceOf(BulkAnswer.NotBulk.class)
        .hasMessageContaining("not HTTP/1.1: SSH-2.0");
    int port = Ports.free();
    Nodes.Node none = new Nodes.Node("none", URI.create("http://127.0.0.1:" + port + "/_bulk"));
    assertThatThrownBy(() -> h.post(none, "", body, 0, body.length)).isInstanceOf(BulkHttp.Unreachable.class);
  }

  @Test
  void anErrorAnswerKeepsItsFirstBytesAndTheConnection() throws Exception {
    String big = "{\"error\":{\"type\":\"x\",\"reason\":\"" + "r".repeat(5000) + "\"},\"status\":413}";
    Nodes.Node node = serve((c, r, body, out) -> {
      write(out, r == 0 ? withLength(413, big) : withLength(200, OK));
      return true;
    });
    BulkHttp h = client(Duration.ofSeconds(10));
    byte[] body = doc("{\"create\":{}}\n{\"n\":1}\n");
    BulkHttp.Answer a = h.post(node, "", body, 0, body.length);
    assertThat(a.status()).isEqualTo(413);
    assertThat(a.first()).hasSize(100).startsWith(doc("{\"error\":{\"type\":\"x\""));
    assertThat(h.post(node, "", body, 0, body.length).result().allSucceeded).isTrue();
    assertThat(connections).hasValue(1);
  }
}
