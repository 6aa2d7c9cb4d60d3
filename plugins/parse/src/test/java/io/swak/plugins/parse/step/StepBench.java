package io.swak.plugins.parse.step;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.core.testing.TestContext;
import io.swak.parsers.ParserOptions;
import io.swak.support.RecordWriter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Events per second of the steps' hot paths on one thread: a batch of 1024 records {message: line} (what
 * in.FileTail emits) through ParseStep.process — find the field, parse, write the new entries — and grep on one
 * field. Lines from the parser benchmarks (swak-parsers test-jar: bench/BenchLines, ~200 bytes). Run from plugins/parse after
 * {@code mvn -B -ntp -o -q -pl plugins/parse -am test-compile -DskipTests}:
 * {@code java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) org.openjdk.jmh.Main StepBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:+UseParallelGC"})
@State(Scope.Thread)
public class StepBench {

  static final int N = 1024;

  private Batch json;
  private Batch nginx;
  private Batch logfmt;
  private Batch grepBatch;
  private ParseStep jsonStep;
  private ParseStep nginxStep;
  private ParseStep nginxRegexStep;
  private ParseStep logfmtStep;
  private GrepStep grepStep;

  static Batch batch(byte[][] lines) {
    RecordWriter w = new RecordWriter(N * 256);
    for (int i = 0; i < N; i++) {
      w.beginEntry(1_000_000_000L);
      w.mapHeader(1);
      w.string("message");
      w.string(lines[i % lines.length]);
      w.endEntry();
    }
    return w.build("bench", Ack.NONE);
  }

  static ParseStep parse(String format, String regex, Map<String, String> types, String timeKey, String timeFormat) {
    ParseStep s = new ParseStep(new ParsePlugin.Options("message", format, new ParserOptions(
        regex, types, null, ",", timeKey,
        timeFormat, null, false, false, ParserOptions.OnError.KEEP, null)));
    s.start(new TestContext());
    return s;
  }

  @Setup
  public void setup() throws Exception {
    json = batch(lines(io.swak.parsers.bench.BenchAccess::json));
    nginx = batch(lines(io.swak.parsers.bench.BenchAccess::nginx));
    logfmt = batch(lines(io.swak.parsers.bench.BenchAccess::logfmt));
    jsonStep = parse("json", null, null, "time", "iso8601");
    nginxStep = parse("nginx", null, null, null, null);
    nginxRegexStep = parse("regex", io.swak.parsers.bench.BenchAccess.FLUENT_BIT_NGINX,
        Map.of("code", "int", "size", "int"), "time", "%d/%b/%Y:%H:%M:%S %z");
    logfmtStep = parse("logfmt", null, null, "time", "iso8601");
    grepBatch = jsonStep.process(json); // records of several fields, as grep meets them after a parse
    grepStep = new GrepStep(new GrepPlugin.Options(Map.of("level", "^(error|warn)$"), null, GrepPlugin.LogicalOp.AND));
    grepStep.start(new TestContext());
  }

  private static byte[][] lines(Supplier<byte[][]> s) {
    return s.get();
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public Batch parseJson() throws Exception {
    return jsonStep.process(json);
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public Batch parseNginx() throws Exception {
    return nginxStep.process(nginx);
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public Batch parseNginxRegex() throws Exception {
    return nginxRegexStep.process(nginx);
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public Batch parseLogfmt() throws Exception {
    return logfmtStep.process(logfmt);
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public Batch grepOneField() throws Exception {
    return grepStep.process(grepBatch);
  }
}
