package io.swak.plugins.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.api.EntryReader;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** out.Http: formats, gzip, headers from the config, retries on 429 and its reason; and out.Http into in.Http. */
class HttpOutputTest extends AgentTestBase {

  @Test
  void outHttpIntoInHttpGzippedKeepsEveryEventInOrder() throws Exception {
    int port = Ports.free();
    start("""
        - task:
          - in.Http: {port: %d}
          - out.TestSink: {name: %s}
        - task:
          - in.TestSource: {name: %s, batch: 100, total: 1000}
          - out.Http: {url: "http://127.0.0.1:%d/relayed", format: json, compress: gzip, retry_wait: 50ms}
        """.formatted(port, id, id, port));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(30)).until(() -> sink.received.size() >= 1000);
    assertThat(sink.received).allSatisfy(e -> assertThat(e.tag()).isEqualTo("relayed"));
    // the envelope: {tag, time, record}
    assertThat(sink.received.get(0).record()).containsEntry("tag", "test").containsKey("time");
    List<Object> seqs = sink.received.stream().map(e -> ((Map<?, ?>) e.record().get("record")).get("seq"))
        .map(Object.class::cast).toList();
    assertThat(seqs).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 1000).boxed().toList());
  }

  @Test
  void ndjsonAndMsgpackBodiesWithConfiguredHeaders() throws Exception {
    try (HttpReceiver server = new HttpReceiver()) {
      start("""
          - task:
            - in.TestSource: {name: %s, batch: 10, total: 10, tag: app.one}
            - out.Http: {url: "%s", format: ndjson, envelope: false, headers: {Authorization: "Bearer t0ken"}}
          - task:
            - in.TestSource: {name: %s-2, batch: 10, total: 10, tag: app.two}
            - out.Http: {url: "%s", format: msgpack}
          """.formatted(id, server.url("/nd"), id, server.url("/mp")));
      await().atMost(Duration.ofSeconds(30)).until(() -> server.requests.size() >= 2);
      HttpReceiver.Request nd = server.requests.stream().filter(r -> r.contentType().equals("application/x-ndjson"))
          .findFirst().orElseThrow();
      assertThat(nd.authorization()).isEqualTo("Bearer t0ken");
      assertThat(nd.text().lines().toList()).hasSize(10).first().isEqualTo("{\"seq\":1}");
      HttpReceiver.Request mp = server.requests.stream().filter(r -> r.contentType().equals("application/msgpack"))
          .findFirst().orElseThrow();
      assertThat(mp.tag()).isEqualTo("app.two");
      int n = 0;
      try (EntryReader r = new EntryReader(mp.body(), 0, mp.body().length)) {
        while (r.hasNext()) {
          r.next();
          n++;
          assertThat(r.record()).containsEntry("seq", (long) n);
        }
      }
      assertThat(n).isEqualTo(10);
    }
  }

  @Test
  void a429IsRetriedWithTheServersRetryAfterInTheReason() throws Exception {
    try (HttpReceiver server = new HttpReceiver()) {
      server.status = 429;
      server.retryAfter = "2";
      start("""
          - task:
            - in.TestSource: {name: %s, batch: 5, total: 5}
            - out.Http: {url: "%s", retry_wait: 20ms, retry_max_wait: 50ms}
          """.formatted(id, server.url("/busy")));
      await().atMost(Duration.ofSeconds(30)).until(() -> agent.tasks().get(0).counters().get(1).snapshot()
          .get("retries") >= 2);
      assertThat(agent.tasks().get(0).counters().get(1).lastFailure()).isEqualTo(server.url("")
          + " answered 429 (Retry-After: 2): refused with 429");
      assertThat(server.requests).isEmpty();
      server.retryAfter = null;
      server.status = 200;
      await().atMost(Duration.ofSeconds(30)).until(() -> server.requests.size() == 1);
      assertThat(server.requests.get(0).text()).startsWith("[{\"tag\":\"test\",\"time\":\"");
    }
  }

  @Test
  void withSeveralRequestsInFlightEveryEventArrivesOnce() throws Exception {
    try (HttpReceiver server = new HttpReceiver()) {
      server.refuseNext.set(3); // three requests answered 429 first: sent again while others are on their way
      start("""
          - task:
            - in.TestSource: {name: %s, batch: 20, total: 1000}
            - out.Http: {url: "%s", format: ndjson, envelope: false, in_flight: 4, retry_wait: 20ms,
                         headers: {content-type: "application/json; charset=utf-8"}}
          """.formatted(id, server.url("/many")));
      await().atMost(Duration.ofSeconds(30)).until(() -> server.requests.stream()
          .mapToLong(r -> r.text().lines().count()).sum() >= 1000);
      List<String> lines = server.requests.stream().flatMap(r -> r.text().lines()).toList();
      assertThat(lines).doesNotHaveDuplicates().hasSize(1000).contains("{\"seq\":1}", "{\"seq\":1000}");
      assertThat(server.requests).extracting(HttpReceiver.Request::contentType)
          .containsOnly("application/json; charset=utf-8");
    }
  }

  @Test
  void aHeaderValueThatWouldBreakTheRequestIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> start("""
        - task:
          - in.TestSource: {name: %s, batch: 1, total: 1}
          - out.Http: {url: "http://127.0.0.1:9/x", headers: {Authorization: "Bearer s3cret\\r\\nX-Evil: 1"}}
        """.formatted(id)))
        .hasMessageContaining("the value of header Authorization has a line break")
        .hasMessageNotContaining("s3cret");
  }
}
