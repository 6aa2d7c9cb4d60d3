package io.swak.plugins.elasticsearch;

import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Input;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.api.StepContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * {@code in.GivenRecords} (tests): emits the records a test gave under a name, as one batch, event i at second
 * 1,700,000,000 + i (so in a daily index of 2023.11.14); a latch says when the batch was acknowledged. Records
 * given again under the same name make another batch.
 */
public final class GivenRecords implements Input {

  /** Records given by a test, and whether their batch was acknowledged. */
  static final class Given {
    final List<Map<String, Object>> records;
    final String tag;
    final CountDownLatch acked = new CountDownLatch(1);

    Given(String tag, List<Map<String, Object>> records) {
      this.tag = tag;
      this.records = records;
    }
  }

  static final Map<String, Given> GIVEN = new ConcurrentHashMap<>();

  static Given give(String name, String tag, List<Map<String, Object>> records) {
    Given g = new Given(tag, records);
    GIVEN.put(name, g);
    return g;
  }

  static final long FIRST_SECOND = 1_700_000_000L;

  /** Options of in.GivenRecords. */
  public record Options(@Option(value = "Name the test gave the records under.", required = true) String name) { }

  /** Registration. */
  public static final class P extends Plugin<Options> {
    public P() {
      super("in.GivenRecords", "test input: records a test gave", Options.class, GivenRecords::new);
    }
  }

  private final Options o;
  private StepContext context;
  private Given emitted;

  GivenRecords(Options o) {
    this.o = o;
  }

  @Override
  public void start(StepContext ctx) {
    this.context = ctx;
  }

  @Override
  public Batch poll(Duration maxWait) {
    Given g = GIVEN.get(o.name());
    if (g == null || g == emitted) {
      context.sleep(maxWait);
      return null;
    }
    emitted = g;
    BatchBuilder b = new BatchBuilder();
    for (int i = 0; i < g.records.size(); i++) {
      b.add((FIRST_SECOND + i) * 1_000_000_000L + 123_456_789L, g.records.get(i));
    }
    return b.build(g.tag, g.acked::countDown);
  }
}
