package io.swak.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import net.logstash.logback.appender.LogstashTcpSocketAppender;
import net.logstash.logback.argument.StructuredArguments;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;

/**
 * A Java application's logback with logstash-logback-encoder's LogstashTcpSocketAppender, pointed at in.Tcp as
 * it would be at Logstash's tcp input on 5959: every event arrives with every field and its own time.
 */
class LogstashLogbackTest extends AgentTestBase {

  @Test
  void theLogstashTcpAppenderLogsIntoInTcp() throws Exception {
    int port = Ports.free();
    start("""
        - task:
          - in.Tcp: {port: %d, format: json_lines, tag: app.java}
          - out.TestSink: {name: %s}
        """.formatted(port, id));
    Net.awaitListening(port);

    LoggerContext logback = new LoggerContext(); // the application's own, apart from the test JVM's logging
    logback.setName("app");
    // what logback's SLF4J provider does for its own context; MDC values of this one go through it
    LogbackMDCAdapter mdc = new LogbackMDCAdapter();
    logback.setMDCAdapter(mdc);
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(logback);
    encoder.start();
    LogstashTcpSocketAppender appender = new LogstashTcpSocketAppender();
    appender.setContext(logback);
    appender.setName("logstash");
    appender.addDestination("127.0.0.1:" + port);
    appender.setEncoder(encoder);
    appender.start();
    Logger log = logback.getLogger("com.example.Checkout");
    log.addAppender(appender);
    log.setAdditive(false);
    Instant before = Instant.now();
    try {
      for (int i = 1; i <= 500; i++) {
        mdc.put("order", "o-" + i);
        log.info("paid {}", i, StructuredArguments.kv("amount_cents", i * 100));
      }
      mdc.clear();
      log.error("card refused \u00e9\u4e2d", new IllegalStateException("declined"));
      await().atMost(Duration.ofSeconds(20)).until(() -> TestSink.state(id).received.size() == 501);
    } finally {
      appender.stop();
      logback.stop();
    }
    var got = TestSink.state(id).received;
    Event first = got.get(0);
    Map<String, Object> r = first.record();
    assertThat(r).containsEntry("message", "paid 1").containsEntry("logger_name", "com.example.Checkout")
        .containsEntry("level", "INFO").containsEntry("@version", "1").containsEntry("order", "o-1")
        .containsEntry("amount_cents", 100L).containsKeys("thread_name", "level_value")
        .doesNotContainKey("@timestamp");
    assertThat(first.tag()).isEqualTo("app.java");
    // @timestamp (microseconds of the application's clock) became the event time
    long t = first.timeNanos();
    assertThat(t).isBetween(before.toEpochMilli() * 1_000_000L - 1_000_000_000L, System.currentTimeMillis() * 1_000_000L);
    for (int i = 0; i < 500; i++) {
      assertThat(got.get(i).record()).containsEntry("message", "paid " + (i + 1));
    }
    Map<String, Object> err = got.get(500).record();
    assertThat(err).containsEntry("message", "card refused \u00e9\u4e2d").containsEntry("level", "ERROR");
    assertThat((String) err.get("stack_trace")).contains("IllegalStateException: declined");
    assertThat(Net.counter(agent, 0, "invalid_json")).isZero();
  }
}
