package io.swak.plugins.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad gRPC calls, sent with a real HTTP/2 client (OkHttp, prior knowledge, as the SDK's gRPC exporter does), get
 * the gRPC status the OTLP specification pairs with the HTTP answer, with a message; nothing is delivered.
 */
class GrpcWireTest extends AgentTestBase {

  static final String LOGS = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
  OkHttpClient client;
  int grpcPort;

  @BeforeEach
  void agent() throws Exception {
    grpcPort = Ports.free();
    start("""
        - task:
          - in.OpenTelemetry: {port: %d, grpc_port: %d, body_limit: 64KiB}
          - out.TestSink: {name: %s, window: 4}
        """.formatted(Ports.free(), grpcPort, id));
    Otlp.awaitListening(grpcPort);
    client = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
        .callTimeout(20, TimeUnit.SECONDS).build();
  }

  @AfterEach
  void closeClient() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  /** A gRPC message: not compressed, its length, its bytes. */
  static byte[] frame(int declaredLength, byte[] message) {
    return ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(declaredLength).put(message).array();
  }

  private Headers call(String path, byte[] body) throws Exception {
    Request req = new Request.Builder().url("http://127.0.0.1:" + grpcPort + path).header("te", "trailers")
        .post(RequestBody.create(body, MediaType.get("application/grpc"))).build();
    try (Response r = client.newCall(req).execute()) {
      r.body().bytes();
      Headers h = r.trailers();
      return h.get("grpc-status") != null ? h : r.headers(); // a trailers-only answer has them in the headers
    }
  }

  @Test
  void aGoodCallIsOk() throws Exception {
    byte[] msg = Otlp.numbered(1, 3).toByteArray();
    assertThat(call(LOGS, frame(msg.length, msg)).get("grpc-status")).isEqualTo("0");
    assertThat(TestSink.state(id).received).hasSize(3);
  }

  @Test
  void garbageIsInvalidArgumentWithTheReason() throws Exception {
    byte[] junk = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 9, 9};
    Headers h = call(LOGS, frame(junk.length, junk));
    assertThat(h.get("grpc-status")).isEqualTo("3");
    assertThat(h.get("grpc-message")).contains("cannot decode the protobuf body");
    assertThat(TestSink.state(id).received).isEmpty();
  }

  @Test
  void aLyingLengthPrefixIsRefused() throws Exception {
    byte[] msg = Otlp.numbered(1, 3).toByteArray();
    Headers h = call(LOGS, frame(1 << 30, msg)); // says 1 GiB, sends a few bytes
    assertThat(h.get("grpc-status")).isIn("3", "8"); // INVALID_ARGUMENT, or RESOURCE_EXHAUSTED for the size
    assertThat(h.get("grpc-message")).isNotBlank();
    assertThat(TestSink.state(id).received).isEmpty();
  }

  @Test
  void anUnknownMethodIsUnimplemented() throws Exception {
    byte[] msg = Otlp.numbered(1, 1).toByteArray();
    Headers h = call("/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export",
        frame(msg.length, msg));
    assertThat(h.get("grpc-status")).isEqualTo("12");
    assertThat(h.get("grpc-message")).contains("no such method");
  }
}
