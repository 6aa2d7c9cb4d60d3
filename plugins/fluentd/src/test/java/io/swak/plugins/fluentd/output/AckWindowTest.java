package io.swak.plugins.fluentd.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
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
import io.swak.plugins.fluentd.testing.Steps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * out.Fluentd with acks keeps several batches on their way (the runtime's window), through the real
 * runtime, to an in.Forward whose acks the test releases: in.Forward acks a message only when the
 * test acknowledges its batch.
 */
class AckWindowTest extends AgentTestBase {

  final TestContext serverCtx = new TestContext();
  final List<ForwardServer> servers = new ArrayList<>();

  @AfterEach
  void closeServers() throws Exception {
    if (agent != null) {
      agent.stop(); // before the servers, so the agent does not wait on them
      agent = null;
    }
    for (ForwardServer s : servers) {
      s.close();
    }
    serverCtx.stop();
  }

  ForwardServer server(int port) throws Exception {
    ForwardServer s = port == 0 ? ForwardServer.start(serverCtx, "") : ForwardServer.start(serverCtx, port, "");
    servers.add(s);
    return s;
  }

  void startAgent(int port, String extra) throws Exception {
    startAgent(port, extra, 50);
  }

  void startAgent(int port, String extra, int total) throws Exception {
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 10, total: %d}
          - out.Fluentd: {host: 127.0.0.1, port: %d, require_ack_response: true, heartbeat_type: none,
                          retry_wait: 20ms, retry_max_wait: 100ms%s}
        """.formatted(id, total, port, extra));
  }

  /** Polls the server until {@code events} events arrived, without acknowledging any. */
  static List<Batch> receive(ForwardServer s, int events) throws Exception {
    return receive(s, events, false);
  }

  /** Polls the server until {@code events} events arrived, acknowledging each batch when {@code ack}. */
  static List<Batch> receive(ForwardServer s, int events, boolean ack) throws Exception {
    // batches sent again go one at a time, each waiting for its ack
    return Steps.receiveUntil(s, ack, got -> got.stream().mapToInt(Batch::count).sum() >= events);
  }

  static TreeSet<Long> seqs(List<Batch> batches) {
    TreeSet<Long> out = new TreeSet<>();
    for (Batch b : batches) {
      for (Event e : b.events()) {
        out.add(((Number) e.record().get("seq")).longValue());
      }
    }
    return out;
  }

  long committed() {
    return TestSource.state(id).window.committed();
  }

  /** Acks out.Fluentd took from the server. */
  long acks() {
    return agent.tasks().get(0).counters().get(1).snapshot().getOrDefault("acks", 0L);
  }

  @Test
  void severalBatchesAreOnTheirWayAndEachIsAcknowledgedOnlyWhenTheServerAcksIt() throws Exception {
    ForwardServer s = server(0);
    startAgent(s.port(), "");
    // all five batches arrive although the server has acknowledged none: they were sent without waiting
    List<Batch> got = receive(s, 50);
    assertThat(got).hasSize(5);
    assertThat(committed()).isZero();
    got.get(0).ack().done();
    got.get(1).ack().done();
    await().atMost(Duration.ofSeconds(5)).until(() -> committed() == 20);
    got.get(3).ack().done(); // out of order: the input's checkpoint waits for the third
    await().atMost(Duration.ofSeconds(5)).until(() -> acks() == 3);
    assertThat(committed()).isEqualTo(20);
    got.get(2).ack().done();
    got.get(4).ack().done();
    await().atMost(Duration.ofSeconds(5)).until(() -> committed() == 50);
    assertThat(seqs(got)).hasSize(50).first().isEqualTo(1L);
    assertThat(acks()).isEqualTo(5);
  }

  @Test
  void noMoreThanTheWindowIsOnItsWayUnacknowledged() throws Exception {
    ForwardServer s = server(0);
    startAgent(s.port(), "", 100);
    List<Batch> first = receive(s, 10 * FluentdOutput.WINDOW);
    assertThat(first).hasSize(FluentdOutput.WINDOW);
    // the ninth batch has been read and waits for an ack: nothing more comes meanwhile
    await().atMost(Duration.ofSeconds(5)).until(() -> TestSource.state(id).emitted >= 9 * 10);
    assertThat(s.poll(Duration.ofMillis(300))).isNull();
    first.get(0).ack().done();
    List<Batch> next = receive(s, 10);
    assertThat(next).hasSize(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> TestSource.state(id).emitted >= 10 * 10);
    assertThat(s.poll(Duration.ofMillis(300))).isNull();
    first.forEach(b -> b.ack().done());
    next.forEach(b -> b.ack().done());
    receive(s, 10, true);
    await().atMost(Duration.ofSeconds(5)).until(() -> committed() == 100);
  }

  @Test
  void batchesOnTheirWayWhenTheServerGoesAwayAreSentAgainThoughNothingNewComes() throws Exception {
    ForwardServer first = server(0);
    int port = first.port();
    startAgent(port, "");
    List<Batch> lost = receive(first, 50);
    assertThat(committed()).isZero();
    first.close(); // the connection breaks with five batches unacknowledged; the input has nothing more
    ForwardServer second = server(port);
    List<Batch> again = receive(second, 50, true);
    assertThat(seqs(again)).isEqualTo(seqs(lost)).hasSize(50);
    await().atMost(Duration.ofSeconds(5)).until(() -> committed() == 50);
    assertThat(agent.tasks().get(0).counters().get(1).snapshot().get("resends")).isEqualTo(5);
  }

  @Test
  void anAckThatDoesNotComeInTimeSendsTheBatchAgain() throws Exception {
    ForwardServer s = server(0);
    startAgent(s.port(), ", ack_response_timeout: 300ms");
    // never acknowledged: they time out (a batch may come twice: at least once is the promise)
    List<Batch> unanswered = Steps.receiveUntil(s, false, got -> seqs(got).size() >= 50);
    try (Receiver r = new Receiver(s)) { // acks each batch at once, on its own thread
      await().atMost(Duration.ofSeconds(10)).until(() -> committed() == 50);
      assertThat(seqs(r.take(50))).isEqualTo(seqs(unanswered)).hasSize(50);
    }
    assertThat(agent.tasks().get(0).counters().get(1).snapshot().get("errors")).isPositive();
  }

  @Test
  void acksAreTheDefaultAndTheRuntimeWarnsWhenTheyAreTurnedOff() throws Exception {
    Logger outputLog = (Logger) LoggerFactory.getLogger("swak.output");
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    outputLog.addAppender(logged);
    try {
      ForwardServer s = server(0);
      start("""
          - task:
            - in.TestSource: {name: %s, batch: 10, total: 20}
            - out.Fluentd: {host: 127.0.0.1, port: %d, heartbeat_type: none}
          """.formatted(id, s.port()));
      List<Batch> got = receive(s, 20);
      assertThat(committed()).isZero(); // each batch waits for its ack: nothing counts as delivered when written
      got.forEach(b -> b.ack().done());
      await().atMost(Duration.ofSeconds(5)).until(() -> committed() == 20);
      assertThat(acks()).isEqualTo(2);
      assertThat(logged.list).noneMatch(e -> e.getFormattedMessage().contains("at-most-once"));
      agent.stop();
      agent = null;

      start("""
          - task:
            - in.TestSource: {name: %s-no-acks, batch: 10, total: 20}
            - out.Fluentd: {host: 127.0.0.1, port: %d, heartbeat_type: none, require_ack_response: false}
          """.formatted(id, s.port()));
      // the task starts its steps on its own thread
      await().atMost(Duration.ofSeconds(5)).until(() -> logged.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
          && e.getFormattedMessage().contains(
          "at-most-once delivery: a batch counts as delivered once written to the socket; the server does not "
          + "acknowledge it (require_ack_response: false)")));
    } finally {
      outputLog.detachAppender(logged);
    }
  }

  @Test
  void withoutAcksABatchIsAcknowledgedOnceWrittenAndAWriteThatFailsIsSentAgain() throws Exception {
    int port;
    try (java.net.ServerSocket gone = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      port = gone.getLocalPort(); // nobody listens yet: the first sends fail, and their batches wait
    }
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 10, total: 50}
          - out.Fluentd: {host: 127.0.0.1, port: %d, heartbeat_type: none, retry_wait: 20ms, retry_max_wait: 100ms,
                          require_ack_response: false}
        """.formatted(id, port));
    await().atMost(Duration.ofSeconds(5))
        .until(() -> agent.tasks().get(0).counters().get(1).snapshot().get("errors") > 0);
    assertThat(committed()).isZero();
    ForwardServer s = server(port);
    List<Batch> got = receive(s, 50); // the server acknowledges nothing: written is what counts
    // each once and in order: batches behind the failed one were given back too, and written again after it
    List<Long> arrived = got.stream().flatMap(b -> b.events().stream())
        .map(e -> ((Number) e.record().get("seq")).longValue()).toList();
    assertThat(arrived).isEqualTo(java.util.stream.LongStream.rangeClosed(1, 50).boxed().toList());
    await().atMost(Duration.ofSeconds(5)).until(() -> committed() == 50);
  }
}
