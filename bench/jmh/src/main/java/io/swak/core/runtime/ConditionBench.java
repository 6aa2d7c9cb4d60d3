package io.swak.core.runtime;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.Processor;
import io.swak.api.Stage;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.config.StepConfig;
import io.swak.support.RecordWriter;
import io.swak.support.condition.Condition;
import io.swak.support.condition.Selection;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Events per second through a step with and without {@code when:}, one thread, the runtime's own chain
 * ({@link StepChain}) as a task builds it: a batch of 1024 records of ~200 bytes (an access log's fields, 1 in 8 with
 * status 503) through {@code modify: {set: {alert: true}}} alone ({@code modify}), with
 * {@code when: 'record.status >= 500'} ({@code modifyWhen}: the condition tested per event, the batch cut into runs,
 * modify on the taken ones) and with {@code match: "web.*"} ({@code modifyMatch}: decided once per batch, every event
 * taken); {@code whenOnly} is the condition's cost on a step that does nothing (a pass-through processor), and
 * {@code testOnly} the test of the condition on every event alone. Run: {@code bench/run.sh jmh ConditionBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class ConditionBench {

  static final int N = 1024;

  private Batch batch;
  private StepChain modify;
  private StepChain modifyWhen;
  private StepChain modifyMatch;
  private Stage whenOnly;
  private Condition condition;
  private Blackhole hole;

  @Setup(Level.Trial)
  public void setup(Blackhole bh) throws Exception {
    RecordWriter w = new RecordWriter(N * 256);
    for (int i = 0; i < N; i++) {
      w.beginEntry(1_700_000_000_000_000_000L + i);
      w.mapHeader(8);
      w.string("remote");
      w.string("203.0.113." + (i % 250));
      w.string("method");
      w.string("GET");
      w.string("path");
      w.string("/api/v1/orders/" + (10000 + i) + "?expand=items");
      w.string("status");
      w.integer(i % 8 == 0 ? 503 : 200);
      w.string("size");
      w.integer(5000 + i);
      w.string("took");
      w.real(0.001 * (i % 1000));
      w.string("referer");
      w.string("https://shop.example.com/cart");
      w.string("agent");
      w.string("Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0");
      w.endEntry();
    }
    batch = w.build("web.access", Ack.NONE);
    modify = chain("{set: {alert: true}}");
    modifyWhen = chain("{set: {alert: true}, when: 'record.status >= 500'}");
    modifyMatch = chain("{set: {alert: true}, match: \"web.*\"}");
    condition = Condition.expression("record.status >= 500");
    Processor passThrough = b -> b;
    whenOnly = new ConditionalStage(passThrough, condition, new StepCounters(), "bench");
    hole = bh;
  }

  private static StepChain chain(String modifyOptions) throws Exception {
    List<StepConfig> steps = new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse("bench.yml",
        "- task:\n  - in.FakeData: {type: apache}\n  - modify: " + modifyOptions + "\n").tasks().get(0).steps();
    StepChain c = new StepChain("bench", steps.subList(1, 2), List.of(new StepCounters()), new StepCounters(),
        Path.of(System.getProperty("java.io.tmpdir")), Clock.systemUTC(), new StopSignal());
    c.open();
    return c;
  }

  @TearDown(Level.Trial)
  public void close() {
    modify.close();
    modifyWhen.close();
    modifyMatch.close();
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public void modify() throws Exception {
    modify.head().emit(batch);
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public void modifyWhen() throws Exception {
    modifyWhen.head().emit(batch);
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public void modifyMatch() throws Exception {
    modifyMatch.head().emit(batch);
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public void whenOnly() throws Exception {
    whenOnly.accept(batch, b -> hole.consume(b));
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public int testOnly() {
    return Selection.of(batch).test(condition).taken;
  }
}
