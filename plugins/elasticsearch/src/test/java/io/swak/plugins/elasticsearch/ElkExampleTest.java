package io.swak.plugins.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.runtime.Agent;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Pipelines;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.logstash.logback.appender.LogstashTcpSocketAppender;
import net.logstash.logback.argument.StructuredArguments;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.marker.Markers;
import org.junit.jupiter.api.Test;

/**
 * The "done when": a Java application whose logback has logstash-logback-encoder's
 * LogstashTcpSocketAppender pointed at 127.0.0.1:5959, as it would be at Logstash, and Swak running
 * examples/elk.yml as it is (ES_URL = the real OpenSearch node in this JVM): every event lands in the daily index
 * of its time, each document exactly what the application sent, field for field.
 */
class ElkExampleTest extends AgentTestBase {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PORT = 5959; // examples/elk.yml's, Logstash's
  private static final int EVENTS = 300;

  private LogstashEncoder encoder(LoggerContext logback) {
    LogstashEncoder e = new LogstashEncoder();
    e.setContext(logback);
    e.setCustomFields("{\"app\":\"checkout\",\"env\":\"test\"}");
    e.start();
    return e;
  }

  private static Map<String, Object> customer(int i) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("id", i);
    c.put("tier", i % 2 == 0 ? "gold" : "basic");
    return c;
  }

  @Test
  void aLogstashLogbackAppOnPort5959LandsEveryFieldInTheDailyIndex() throws Exception {
    OpenSearchNode os = SharedOpenSearch.node();
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("ES_URL", os.httpUrl());
    env.remove("ES_USER");
    env.remove("ES_PASSWORD");
    String yaml = Files.readString(Path.of("../../examples/elk.yml"));
    AgentConfig cfg = new ConfigLoader(Pipelines.registry(), env).parse("elk.yml", yaml);
    agent = new Agent(cfg, dir.resolve("data"), Clock.systemUTC());
    agent.start();
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), PORT)) {
        return true;
      }
    });

    LoggerContext logback = new LoggerContext(); // the application's own, apart from the test JVM's logging
    logback.setName("app");
    LogbackMDCAdapter mdc = new LogbackMDCAdapter();
    logback.setMDCAdapter(mdc);
    LogstashTcpSocketAppender tcp = new LogstashTcpSocketAppender();
    tcp.setContext(logback);
    tcp.setName("logstash");
    tcp.addDestination("127.0.0.1:" + PORT);
    tcp.setEncoder(encoder(logback));
    // the same encoder writing to memory: the JSON lines the application sends, to compare each document with
    ByteArrayOutputStream sentBytes = new ByteArrayOutputStream();
    OutputStreamAppender<ILoggingEvent> copy = new OutputStreamAppender<>();
    copy.setContext(logback);
    copy.setName("copy");
    copy.setEncoder(encoder(logback));
    copy.setOutputStream(sentBytes);
    tcp.start();
    copy.start();
    Logger log = logback.getLogger("com.example.Checkout");
    log.addAppender(tcp);
    log.addAppender(copy);
    log.setAdditive(false);
    try {
      for (int i = 1; i < EVENTS; i++) {
        mdc.put("order", "o-" + i);
        mdc.put("seq", String.valueOf(i));
        log.info(Markers.append("total", i + 0.25).and(Markers.append("items", List.of("book", "pen"))),
            "paid {} for {}", StructuredArguments.kv("amount_cents", i * 100),
            StructuredArguments.v("customer", customer(i)));
      }
      mdc.put("seq", String.valueOf(EVENTS));
      log.error("card refused \u00e9\u4e2d \"quoted\"", new IllegalStateException("declined"));
      mdc.clear();
      await().atMost(Duration.ofSeconds(60)).until(() -> Documents.count(os, "logstash-*") == EVENTS);
    } finally {
      tcp.stop();
      copy.stop();
      logback.stop();
    }

    List<ObjectNode> sent = new ArrayList<>();
    for (String line : sentBytes.toString(StandardCharsets.UTF_8).split("\n")) {
      sent.add((ObjectNode) JSON.readTree(line));
    }
    assertThat(sent).hasSize(EVENTS);
    Map<String, JsonNode> indexed = new LinkedHashMap<>(); // by seq: the document's _index and _source
    JsonNode hits = JSON.readTree(os.request("GET", "/logstash-*/_search?size=1000", null, 200)).path("hits")
        .path("hits");
    for (JsonNode h : hits) {
      indexed.put(h.path("_source").path("seq").asText(), h);
    }
    assertThat(indexed).hasSize(EVENTS);
    DateTimeFormatter day = DateTimeFormatter.ofPattern("yyyy.MM.dd");
    for (ObjectNode want : sent) {
      JsonNode hit = indexed.get(want.path("seq").asText());
      assertThat(hit).as("document of seq %s", want.path("seq").asText()).isNotNull();
      ObjectNode got = ((ObjectNode) hit.path("_source")).deepCopy();
      // @timestamp: the application writes its zone's offset and microseconds, Swak writes UTC with nanoseconds
      OffsetDateTime t = OffsetDateTime.parse(want.remove("@timestamp").asText());
      OffsetDateTime back = OffsetDateTime.parse(got.remove("@timestamp").asText());
      assertThat(back.toInstant()).isEqualTo(t.toInstant());
      assertThat(back.getOffset()).isEqualTo(ZoneOffset.UTC);
      assertThat(got).as("every field as the application sent it").isEqualTo(want);
      assertThat(hit.path("_index").asText()).as("the daily index of the event's time")
          .isEqualTo("logstash-" + day.format(t.withOffsetSameInstant(ZoneOffset.UTC)));
    }
    JsonNode first = indexed.get("1").path("_source");
    assertThat(first.path("message").asText()).isEqualTo("paid amount_cents=100 for {id=1, tier=basic}");
    assertThat(first.path("amount_cents").asInt()).isEqualTo(100);
    assertThat(first.path("customer").path("tier").asText()).isEqualTo("basic");
    assertThat(first.path("total").asDouble()).isEqualTo(1.25);
    assertThat(first.path("app").asText()).isEqualTo("checkout");
    assertThat(indexed.get(String.valueOf(EVENTS)).path("_source").path("stack_trace").asText())
        .contains("IllegalStateException: declined");
    Map<String, Long> in = agent.tasks().get(0).counters().get(0).snapshot();
    assertThat(in.getOrDefault("invalid_json", 0L)).isZero();
    Map<String, Long> out = agent.tasks().get(0).counters().get(1).snapshot();
    assertThat(out.get("docs_indexed")).isEqualTo(EVENTS);
    assertThat(out.getOrDefault("dead_lettered", 0L)).isZero();
  }

  /** The Swak side of the README's "Replacing Logstash" loads with the real plugins (a renamed option fails here). */
  @Test
  void theReadmesLogstashReplacementLoads() throws Exception {
    String readme = Files.readString(Path.of("../../README.md"));
    String section = readme.substring(readme.indexOf("\n## Replacing Logstash\n"));
    int start = section.indexOf("```yaml\n") + "```yaml\n".length();
    String yaml = section.substring(start, section.indexOf("```", start));
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("ES_PASSWORD", "secret");
    AgentConfig cfg = new ConfigLoader(Pipelines.registry(), env).parse("README.md", yaml);
    assertThat(cfg.tasks()).hasSize(2);
    assertThat(cfg.tasks().get(1).toString()).contains("logstash-%Y.%m.%d").doesNotContain("secret");
  }
}
