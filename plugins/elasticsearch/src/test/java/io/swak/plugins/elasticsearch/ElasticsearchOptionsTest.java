package io.swak.plugins.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.core.testing.AgentTestBase;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The request options of out.Elasticsearch against the real node: gzip bodies, bulk_actions, routing_key,
 * dedot underscore, pipeline, api_key.
 */
class ElasticsearchOptionsTest extends AgentTestBase {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final OpenSearchNode os = SharedOpenSearch.node();

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

  private void run(List<Map<String, Object>> records, String hosts, String options) throws Exception {
    GivenRecords.Given g = GivenRecords.give(id, "app", records);
    start("""
        - task:
          - in.GivenRecords: {name: %s}
          - out.Elasticsearch: {hosts: ["%s"], dead_letter_path: "${DIR}/dead.jsonl", %s}
        """.formatted(id, hosts, options));
    assertThat(g.acked.await(40, TimeUnit.SECONDS)).as("the batch is acknowledged").isTrue();
  }

  private Map<String, Long> counters() {
    return agent.tasks().get(0).counters().get(1).snapshot();
  }

  @Test
  void gzipBodiesInRequestsOfBulkActionsRoutedByAFieldWithUnderscoredKeys() throws Exception {
    String index = "options-" + id;
    os.request("PUT", "/" + index, "{\"settings\":{\"number_of_shards\":3}}", 200);
    run(records(25), os.httpUrl(), "index: " + index + ", compress: gzip, bulk_actions: 10, routing_key: user.id, "
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
    run(records(3), os.httpUrl(), "index: " + index + ", pipeline: \"no-such-" + id + "\"");

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
    run(records(3), os.httpUrl(), "index: " + index + ", pipeline: \"empty-" + id + "\"");
    assertThat(Documents.seqs(os, index)).containsExactlyInAnyOrder(1L, 2L, 3L);
  }

  @Test
  void anApiKeyGoesInTheAuthorizationHeader() throws Exception {
    String index = "apikey-" + id;
    try (ThrottlingNode proxy = new ThrottlingNode(os)) {
      run(records(2), proxy.url(), "index: " + index + ", api_key: \"${ES_TEST_KEY:-aWQ6a2V5}\"");
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
    run(records, os.httpUrl(), "index: \"${record.team.name}-%Y\", op: index, id_key: id, bulk_bytes: 1KiB");

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
