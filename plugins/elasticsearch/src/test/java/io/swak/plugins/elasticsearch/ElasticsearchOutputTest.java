package io.swak.plugins.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.core.testing.AgentTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** out.Elasticsearch against a real OpenSearch 2.19 node: per-item outcomes, ids, data streams, daily indices. */
class ElasticsearchOutputTest extends AgentTestBase {

  private final OpenSearchNode os = SharedOpenSearch.node();

  private static Map<String, Object> rec(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private GivenRecords.Given run(String tag, List<Map<String, Object>> records, String options) throws Exception {
    GivenRecords.Given g = GivenRecords.give(id, tag, records);
    start("""
        - task:
          - in.GivenRecords: {name: %s}
          - out.Elasticsearch: {hosts: ["%s"], dead_letter_path: "${DIR}/dead.jsonl", %s}
        """.formatted(id, os.httpUrl(), options));
    assertThat(g.acked.await(40, TimeUnit.SECONDS)).as("the batch is acknowledged").isTrue();
    return g;
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
    int dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = s.getLocalPort(); // closed below: connections to it are refused
    }
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
}
