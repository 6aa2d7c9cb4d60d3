package io.swak.plugins.fluentd.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.swak.api.Batch;
import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestContext;
import io.swak.core.testing.TestSource;
import io.swak.plugins.fluentd.testing.ForwardServer;
import io.swak.plugins.fluentd.testing.Receiver;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * out.Fluentd without `shared_key` sending to a server that requires the handshake: the server greets with HELO
 * and closes. Whether or not the output waits for acks, no batch may count as delivered, and the error must say
 * why; with the key set, everything arrives.
 */
class ForwardHandshakeTest extends AgentTestBase {

  final TestContext serverCtx = new TestContext();
  ForwardServer server;
  Receiver receiver;
  final Logger outputLog = (Logger) LoggerFactory.getLogger("swak.output");
  final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @AfterEach
  void closeServer() throws Exception {
    outputLog.detachAppender(logged);
    if (agent != null) {
      agent.stop();
      agent = null;
    }
    if (receiver != null) {
      receiver.close();
    }
    if (server != null) {
      server.close();
    }
    serverCtx.stop();
  }

  void startAgent(String extra) throws Exception {
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 10, total: 1000}
          - out.Fluentd: {host: 127.0.0.1, port: %d, heartbeat_type: none, retry_wait: 20ms, retry_max_wait: 100ms%s}
        """.formatted(id, server.port(), extra));
  }

  long committed() {
    return TestSource.state(id).window.committed();
  }

  @Test
  void withoutTheKeyAndWithoutAcksNothingCountsAsDeliveredAndTheErrorSaysWhy() throws Exception {
    server = ForwardServer.start(serverCtx, "shared_key: secret123");
    receiver = new Receiver(server);
    logged.start();
    outputLog.addAppender(logged);
    startAgent(", require_ack_response: false");
    await().atMost(Duration.ofSeconds(10)).until(() -> logged.list.stream().map(ILoggingEvent::getFormattedMessage)
        .anyMatch(m -> m.contains("the server requires the shared-key handshake (it sent HELO): set `shared_key`")));
    // the batches sent so far were all refused by the server: none may be acknowledged to the input
    assertThat(committed()).isZero();
    assertThat(receiver.received()).isZero();
    agent.stop();
    agent = null;

    startAgent(", require_ack_response: false, shared_key: secret123");
    List<Batch> got = receiver.take(1000);
    TreeSet<Long> seqs = new TreeSet<>();
    for (Batch b : got) {
      for (Event e : b.events()) {
        seqs.add(((Number) e.record().get("seq")).longValue());
      }
    }
    assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, 1000).boxed().toList());
    await().atMost(Duration.ofSeconds(10)).until(() -> committed() == 1000);
  }
}
