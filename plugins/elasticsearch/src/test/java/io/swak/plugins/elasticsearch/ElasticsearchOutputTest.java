package io.swak.plugins.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.core.runtime.StepCounters;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * out.Elasticsearch against a real OpenSearch 2.19 node: per-item outcomes, ids, data streams, daily indices, and
 * the request options (gzip, bulk_actions and bulk_bytes, routing_key, dedot, pipeline, api_key, op: index).
 */
class ElasticsearchOutputTest extends AgentTestBase {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final OpenSearchNode os = SharedOpenSearch.node();

  private static Map<String, Object> rec(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private GivenRecords.Given run(String tag, List<Map<String, Object>> records, String options) throws Exception {
    return run(tag, records, os.httpUrl(), options);
  }

  private GivenRecords.Given run(String tag, List<Map<String, Object>> records, String hosts, String options)
      throws Exception {
    GivenRecords.Given g = GivenRecords.give(id, tag, records);
    start("""
        - task:
          - in.GivenRecords: {name: %s}
          - out.Elasticsearch: {hosts: ["%s"], dead_letter_path: "${DIR}/dead.jsonl", %s}
        """.formatted(id, hosts, options));
    assertThat(g.acked.await(40, TimeUnit.SECONDS)).as("the batch is acknowledged").isTrue();
    return g;
  }

  private static List<Map<String, Object>> records(int n) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("seq", i);
      r.put("user.id", "u" + (i % 4));
      r.put("message", "line " + i);
      out.add(r);
    }
    return out;
  }

  private Map<String, Long> counters() {
    return agent.tasks().get(0).counters().get(1).snapshot();
  }

  @Test
  void aMappingConflictDeadLettersOnlyThatDocumentWithTheNodesReason() throws Exception {
    String index = "conflict-" + id;
    os.request("PUT", "/" + index, "{\"mappings\":{\"properties\":{\"n\":{\"type\":\"long\"}}}}", 200);
    run("app", List.of(rec("n", 1, "msg", "a"), rec("n", rec("x", 1), "msg", "b"), rec("n", 3, "msg", "c")),
        "index: " + index);

    List<String> docs = Documents.sources(os, index);
    assertThat(docs).hasSize(2);
    assertThat(String.join("\n", docs)).contains("\"msg\":\"a\"").contains("\"msg\":\"c\"").doesNotContain("\"b\"");
    List<String> dead = Files.readAllLines(dir.resolve("dead.jsonl"));
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0)).contains("\"msg\":\"b\"").contains("400 mapper_parsing_exception")
        .contains("failed to parse field [n]");
    Map<String, Long> c = counters();
    assertThat(c.get("dead_lettered")).isEqualTo(1);
    assertThat(c.get("items_dead_lettered.400")).isEqualTo(1);
    assertThat(c.keySet()).anyMatch(k -> k.startsWith("dead_lettered.400") && k.contains("mapper"));
    assertThat(c.get("docs_indexed")).isEqualTo(2);
    assertThat(c.getOrDefault("entries_retried", 0L)).isZero();
  }

  @Test
  void createOfAnIdTheIndexHasCountsAsDoneAndKeepsTheFirst() throws Exception {
    String index = "dup-" + id;
    run("app", List.of(rec("id", "a", "v", 1), rec("id", "b", "v", 1), rec("id", "a", "v", 2)),
        "index: " + index + ", id_key: id");

    List<String> docs = Documents.sources(os, index);
    assertThat(docs).hasSize(2);
    assertThat(os.request("GET", "/" + index + "/_doc/a", null, 200)).contains("\"v\":1");
    Map<String, Long> c = counters();
    assertThat(c.get("docs_already_indexed")).isEqualTo(1);
    assertThat(c.getOrDefault("dead_lettered", 0L)).isZero();
    assertThat(c.getOrDefault("entries_retried", 0L)).isZero();
    assertThat(Files.exists(dir.resolve("dead.jsonl"))).isFalse();
  }

  @Test
  void writesIntoADataStreamOfAnIndexTemplate() throws Exception {
    String dataset = "app" + id.substring(0, 8);
    os.request("PUT", "/_index_template/swak-" + dataset, "{\"index_patterns\":[\"logs-" + dataset
        + "-*\"],\"data_stream\":{},\"priority\":500}", 200);
    List<Map<String, Object>> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      records.add(rec("seq", i, "message", "line " + i));
    }
    run("app", records, "data_stream: {dataset: " + dataset + ", namespace: prod}");

    String stream = "logs-" + dataset + "-prod";
    assertThat(os.request("GET", "/_data_stream/" + stream, null, 200)).contains("\"name\":\"" + stream + "\"");
    List<String> docs = Documents.sources(os, stream);
    assertThat(docs).hasSize(20);
    assertThat(docs.get(0)).contains("\"@timestamp\":\"2023-11-14T22:13:20.123456789Z\"");
  }

  @Test
  void aDailyIndexFromTagAndTimeWithNestedDots() throws Exception {
    run("App Web", List.of(rec("http.status", 200, "http.method", "GET", "seq", 1)),
        "index: \"daily-${tag}-%Y.%m.%d\", dedot: nested, tag_key: tag");

    List<String> docs = Documents.sources(os, "daily-app_web-2023.11.14");
    assertThat(docs).hasSize(1);
    assertThat(docs.get(0)).contains("\"http\":{\"status\":200,\"method\":\"GET\"}")
        .contains("\"@timestamp\":\"2023-11-14T22:13:20.123456789Z\"").contains("\"tag\":\"App Web\"");
  }

  @Test
  void aNodeThatCannotBeReachedIsSkipped() throws Exception {
    String index = "skip-" + id;
    int dead = Ports.free(); // nothing listens: connections are refused
    GivenRecords.Given g = GivenRecords.give(id, "app", List.of(rec("seq", 1), rec("seq", 2)));
    start("""
        - task:
          - in.GivenRecords: {name: %s}
          - out.Elasticsearch: {hosts: ["http://127.0.0.1:%d", "%s"], index: %s}
        """.formatted(id, dead, os.httpUrl(), index));
    assertThat(g.acked.await(40, TimeUnit.SECONDS)).isTrue();
    assertThat(Documents.seqs(os, index)).containsExactly(1L, 2L);
    assertThat(counters().getOrDefault("retries", 0L)).as("the other node took it at once").isZero();
  }

  @Test
  void aSkippedNodeIsTriedAgainOnceItsWaitIsOverAndTakesItsShareWhenItIsBack() throws Exception {
    String index = "back-" + id;
    int port = Ports.free(); // refused until the proxy below opens it
    URI target = URI.create(os.httpUrl());
    GivenRecords.Given first = GivenRecords.give(id, "app", List.of(rec("seq", 1), rec("seq", 2)));
    start("""
        - task:
          - in.GivenRecords: {name: %s}
          - out.Elasticsearch: {hosts: ["http://127.0.0.1:%d", "%s"], index: %s}
        """.formatted(id, port, os.httpUrl(), index));
    assertThat(first.acked.await(40, TimeUnit.SECONDS)).isTrue();
    StepCounters out = agent.tasks().get(0).counters().get(1);
    assertThat(counters().get("nodes_skipped")).as("the refused node was skipped").isPositive();
    assertThat(counters().getOrDefault("retries", 0L)).as("the other node took the batch at once").isZero();

    try (Proxy proxy = new Proxy(port, target.getPort())) {
      // skipped for 1 s after its first refusal, then up again without a request having to fail first
      await().atMost(10, TimeUnit.SECONDS).until(() -> out.gauges().get("nodes_up") == 2);
      long seq = 3;
      for (int batch = 0; batch < 4; batch++, seq += 2) {
        GivenRecords.Given g = GivenRecords.give(id, "app", List.of(rec("seq", seq), rec("seq", seq + 1)));
        assertThat(g.acked.await(40, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(proxy.connections.get()).as("requests went through the node that came back").isPositive();
    }
    assertThat(Documents.seqs(os, index)).as("each once").containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
  }

  /** Forwards 127.0.0.1:from to 127.0.0.1:to byte for byte, counting the connections it accepted. */
  static final class Proxy implements AutoCloseable {
    final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    private final java.net.ServerSocket server;
    private final List<java.net.Socket> open = java.util.Collections.synchronizedList(new ArrayList<>());

    Proxy(int from, int to) throws java.io.IOException {
      server = new java.net.ServerSocket();
      server.setReuseAddress(true);
      server.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), from));
      Thread accept = new Thread(() -> {
        try {
          while (true) {
            java.net.Socket in = server.accept();
            java.net.Socket up = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), to);
            connections.incrementAndGet();
            open.add(in);
            open.add(up);
            pump(in, up);
            pump(up, in);
          }
        } catch (java.io.IOException closed) {
          // closed by close()
        }
      }, "proxy-accept");
      accept.setDaemon(true);
      accept.start();
    }

    private static void pump(java.net.Socket from, java.net.Socket to) {
      Thread t = new Thread(() -> {
        try {
          from.getInputStream().transferTo(to.getOutputStream());
          to.shutdownOutput();
        } catch (java.io.IOException gone) {
          // either side closed
        }
      }, "proxy-pump");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws java.io.IOException {
      server.close();
      synchronized (open) {
        for (java.net.Socket s : open) {
          s.close();
        }
      }
    }
  }

  @Test
  void gzipBodiesInRequestsOfBulkActionsRoutedByAFieldWithUnderscoredKeys() throws Exception {
    String index = "options-" + id;
    os.request("PUT", "/" + index, "{\"settings\":{\"number_of_shards\":3}}", 200);
    run("app", records(25), os.httpUrl(), "index: " + index + ", compress: gzip, bulk_actions: 10, routing_key: user.id, "
        + "dedot: underscore");

    os.request("POST", "/" + index + "/_refresh", null, 200);
    JsonNode hits = JSON.readTree(os.request("GET", "/" + index + "/_search?size=100", null, 200)).path("hits").path("hits");
    assertThat(hits).hasSize(25);
    for (JsonNode h : hits) {
      JsonNode src = h.path("_source");
      assertThat(src.has("user.id")).as("dedot underscore").isFalse();
      assertThat(h.path("_routing").asText()).as("routing_key").isEqualTo(src.path("user_id").asText())
          .startsWith("u");
    }
    Map<String, Long> c = counters();
    assertThat(c.get("docs_indexed")).isEqualTo(25);
    assertThat(c.get("bulk_requests")).as("25 documents, 10 a request").isEqualTo(3);
    // gzip: about 25 action lines and documents of ~150 bytes each would be ~3.7 KB uncompressed
    assertThat(c.get("request_bytes")).isPositive().isLessThan(2500);
  }

  @Test
  void aPipelineIsAskedForAndOneTheNodeDoesNotHaveRefusesEachDocumentWithItsReason() throws Exception {
    String index = "pipeline-" + id;
    run("app", records(3), os.httpUrl(), "index: " + index + ", pipeline: \"no-such-" + id + "\"");

    assertThat(os.send("GET", "/" + index + "/_count", null).statusCode()).as("not even the index was made")
        .isEqualTo(404);
    List<String> dead = Files.readAllLines(dir.resolve("dead.jsonl"));
    assertThat(dead).hasSize(3);
    assertThat(dead.get(0)).contains("pipeline with id [no-such-" + id + "] does not exist");
    assertThat(counters().get("dead_lettered")).isEqualTo(3);
  }

  @Test
  void aPipelineTheNodeHasIsUsed() throws Exception {
    String index = "piped-" + id;
    os.request("PUT", "/_ingest/pipeline/empty-" + id, "{\"description\":\"no processors\",\"processors\":[]}", 200);
    run("app", records(3), os.httpUrl(), "index: " + index + ", pipeline: \"empty-" + id + "\"");
    assertThat(Documents.seqs(os, index)).containsExactlyInAnyOrder(1L, 2L, 3L);
  }

  @Test
  void anApiKeyGoesInTheAuthorizationHeader() throws Exception {
    String index = "apikey-" + id;
    try (ThrottlingNode proxy = new ThrottlingNode(os)) {
      run("app", records(2), proxy.url(), "index: " + index + ", api_key: \"${ES_TEST_KEY:-aWQ6a2V5}\"");
      assertThat(proxy.authorizations).isNotEmpty().allMatch(a -> a.equals("ApiKey aWQ6a2V5"));
    }
    assertThat(Documents.seqs(os, index)).containsExactlyInAnyOrder(1L, 2L);
  }

  @Test
  void anIndexOfARecordFieldOpIndexReplacingAndRequestsOfBulkBytes() throws Exception {
    String team = "t" + id.substring(0, 8);
    List<Map<String, Object>> records = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", "doc-" + (i % 20)); // every id twice: the second replaces the first
      r.put("seq", i);
      r.put("team", Map.of("name", team));
      r.put("message", "x".repeat(100));
      records.add(r);
    }
    run("app", records, os.httpUrl(), "index: \"${record.team.name}-%Y\", op: index, id_key: id, bulk_bytes: 1KiB");

    String index = team + "-2023";
    assertThat(Documents.seqs(os, index)).as("the later of each id").containsExactlyInAnyOrderElementsOf(
        java.util.stream.LongStream.rangeClosed(21, 40).boxed().toList());
    Map<String, Long> c = counters();
    assertThat(c.get("docs_indexed")).isEqualTo(40);
    assertThat(c.get("bulk_requests")).as("40 documents of ~250 bytes, 1 KiB a request").isGreaterThanOrEqualTo(10);
    assertThat(c.get("request_bytes") / c.get("bulk_requests")).isLessThanOrEqualTo(1024);
    assertThat(c).containsKey("response_ms");
  }
}
