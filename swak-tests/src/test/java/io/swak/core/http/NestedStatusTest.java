package io.swak.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A route's branches and their steps in /api/status, /metrics and health. */
class NestedStatusTest extends AgentTestBase {

  @Test
  void branchesAndTheirStepsAreShownUnderTheRouteStep() throws Exception {
    TestSink.state(id + "-dead").failing = true;
    start("""
        - agent: {health: {degraded_after: 1s, failing_after: 60s}}
        - task:
          - in.TestSource: {name: %1$s, total: 30, batch: 10}
          - route:
              dead: {steps: [{buffer: {type: memory, flush_interval: 50ms}}, {out.TestSink: {name: %1$s-dead, retry_wait: 50ms}}]}
              live: {steps: [{out.TestSink: {name: %1$s-live}}]}
        """.formatted(id));
    await().atMost(Duration.ofSeconds(10)).until(() -> TestSink.state(id + "-live").received.size() == 30);
    StatusReport report = new StatusReport(agent, Instant.now());
    JsonNode route = new ObjectMapper().readTree(report.json(Instant.now())).get("tasks").get(0).get("steps").get(1);
    assertThat(route.get("plugin").asText()).isEqualTo("route");
    assertThat(route.get("nested")).extracting(n -> n.get("name").asText()).containsExactly("dead", "live");
    JsonNode live = route.get("nested").get(1);
    assertThat(live.get("events_in").asLong()).isEqualTo(30);
    assertThat(live.get("nested").get(0).get("name").asText()).isEqualTo("1 out.TestSink");
    assertThat(live.get("nested").get(0).get("events_out").asLong()).isEqualTo(30);
    JsonNode deadBuffer = route.get("nested").get(0).get("nested").get(0);
    assertThat(deadBuffer.get("buffer_bytes").asLong()).isPositive();

    String metrics = PrometheusText.render(report);
    assertThat(metrics).contains("swak_events_in_total{task=\"task 1\",step=\"2\",plugin=\"route\",nested=\"live › 1 out.TestSink\"} 30");
    assertThat(metrics).containsPattern("swak_buffer_bytes\\{task=\"task 1\",step=\"2\",plugin=\"route\",nested=\"dead › 1 buffer\"} [1-9]");

    // the dead branch's output stalls: the task's health says where
    await().atMost(Duration.ofSeconds(10)).until(() -> report.health(agent.tasks().get(0)).reason().contains("dead › 2 out.TestSink"));
    assertThat(TestSource.state(id).window.committed()).isZero();
  }

  @Test
  void failoversOutputsCountWhatTheyWereSentAndWhatTheyDelivered() throws Exception {
    TestSink.state(id + "-down").failing = true;
    start("""
        - task:
          - in.TestSource: {name: %1$s, total: 30, batch: 10}
          - failover:
              outputs:
                - out.TestSink: {name: %1$s-down}
              last:
                out.TestSink: {name: %1$s-last}
              recover_interval: 1h
        """.formatted(id));
    await().atMost(Duration.ofSeconds(10)).until(() -> TestSink.state(id + "-last").received.size() == 30);
    StatusReport report = new StatusReport(agent, Instant.now());
    JsonNode failover = new ObjectMapper().readTree(report.json(Instant.now())).get("tasks").get(0).get("steps").get(1);
    assertThat(failover.get("nested")).extracting(n -> n.get("name").asText())
        .containsExactly("out.TestSink #1", "out.TestSink #2");
    JsonNode down = failover.get("nested").get(0);
    assertThat(down.get("events_in").asLong()).isPositive();
    assertThat(down.get("errors").asLong()).isPositive();
    assertThat(down.get("events_out").asLong()).isZero();
    JsonNode last = failover.get("nested").get(1);
    assertThat(last.get("events_in").asLong()).isEqualTo(30);
    assertThat(last.get("events_out").asLong()).isEqualTo(30);
    assertThat(last.get("errors").asLong()).isZero();
    assertThat(last.get("bytes_out").asLong()).isPositive();
    assertThat(PrometheusText.render(report)).contains(
        "swak_events_out_total{task=\"task 1\",step=\"2\",plugin=\"failover\",nested=\"out.TestSink #2\"} 30");
  }
}
