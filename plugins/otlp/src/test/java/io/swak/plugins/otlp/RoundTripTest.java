package io.swak.plugins.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.swak.core.runtime.Agent;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.Ports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every field survives the trip both ways: OTLP → Swak → OTLP gives back the request that was sent (decoded by
 * the official classes), and Swak → OTLP → Swak gives back the same events (compared as out.File writes them).
 */
class RoundTripTest extends AgentTestBase {

  Agent second;
  CapturingReceiver reference;

  @AfterEach
  void stopSecond() throws Exception {
    if (second != null) {
      second.stop();
    }
    if (reference != null) {
      reference.close();
    }
  }

  @Test
  void everyFieldOfALogRecordRoundTripsThroughTwoAgents() throws Exception {
    reference = new CapturingReceiver();
    int first = Ports.free();
    int next = Ports.free();
    Path dir2 = dir.resolve("second");
    Files.createDirectories(dir2);
    // agent 1: OTLP in, a file of what it received, OTLP out to agent 2
    start("""
        - task:
          - in.OpenTelemetry: {port: %d, grpc_port: -1}
          - out.File: {path: "${DIR}/first.jsonl"}
          - out.OpenTelemetry: {endpoint: "http://127.0.0.1:%d"}
        """.formatted(first, next));
    // agent 2: OTLP in, a file of what it received, OTLP out to a receiver that decodes with the official classes
    second = Pipelines.start(dir2, """
        - task:
          - in.OpenTelemetry: {port: %d, grpc_port: -1}
          - out.File: {path: "${DIR}/second.jsonl"}
          - out.OpenTelemetry: {endpoint: "%s", compression: none}
        """.formatted(next, reference.endpoint()));
    Otlp.awaitListening(first);
    Otlp.awaitListening(next);
    ExportLogsServiceRequest sent = Otlp.everyField();
    assertThat(Otlp.post(first, sent).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).until(() -> reference.records().size() == 3);

    // OTLP → Swak → Swak → OTLP: the very request that was sent, field by field
    assertThat(reference.requests).hasSize(1);
    assertThat(reference.requests.get(0)).isEqualTo(sent);

    // Swak events → OTLP → Swak events: the same lines (tag, time in ns, every key)
    List<String> a = lines(dir.resolve("first.jsonl"));
    List<String> b = lines(dir2.resolve("second.jsonl"));
    assertThat(a).hasSize(3);
    assertThat(b).containsExactlyElementsOf(a);
    assertThat(a.get(0)).contains("\"time\":\"2025-11-24T16:00:00.123456789Z\"")
        .contains("\"trace_id\":\"5b8efff798038103d269b633813fc60c\"").contains("\"event_name\":\"browser.click\"")
        .contains("\"dropped_attributes_count\":3").contains("\"schema_url\":\"https://opentelemetry.io/schemas/1.29.0\"");
    // a record without a time of its own travels with its observed time, and says its own was unknown
    assertThat(a.get(1)).contains("\"time_unix_nano\":0").contains("\"observed_time_unix_nano\":1764000001000000000");
  }

  @Test
  void linesOfAFileArriveAsLogRecordsWithTheirTime() throws Exception {
    reference = new CapturingReceiver();
    Path log = dir.resolve("app.log");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      lines.add("line " + i + " é ✓");
    }
    Files.write(log, lines, StandardCharsets.UTF_8);
    start("""
        - task:
          - in.FileTail: {path: "${DIR}/app.log", read_from_head: true, tag: app}
          - out.OpenTelemetry: {endpoint: "%s", tag_attribute: fluent.tag, resource: {service.name: web}}
        """.formatted(reference.endpoint()));
    await().atMost(Duration.ofSeconds(20)).until(() -> reference.records().size() >= 1000);
    List<LogRecord> got = reference.records();
    assertThat(got.stream().map(r -> r.getBody().getStringValue()).toList()).containsExactlyElementsOf(lines);
    assertThat(got).allSatisfy(r -> {
      assertThat(r.getTimeUnixNano()).isPositive();
      assertThat(r.getAttributesList()).anySatisfy(kv -> {
        assertThat(kv.getKey()).isEqualTo("fluent.tag");
        assertThat(kv.getValue().getStringValue()).isEqualTo("app");
      });
    });
    assertThat(reference.requests.get(0).getResourceLogs(0).getResource().getAttributes(0).getValue()
        .getStringValue()).isEqualTo("web");
    assertThat(reference.encodings).allSatisfy(e -> assertThat(e).isEqualTo("gzip"));
  }

  private static List<String> lines(Path p) throws Exception {
    return Files.exists(p) ? Files.readAllLines(p) : List.of();
  }
}
