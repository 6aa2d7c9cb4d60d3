package io.swak.plugins.fluentd.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.api.Ack;
import io.swak.api.BatchBuilder;
import io.swak.core.testing.InputContract;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import io.swak.plugins.fluentd.testing.ForwardServer;
import io.swak.plugins.fluentd.testing.WireMessages;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * in.Forward passes the input contract: a client on a real socket sends PackedForward messages with chunk ids.
 * It keeps no positions (its senders resend what was not acknowledged), so it shows instead that a client's ack
 * waits until the task's output delivered the events.
 */
class ForwardInputContractTest extends InputContract {

  @Override
  protected Source source(Path dir) throws Exception {
    return new ForwardClient(Ports.free());
  }

  /** One client connection, opened at the first message, kept for the others so that their order holds. */
  static final class ForwardClient implements Source {
    final int port;
    private Socket socket;
    private int chunks;

    ForwardClient(int port) {
      this.port = port;
    }

    @Override
    public String step() {
      return "in.Forward: {bind: 127.0.0.1, port: " + port + "}";
    }

    /** Sends the events as one message with a chunk id, and returns the ack it expects. */
    byte[] send(long from, int n) throws Exception {
      if (socket == null) {
        // the agent was started just before; its task binds the listener on a thread of its own
        socket = await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
          Socket s = new Socket();
          s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
          return s;
        }, s -> true);
      }
      BatchBuilder b = new BatchBuilder();
      for (long i = from; i < from + n; i++) {
        b.add(1_700_000_000_000_000_000L + i, Map.of("seq", i, "message", "event " + i));
      }
      String chunk = "contract-" + (++chunks);
      socket.getOutputStream().write(WireMessages.encode(b.build("contract", Ack.NONE),
          WireMessages.Mode.PACKED_BIN, chunk));
      // {"ack": chunk}: fixmap of one, fixstr "ack", the chunk as a fixstr
      byte[] c = chunk.getBytes(StandardCharsets.US_ASCII);
      byte[] ack = new byte[6 + c.length];
      ack[0] = (byte) 0x81;
      ack[1] = (byte) 0xa3;
      System.arraycopy("ack".getBytes(StandardCharsets.US_ASCII), 0, ack, 2, 3);
      ack[5] = (byte) (0xa0 | c.length);
      System.arraycopy(c, 0, ack, 6, c.length);
      return ack;
    }

    @Override
    public void produce(long from, int n) throws Exception {
      send(from, n);
    }

    InputStream replies() throws IOException {
      return socket.getInputStream();
    }

    void replyTimeout(Duration d) throws IOException {
      socket.setSoTimeout((int) d.toMillis());
    }

    @Override
    public boolean keepsPositions() {
      return false;
    }

    @Override
    public void close() throws Exception {
      if (socket != null) {
        socket.close();
      }
    }
  }

  @Test
  void aSendersAckWaitsUntilTheOutputDeliveredTheEvents() throws Exception {
    try (ForwardClient client = (ForwardClient) source(dir)) {
      TestSink.State sink = TestSink.state(id);
      sink.holding = true; // the output has the events but has not delivered them
      start("""
          - task:
            - %s
            - out.TestSink: {name: %s, window: 4}
          """.formatted(client.step(), id));
      byte[] ack = client.send(1, 100);
      client.replyTimeout(Duration.ofMillis(500));
      assertThatThrownBy(() -> client.replies().read()).as("no ack before delivery")
          .isInstanceOf(SocketTimeoutException.class);
      sink.holding = false;
      client.replyTimeout(Duration.ofSeconds(10));
      assertThat(client.replies().readNBytes(ack.length)).as("the ack, once delivered").isEqualTo(ack);
      await().atMost(Duration.ofSeconds(10)).until(() -> sink.received.size() == 100);
    }
  }
}
