package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health} of a real agent (bin/swak run) whose output cannot deliver: degraded while it retries,
 * failing (503) once nothing was delivered for the configured time, ok again when the server is back.
 */
class HealthTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path dir;

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void followsAnOutputThatCannotDeliverAndTellsKubernetesWithTheStatusCode() throws Exception {
    Receiver receiver = new Receiver(dir); // its port is free until it starts: nothing listens there yet
    Path cfg = dir.resolve("stuck.yml");
    Files.writeString(cfg, """
        - agent:
            http: {bind: 127.0.0.1, port: 0}
            health: {degraded_after: 1s, failing_after: 4s}
        - task:
          - in.FakeData: {type: json, rate: 50}
          - out.Fluentd: {host: 127.0.0.1, port: %d, retry_wait: 200ms, retry_max_wait: 500ms,
                          reconnect_wait: 200ms, reconnect_wait_max: 500ms}
          name: ship
        """.formatted(receiver.port));
    try (Launcher swak = Launcher.start(dir, Map.of(), "run", cfg.toString())) {
      Pattern address = Pattern.compile("HTTP status on http://([0-9.:]+)/");
      await().atMost(Duration.ofSeconds(30)).until(() -> address.matcher(swak.err()).find());
      Matcher m = address.matcher(swak.err());
      assertThat(m.find()).isTrue();
      String health = "http://" + m.group(1) + "/health";

      await().atMost(Duration.ofSeconds(20)).until(() -> get(health).body().contains("\"degraded\""));
      HttpResponse<String> degraded = get(health);
      assertThat(degraded.statusCode()).as(degraded.body()).isEqualTo(200);

      await().atMost(Duration.ofSeconds(20)).until(() -> get(health).statusCode() == 503);
      JsonNode failing = JSON.readTree(get(health).body());
      assertThat(failing.get("status").asText()).isEqualTo("failing");
      JsonNode task = failing.get("tasks").get(0);
      assertThat(task.get("task").asText()).isEqualTo("task 1 (ship)");
      assertThat(task.get("health").asText()).isEqualTo("failing");
      assertThat(task.get("reason").asText()).contains("step 2 (out.Fluentd)", "nothing delivered for", "waiting");

      receiver.start();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> get(health).statusCode() == 200
            && get(health).body().contains("\"ok\""));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(receiver.out) && Files.size(receiver.out) > 0);
      } finally {
        receiver.stop();
      }
      // the runtime's own lines say what happened in words, not with a Java exception's class name
      assertThat(swak.err().lines().filter(l -> l.contains("not delivered")))
          .isNotEmpty().noneMatch(l -> l.contains("Exception"));
      swak.signal("TERM");
      assertThat(swak.waitFor(Duration.ofSeconds(30))).isZero();
    }
  }
}
