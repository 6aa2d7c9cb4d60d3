package io.swak.plugins.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Bad input on in.Http's port: a 1 GB body, a gzip bomb, slowloris, garbage. Answered, counted, others served. */
class HttpLimitsTest extends AgentTestBase {

  private int startHttp(String options) throws Exception {
    int port = Ports.free();
    start("""
        - task:
          - in.Http: {port: %d%s}
          - out.TestSink: {name: %s}
        """.formatted(port, options, id));
    await().until(() -> agent.tasks().get(0).state().equals("running"));
    return port;
  }

  private Map<String, Long> inputCounters() {
    return agent.tasks().get(0).counters().get(0).snapshot();
  }

  private static String answer(Socket s) throws IOException {
    s.setSoTimeout(20_000);
    return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return s;
  }

  private void stillServed(int port) throws Exception {
    assertThat(HttpInputTest.curl("-H", "Content-Type: application/json", "-d", "{\"after\":true}",
        "http://127.0.0.1:" + port + "/ok")).endsWith("200");
  }

  @Test
  void aOneGigabyteBodyIsRefused413WithoutBeingRead() throws Exception {
    int port = startHttp(", max_body_size: 1MiB");
    try (Socket s = connect(port)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /big HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[65536]);
      out.flush();
      assertThat(answer(s)).startsWith("HTTP/1.1 413").contains("larger than max_body_size");
    }
    // chunked, with no length announced: cut once max_body_size has arrived
    try (Socket s = connect(port)) {
      OutputStream out = s.getOutputStream();
      out.write("POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[65536];
      Arrays.fill(chunk, (byte) ' ');
      try {
        for (int i = 0; i < 16384; i++) { // up to 1 GiB, until the server closes
          out.write("10000\r\n".getBytes(StandardCharsets.US_ASCII));
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
      } catch (IOException closedByTheServer) {
        // expected: the server answered and closed long before 1 GiB
      }
    }
    assertThat(inputCounters().get("too_large_requests")).isEqualTo(2);
    stillServed(port);
    assertThat(TestSink.state(id).received).hasSize(1);
  }

  @Test
  void aGzipBombIsCutAtMaxBodySize() throws Exception {
    int port = startHttp(", max_body_size: 1MiB");
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(z)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 128; i++) {
        g.write(zeros); // 128 MiB of zeros, about 128 KB compressed: 128 times max_body_size
      }
    }
    byte[] bomb = z.toByteArray();
    try (Socket s = connect(port)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /bomb HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: " + bomb.length
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      try {
        out.write(bomb);
      } catch (IOException closedByTheServer) {
        // the answer came before all of it was sent
      }
      assertThat(answer(s)).startsWith("HTTP/1.1 413");
    }
    stillServed(port);
  }

  @Test
  void aRequestThatDoesNotArriveWithinRequestTimeoutIsAnswered408WhileOthersAreServed() throws Exception {
    int port = startHttp(", request_timeout: 1s");
    try (Socket slow = connect(port)) {
      slow.getOutputStream().write("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Le".getBytes(StandardCharsets.US_ASCII));
      stillServed(port);
      assertThat(answer(slow)).startsWith("HTTP/1.1 408");
    }
    try (Socket idle = connect(port); Socket body = connect(port)) {
      // an idle connection is left alone; a body that stops half-way is not
      body.getOutputStream().write("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":"
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(answer(body)).startsWith("HTTP/1.1 408");
      assertThat(idle.isClosed()).isFalse();
      idle.setSoTimeout(10);
      InputStream in = idle.getInputStream();
      assertThat(org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class, in::read))
          .isNotNull();
    }
    assertThat(inputCounters().get("slow_requests")).isEqualTo(2);
  }

  @Test
  void garbageOnThePortIsAnswered400AndClosed() throws Exception {
    int port = startHttp("");
    byte[] garbage = new byte[10_000];
    new Random(11).nextBytes(garbage);
    try (Socket s = connect(port)) {
      s.getOutputStream().write(garbage);
      s.getOutputStream().flush();
      String a = answer(s);
      assertThat(a).startsWith("HTTP/1.1 400");
    }
    stillServed(port);
    assertThat(inputCounters().get("bad_requests")).isPositive();
  }
}
