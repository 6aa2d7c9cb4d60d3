package io.swak.plugins.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.DataSize;
import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * {@code format: otlp} against the real broker, every value decoded or built with the official opentelemetry-proto
 * classes: out.Kafka writes one ExportLogsServiceRequest per event (what the OpenTelemetry Collector's Kafka
 * receiver reads with encoding otlp_proto), in.Kafka reads the Collector exporter's messages (requests of many
 * records), and a request goes OTLP → Kafka → Swak → Kafka → OTLP with every field intact.
 */
class KafkaOtlpTest extends AgentTestBase {

  private static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static KeyValue kv(String k, AnyValue v) {
    return KeyValue.newBuilder().setKey(k).setValue(v).build();
  }

  /** What a Collector's Kafka exporter puts in one message: two resources, a scope each, every LogRecord field. */
  static ExportLogsServiceRequest collectorMessage() {
    AnyValue body = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
        .addValues(kv("items", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(str("x"))
            .addValues(AnyValue.newBuilder().setIntValue(-3)).addValues(AnyValue.newBuilder().setDoubleValue(0.5))
            .addValues(AnyValue.newBuilder().setBoolValue(false))).build()))
        .addValues(kv("raw", AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {9, 0, -2})).build())))
        .build();
    LogRecord full = LogRecord.newBuilder()
        .setTimeUnixNano(1_767_225_600_123_456_789L)
        .setObservedTimeUnixNano(1_767_225_600_223_456_789L)
        .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_ERROR)
        .setSeverityText("ERROR")
        .setBody(body)
        .addAttributes(kv("http.route", str("/pay")))
        .addAttributes(kv("http.status", AnyValue.newBuilder().setIntValue(502).build()))
        .setDroppedAttributesCount(2)
        .setFlags(1)
        .setTraceId(ByteString.fromHex("0af7651916cd43dd8448eb211c80319c"))
        .setSpanId(ByteString.fromHex("b7ad6b7169203331"))
        .setEventName("payment.failed")
        .build();
    LogRecord second = LogRecord.newBuilder().setTimeUnixNano(1_767_225_601_000_000_000L).setBody(str("retrying"))
        .setSeverityNumberValue(9).build();
    ResourceLogs billing = ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", str("billing")))
            .addAttributes(kv("host.name", str("b1"))))
        .setSchemaUrl("https://opentelemetry.io/schemas/1.30.0")
        .addScopeLogs(ScopeLogs.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("io.swak.pay").setVersion("2.0.1")
                .addAttributes(kv("scope.attr", str("s"))))
            .setSchemaUrl("https://opentelemetry.io/schemas/1.29.0")
            .addLogRecords(full).addLogRecords(second))
        .build();
    ResourceLogs auth = ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", str("auth"))))
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(1_767_225_602_000_000_000L).setBody(str("login ok"))))
        .build();
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(billing).addResourceLogs(auth).build();
  }

  /** The request of each LogRecord alone, with its resource and scope: what out.Kafka writes for each event. */
  static List<ExportLogsServiceRequest> oneRecordEach(ExportLogsServiceRequest req) {
    List<ExportLogsServiceRequest> out = new ArrayList<>();
    for (ResourceLogs rl : req.getResourceLogsList()) {
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord r : sl.getLogRecordsList()) {
          out.add(ExportLogsServiceRequest.newBuilder().addResourceLogs(rl.toBuilder().clearScopeLogs()
              .addScopeLogs(sl.toBuilder().clearLogRecords().addLogRecords(r))).build());
        }
      }
    }
    return out;
  }

  private static KafkaOutputPlugin.Options otlpOut(String topic, String key) {
    return KafkaOutputTest.options(topic, key, RecordEncoder.Format.OTLP, null, Map.of(), DataSize.ofKiB(512));
  }

  private static Map<String, Object> rec(Object... kv) {
    return KafkaOutputTest.rec(kv);
  }

  @Test
  void outKafkaWritesOneExportLogsServiceRequestPerEventMappedFieldByField() throws Exception {
    String topic = SharedKafka.topic("otlp-out", 1);
    long t = 1_767_225_600_000_000_123L;
    Map<String, Object> layout = rec(
        "message", "card declined",
        "severity_text", "WARN",
        "severity_number", 13,
        "attributes", rec("http.status", 402, "retry", true),
        "trace_id", "0af7651916cd43dd8448eb211c80319c",
        "span_id", "b7ad6b7169203331",
        "flags", 1,
        "event_name", "card.declined",
        "observed_time_unix_nano", t + 5,
        "resource", rec("attributes", rec("service.name", "billing"), "schema_url", "https://example.com/s"),
        "scope", rec("name", "io.swak.pay", "version", "2.0.1"),
        "user", "u1");
    ExportMetricsServiceRequest metrics = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(
        ResourceMetrics.newBuilder().setResource(Resource.newBuilder().addAttributes(kv("service.name", str("db"))))
            .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("connections")
                .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder().setAsInt(12)
                    .setTimeUnixNano(t)))))).build();
    Batch b = new BatchBuilder()
        .add(t, layout)
        .add(t + 1, rec("message", "plain line", "user", "u2", "n", 3.5))
        .add(t + 2, rec("otlp_metrics", metrics.toByteArray())) // relayed by in.OpenTelemetry: passed as it came
        .build("app.billing", Ack.NONE);
    assertThat(KafkaOutputTest.sendOne(otlpOut(topic, "user"), b)).isEqualTo("delivered");

    List<ConsumerRecord<byte[], byte[]>> got = SharedKafka.readAll(topic); // one partition: in the events' order
    assertThat(got).hasSize(3);

    ExportLogsServiceRequest first = ExportLogsServiceRequest.parseFrom(got.get(0).value());
    assertThat(first.getResourceLogsCount()).isEqualTo(1);
    ResourceLogs rl = first.getResourceLogs(0);
    assertThat(rl.getResource().getAttributesList()).containsExactly(kv("service.name", str("billing")));
    assertThat(rl.getSchemaUrl()).isEqualTo("https://example.com/s");
    assertThat(rl.getScopeLogs(0).getScope().getName()).isEqualTo("io.swak.pay");
    assertThat(rl.getScopeLogs(0).getScope().getVersion()).isEqualTo("2.0.1");
    assertThat(rl.getScopeLogs(0).getLogRecordsCount()).isEqualTo(1);
    LogRecord r = rl.getScopeLogs(0).getLogRecords(0);
    assertThat(r.getTimeUnixNano()).isEqualTo(t);
    assertThat(r.getObservedTimeUnixNano()).isEqualTo(t + 5);
    assertThat(r.getBody()).isEqualTo(str("card declined"));
    assertThat(r.getSeverityText()).isEqualTo("WARN");
    assertThat(r.getSeverityNumber()).isEqualTo(SeverityNumber.SEVERITY_NUMBER_WARN);
    assertThat(r.getTraceId()).isEqualTo(ByteString.fromHex("0af7651916cd43dd8448eb211c80319c"));
    assertThat(r.getSpanId()).isEqualTo(ByteString.fromHex("b7ad6b7169203331"));
    assertThat(r.getFlags()).isEqualTo(1);
    assertThat(r.getEventName()).isEqualTo("card.declined");
    // the record's attributes, then any other key of the record (user) as an attribute
    assertThat(r.getAttributesList()).containsExactly(kv("http.status", AnyValue.newBuilder().setIntValue(402).build()),
        kv("retry", AnyValue.newBuilder().setBoolValue(true).build()), kv("user", str("u1")));
    // key, timestamp, partition: as for every format
    assertThat(new String(got.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("u1");
    assertThat(got.get(0).timestamp()).isEqualTo(t / 1_000_000);

    LogRecord plain = ExportLogsServiceRequest.parseFrom(got.get(1).value()).getResourceLogs(0).getScopeLogs(0)
        .getLogRecords(0);
    assertThat(plain.getBody()).isEqualTo(str("plain line"));
    assertThat(plain.getTimeUnixNano()).isEqualTo(t + 1);
    assertThat(plain.getAttributesList()).containsExactly(kv("user", str("u2")),
        kv("n", AnyValue.newBuilder().setDoubleValue(3.5).build()));

    assertThat(ExportMetricsServiceRequest.parseFrom(got.get(2).value())).isEqualTo(metrics);
  }

  @Test
  void theCollectorsMessagesComeInFieldByFieldAndGoOutAgainAsTheyCame() throws Exception {
    String in = SharedKafka.topic("otlp-in", 1);
    String out = SharedKafka.topic("otlp-relay", 1);
    String group = "g-" + in;
    ExportLogsServiceRequest sent = collectorMessage();
    // a Collector's message, an empty request (nothing to read, its offset still committed), bytes that are no
    // protobuf of a request (kept, counted), and a second request
    ExportLogsServiceRequest later = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setBody(str("no time"))))).build();
    try (var p = SharedKafka.producer()) {
      p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(in, null, 1_767_225_700_000L, null,
          sent.toByteArray())).get(30, TimeUnit.SECONDS);
      p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(in, new byte[0])).get(30, TimeUnit.SECONDS);
      p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(in, "{\"not\":\"otlp\"}"
          .getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
      p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(in, null, 1_767_225_800_000L, null,
          later.toByteArray())).get(30, TimeUnit.SECONDS);
    }
    start("""
        - task:
          - in.Kafka: {brokers: ["%s"], topics: [%s], group: %s, format: otlp, commit_interval: 100ms}
          - out.TestSink: {name: %s}
          - out.Kafka: {brokers: ["%s"], topic: %s, format: otlp}
        - task:
          - in.Kafka: {brokers: ["%s"], topics: [%s], group: %s-meta, format: otlp, metadata_key: kafka}
          - out.TestSink: {name: %s-meta}
        """.formatted(SharedKafka.bootstrap(), in, group, id, SharedKafka.bootstrap(), out,
        SharedKafka.bootstrap(), in, group, id));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(60)).until(() -> sink.received.size() == 5);
    await().atMost(Duration.ofSeconds(30)).until(() -> committed(group, in) == 4);

    List<Event> events = sink.received;
    Event full = events.get(0);
    assertThat(full.tag()).isEqualTo("kafka." + in);
    assertThat(full.timeNanos()).isEqualTo(1_767_225_600_123_456_789L);
    Map<String, Object> f = full.record();
    assertThat(f).containsEntry("severity_text", "ERROR").containsEntry("severity_number", 17L)
        .containsEntry("trace_id", "0af7651916cd43dd8448eb211c80319c").containsEntry("span_id", "b7ad6b7169203331")
        .containsEntry("flags", 1L).containsEntry("event_name", "payment.failed")
        .containsEntry("observed_time_unix_nano", 1_767_225_600_223_456_789L)
        .containsEntry("dropped_attributes_count", 2L);
    assertThat(f.get("attributes")).isEqualTo(Map.of("http.route", "/pay", "http.status", 502L));
    assertThat(f.get("resource")).isEqualTo(Map.of("attributes", Map.of("service.name", "billing", "host.name", "b1"),
        "schema_url", "https://opentelemetry.io/schemas/1.30.0"));
    assertThat(f.get("scope")).isEqualTo(Map.of("name", "io.swak.pay", "version", "2.0.1",
        "attributes", Map.of("scope.attr", "s"), "schema_url", "https://opentelemetry.io/schemas/1.29.0"));
    assertThat(events.get(1).record()).containsEntry("message", "retrying");
    assertThat(events.get(2).record()).containsEntry("message", "login ok")
        .containsEntry("resource", Map.of("attributes", Map.of("service.name", "auth")));
    // not a request: its bytes are the message, nothing dropped
    assertThat((byte[]) events.get(3).record().get("message")).asString(StandardCharsets.UTF_8)
        .isEqualTo("{\"not\":\"otlp\"}");
    // a record without a time of its own: the message's timestamp
    assertThat(events.get(4).timeNanos()).isEqualTo(1_767_225_800_000L * 1_000_000);
    assertThat(agent.tasks().get(0).counters().get(0).snapshot()).containsEntry("parse_errors", 1L);

    // and back out: one request per record, each the Collector's record with its resource and scope, unchanged
    List<ExportLogsServiceRequest> relayed = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> SharedKafka.readAll(out).size() == 5);
    for (ConsumerRecord<byte[], byte[]> m : SharedKafka.readAll(out)) {
      relayed.add(ExportLogsServiceRequest.parseFrom(m.value()));
    }
    assertThat(relayed.subList(0, 3)).containsExactlyElementsOf(oneRecordEach(sent));

    // with metadata_key, each record of a message also says where the message came from
    TestSink.State meta = TestSink.state(id + "-meta");
    await().atMost(Duration.ofSeconds(30)).until(() -> meta.received.size() == 5);
    assertThat(meta.received.get(1).record()).containsEntry("message", "retrying")
        .containsEntry("severity_number", 9L);
    assertThat(meta.received.get(1).record().get("kafka")).asInstanceOf(
        org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("topic", in).containsEntry("offset", 0L);
    assertThat(meta.received.get(4).record().get("kafka")).asInstanceOf(
        org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("offset", 3L);
  }

  @Test
  void anEventNestedDeeperThanOtlpReceiversAcceptIsRefusedAndTheOthersDelivered() throws Exception {
    String topic = SharedKafka.topic("otlp-deep", 1);
    Map<String, Object> deep = rec("leaf", 1);
    for (int i = 0; i < 70; i++) {
      deep = rec("d", deep);
    }
    Batch b = new BatchBuilder().add(1, rec("message", "before")).add(2, rec("message", "deep", "x", deep))
        .add(3, rec("message", "after")).build("t", Ack.NONE);
    // sending it again could never help: the batch goes to the dead-letter file, the other two are in Kafka
    assertThat(KafkaOutputTest.sendOne(otlpOut(topic, null), b))
        .startsWith("rejected: 1 of 3 messages refused by Kafka for good: the event cannot be encoded as an OTLP "
            + "LogRecord").contains("nested deeper than 60 levels").contains("the other 2 were delivered");
    List<String> bodies = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> m : SharedKafka.readAll(topic)) {
      bodies.add(ExportLogsServiceRequest.parseFrom(m.value()).getResourceLogs(0).getScopeLogs(0).getLogRecords(0)
          .getBody().getStringValue());
    }
    assertThat(bodies).containsExactly("before", "after");
  }

  @Test
  void timeKeyIsRefusedWithOtlp() {
    assertThatThrownBy(() -> KafkaOutputTest.options("t", null, RecordEncoder.Format.OTLP, "@timestamp", Map.of(),
        DataSize.ofKiB(512))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("`time_key` is for json and msgpack");
  }

  private static long committed(String group, String topic) throws Exception {
    try (Admin admin = SharedKafka.broker().admin()) {
      Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      OffsetAndMetadata o = m.get(new TopicPartition(topic, 0));
      return o == null ? -1 : o.offset();
    }
  }
}
