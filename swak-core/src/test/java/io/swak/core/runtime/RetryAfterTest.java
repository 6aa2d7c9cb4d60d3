package io.swak.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.api.Batch;
import io.swak.api.Option;
import io.swak.api.Output;
import io.swak.api.Plugin;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receipt that says when to come back ({@code failed(reason, retryAfter)}): Delivery waits that long instead of its
 * shorter backoff, on the task thread and in a window, and never longer than retry_max_wait.
 */
class RetryAfterTest {

  /** An output whose first {@code refuse} sends fail asking for {@code after_ms}; it notes when each send came. */
  static final class Busy implements Output {
    static final Map<String, Busy> BY_NAME = new ConcurrentHashMap<>();
    final AtomicInteger refuse = new AtomicInteger();
    final List<Long> sends = new CopyOnWriteArrayList<>();
    final List<Long> delivered = new CopyOnWriteArrayList<>();
    final Options o;

    record Options(@Option(value = "name", required = true) String name,
                   @Option(value = "refused sends", defaultValue = "1") int refuse,
                   @Option(value = "asked wait", defaultValue = "600") long afterMs,
                   @Option(value = "window", defaultValue = "1") int window) { }

    static final class P extends Plugin<Options> {
      P() {
        super("out.Busy", "test output asking for a later retry", Options.class, Busy::new);
      }
    }

    Busy(Options o) {
      this.o = o;
      refuse.set(o.refuse());
      BY_NAME.put(o.name(), this);
    }

    @Override
    public int window() {
      return o.window();
    }

    @Override
    public void send(Batch batch, Receipt receipt) {
      sends.add(System.nanoTime());
      if (refuse.getAndDecrement() > 0) {
        receipt.failed("busy", Duration.ofMillis(o.afterMs()));
      } else {
        delivered.add(System.nanoTime());
        receipt.delivered();
      }
    }
  }

  @TempDir
  Path dir;

  private io.swak.core.runtime.Agent agent;
  private final String id = UUID.randomUUID().toString();

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.stop();
    }
  }

  private Busy run(String busyOptions, String retry) throws Exception {
    PluginRegistry r = Pipelines.registry();
    r.register(new Busy.P());
    AgentConfig cfg = new ConfigLoader(r, Map.of()).parse("t.yml", """
        - task:
          - in.TestSource: {name: %1$s, batch: 5, total: 5}
          - out.Busy: {name: %1$s, %2$s, %3$s}
        """.formatted(id, busyOptions, retry));
    agent = new Agent(cfg, dir.resolve("data"), Clock.systemUTC());
    agent.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 5);
    return Busy.BY_NAME.get(id);
  }

  private static long gapMillis(List<Long> sends, int i) {
    return (sends.get(i) - sends.get(i - 1)) / 1_000_000;
  }

  @ParameterizedTest(name = "window {0}")
  @ValueSource(ints = {1, 4})
  void theAskedWaitReplacesAShorterBackoff(int window) throws Exception {
    Busy b = run("refuse: 2, after_ms: 600, window: " + window, "retry_wait: 10ms, retry_max_wait: 10s");
    assertThat(b.sends).hasSize(3);
    assertThat(gapMillis(b.sends, 1)).isGreaterThanOrEqualTo(590);
    assertThat(gapMillis(b.sends, 2)).isGreaterThanOrEqualTo(590);
  }

  @Test
  void aLongerBackoffIsKept() throws Exception {
    Busy b = run("refuse: 1, after_ms: 1", "retry_wait: 500ms, retry_max_wait: 10s");
    // the backoff's first wait is 500 ms ± 20 %: the asked 1 ms does not shorten it
    assertThat(gapMillis(b.sends, 1)).isGreaterThanOrEqualTo(390);
  }

  @Test
  void theAskedWaitIsCutToRetryMaxWait() throws Exception {
    Busy b = run("refuse: 1, after_ms: 3600000", "retry_wait: 10ms, retry_max_wait: 200ms");
    assertThat(gapMillis(b.sends, 1)).isBetween(190L, 5000L);
  }
}
