package io.swak.plugins.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailoverTest extends AgentTestBase {


  String config(long total, String startBy) {
    return """
        - task:
          - in.TestSource: {name: %1$s, batch: 10, total: %2$d}
          - failover:
            outputs:
            - out.TestSink: {name: %1$s-a}
            - out.TestSink: {name: %1$s-b}
            last:
              out.File: {path: "${DIR}/failed.txt", format: record}
            start_by: %3$s
            recover_interval: 200ms
        """.formatted(id, total, startBy);
  }

  @Test
  void secondaryTakesEverythingWhilePrimaryIsDownThenTrafficReturns() throws Exception {
    TestSink.State a = TestSink.state(id + "-a");
    TestSink.State b = TestSink.state(id + "-b");
    a.failing = true;
    agent = start(config(1_000_000, "tag_that_no_record_has"));
    await().atMost(Duration.ofSeconds(20)).until(() -> b.received.size() >= 200);
    assertThat(a.received).isEmpty();
    a.failing = false;
    await().atMost(Duration.ofSeconds(20)).until(() -> a.received.size() >= 200);
    // back on the primary: the secondary gets nothing more
    int bAfter = b.received.size();
    int aNow = a.received.size();
    await().atMost(Duration.ofSeconds(20)).until(() -> a.received.size() >= aNow + 100);
    assertThat(b.received).hasSize(bAfter);
    agent.stop();
    agent = null;
    // nothing lost, nothing twice, across both
    var all = new java.util.ArrayList<Long>(a.seqs());
    all.addAll(b.seqs());
    assertThat(all).doesNotHaveDuplicates();
    assertThat(all.stream().mapToLong(Long::longValue).max().orElse(0)).isEqualTo(all.size());
  }

  @Test
  void whenEveryOutputFailsLastGetsEveryEvent() throws Exception {
    TestSink.state(id + "-a").failing = true;
    TestSink.state(id + "-b").failing = true;
    agent = start(config(500, "ip"));
    Path failed = dir.resolve("failed.txt");
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(failed) && Files.readAllLines(failed).size() == 500);
    assertThat(Files.readAllLines(failed)).allMatch(l -> l.startsWith("{\"seq\":"));
  }

  @Test
  void startByFieldSpreadsDeterministically() throws Exception {
    agent = start("""
        - task:
          - in.FakeData: {type: people, count: 1, total: 40, seed: 5}
          - failover:
              outputs:
              - out.TestSink: {name: %1$s-a}
              - out.TestSink: {name: %1$s-b}
              start_by: username
        """.formatted(id));
    TestSink.State a = TestSink.state(id + "-a");
    TestSink.State b = TestSink.state(id + "-b");
    await().atMost(Duration.ofSeconds(20)).until(() -> a.received.size() + b.received.size() == 40);
    assertThat(a.received).isNotEmpty();
    assertThat(b.received).isNotEmpty();
    // the same value always goes to the same output
    for (var e : a.received) {
      assertThat(Math.floorMod(String.valueOf(e.record().get("username")).hashCode(), 2)).isZero();
    }
    for (var e : b.received) {
      assertThat(Math.floorMod(String.valueOf(e.record().get("username")).hashCode(), 2)).isEqualTo(1);
    }
  }

  @Test
  void theSeedExampleValidatesOnceItsPluginsExist() {
    // failover's own syntax from the seed: options beside the step name, `last` as a single step
    var loader = new io.swak.core.config.ConfigLoader(Pipelines.registry(), java.util.Map.of());
    org.assertj.core.api.Assertions.assertThatCode(() -> loader.parse("seed.yml", """
        - task:
          - in.FakeData
          - out.TimedBuffer:
              minutes: 5
          - failover:
            outputs:
            - out.Null
            - out.Null
            last:
              out.File:
                path: /tmp/failed.txt
            start_by: ip
        """)).doesNotThrowAnyException();
  }
}
