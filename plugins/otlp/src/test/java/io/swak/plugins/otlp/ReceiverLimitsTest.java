package io.swak.plugins.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UnknownFieldSet;
import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad, huge and hostile requests get a clear answer and a counter, and lose nothing of the good ones. */
class ReceiverLimitsTest extends AgentTestBase {

  int port;

  @BeforeEach
  void agent() throws Exception {
    port = Ports.free();
    start("""
        - task:
          - in.OpenTelemetry: {port: %d, grpc_port: -1, body_limit: 64KiB, decompressed_limit: 1MiB, read_timeout: 1s,
              memory_limit: 256KiB}
          - out.TestSink: {name: %s, window: 4}
        """.formatted(port, id));
    Otlp.awaitListening(port);
  }

  private Map<String, Long> counters() {
    return agent.tasks().get(0).counters().get(0).snapshot();
  }

  private Map<String, Long> gauges() {
    return agent.tasks().get(0).counters().get(0).gauges();
  }

  private TestSink.State sink() {
    return TestSink.state(id);
  }

  /** The message of a google.rpc.Status body, read with protobuf's generic decoder (field 2). */
  private static String statusMessage(byte[] body) throws Exception {
    return UnknownFieldSet.parseFrom(body).getField(2).getLengthDelimitedList().get(0).toStringUtf8();
  }

  /** A good request still goes through after the bad one: nothing is lost. */
  private void stillWorks() throws Exception {
    int before = sink().received.size();
    assertThat(Otlp.post(port, Otlp.numbered(1, 10)).statusCode()).isEqualTo(200);
    assertThat(sink().received).hasSize(before + 10);
  }

  @Test
  void garbageIsAnswered400WithTheReason() throws Exception {
    HttpResponse<byte[]> r = Otlp.post(port, "/v1/logs", "application/x-protobuf",
        new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3}, Map.of());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(statusMessage(r.body())).contains("cannot decode the protobuf body of /v1/logs");
    HttpResponse<byte[]> j = Otlp.post(port, "/v1/logs", "application/json",
        "{\"resourceLogs\": [{\"scopeLogs\": 7}]}".getBytes(StandardCharsets.UTF_8), Map.of());
    assertThat(j.statusCode()).isEqualTo(400);
    assertThat(new String(j.body(), StandardCharsets.UTF_8)).contains("cannot decode the JSON body");
    assertThat(counters().get("bad_requests")).isEqualTo(2);
    assertThat(sink().received).isEmpty();
    stillWorks();
  }

  @Test
  void otlpJsonIsMappedLikeProtobuf() throws Exception {
    String json = """
        {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"js"}}]},
          "scopeLogs":[{"scope":{"name":"web"},"logRecords":[{"timeUnixNano":"1764000000123456789",
            "severityNumber":9,"severityText":"INFO","body":{"stringValue":"hello json"},
            "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
            "attributes":[{"key":"n","value":{"intValue":"5"}},{"key":"ok","value":{"boolValue":true}}]}]}]}]}
        """;
    HttpResponse<byte[]> r = Otlp.post(port, "/v1/logs", "application/json", json.getBytes(StandardCharsets.UTF_8),
        Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    Event e = sink().received.get(0);
    assertThat(e.timeNanos()).isEqualTo(1_764_000_000_123_456_789L);
    assertThat(e.record()).containsEntry("message", "hello json").containsEntry("severity_number", 9L)
        .containsEntry("trace_id", "5b8efff798038103d269b633813fc60c").containsEntry("span_id", "eee19b7ec3c1b174")
        .containsEntry("attributes", Map.of("n", 5L, "ok", true))
        .containsEntry("resource", Map.of("attributes", Map.of("service.name", "js")))
        .containsEntry("scope", Map.of("name", "web"));
  }

  @Test
  void aBodyAboveTheLimitIsAnswered413() throws Exception {
    HttpResponse<byte[]> r = Otlp.post(port, Otlp.numbered(1, 5000));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(statusMessage(r.body())).contains("body_limit");
    assertThat(counters().get("too_large")).isEqualTo(1);
    stillWorks();
  }

  @Test
  void aGzipBombIsStoppedAtTheDecompressedLimit() throws Exception {
    // 32 MiB of zeros is about 32 KiB of gzip: within body_limit on the wire, far above decompressed_limit
    ByteArrayOutputStream small = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(small)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 32; i++) {
        g.write(zeros);
      }
    }
    assertThat(small.size()).isLessThan(64 * 1024);
    HttpResponse<byte[]> r = Otlp.post(port, "/v1/logs", "application/x-protobuf", small.toByteArray(),
        Map.of("Content-Encoding", "gzip"));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(statusMessage(r.body())).contains("decompressed_limit");
    assertThat(counters().get("too_large")).isEqualTo(1);
    assertThat(gauges().get("request_bytes")).isZero(); // the budget was given back
    stillWorks();
  }

  @Test
  void aRequestWhoseDecodeNeedsMoreThanMemoryLimitIsTakenWhenAlone() throws Exception {
    var req = Otlp.numbered(1, 1400);
    int size = req.getSerializedSize();
    assertThat(size).isLessThan(64 * 1024); // within body_limit
    assertThat((long) size * Receiver.DECODE_FACTOR).isGreaterThan(256 * 1024); // above memory_limit once decoded
    assertThat(Otlp.post(port, req).statusCode()).isEqualTo(200);
    assertThat(sink().received).hasSize(1400);
    await().atMost(Duration.ofSeconds(10)).until(() -> gauges().get("request_bytes") == 0); // all given back
  }

  @Test
  void aSlowClientIsCutOffAfterTheReadTimeout() throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream out = s.getOutputStream();
      out.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n".getBytes(
          StandardCharsets.US_ASCII)); // and then nothing: the headers never end
      out.flush();
      s.setSoTimeout(10_000);
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 408");
    }
    assertThat(counters().get("slow_clients")).isEqualTo(1);
    stillWorks();
  }

  @Test
  void aClientThatHangsUpMidBodyLosesNothingOfOthers() throws Exception {
    byte[] body = Otlp.numbered(100, 10).toByteArray();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: "
          + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, body.length / 2);
      out.flush();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> gauges().get("request_bytes") == 0);
    assertThat(sink().received).isEmpty();
    stillWorks();
  }

  @Test
  void aLyingLengthAboveTheLimitIsRefusedBeforeTheBodyArrives() throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: "
          + "2000000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      byte[] head = new byte[12];
      int n = in.readNBytes(head, 0, 12);
      assertThat(new String(head, 0, n, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 413");
    }
    stillWorks();
  }

  @Test
  void wrongPathsMethodsAndTypesAreNamed() throws Exception {
    byte[] body = Otlp.numbered(1, 1).toByteArray();
    assertThat(Otlp.post(port, "/v1/log", "application/x-protobuf", body, Map.of()).statusCode()).isEqualTo(404);
    HttpResponse<byte[]> t = Otlp.post(port, "/v1/logs", "text/plain", body, Map.of());
    assertThat(t.statusCode()).isEqualTo(415);
    assertThat(statusMessage(t.body())).contains("application/x-protobuf or application/json");
    assertThat(sink().received).isEmpty();
    stillWorks();
  }
}
