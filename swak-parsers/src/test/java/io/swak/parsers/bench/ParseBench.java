package io.swak.parsers.bench;

import io.swak.parsers.LineParser;
import io.swak.parsers.ParserFactory;
import io.swak.parsers.TimeFormats;
import io.swak.parsers.TimeParser;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Lines per second of each parser on one thread, one line per call, cycling through 1024 varied lines
 * ({@link BenchLines}). Pairs to compare: jsonHand / jsonJackson (the library rule: keep the hand-written
 * parser only if clearly faster), nginxScanner / nginxRegex (Fluent Bit's regex, same fields, types and
 * time) / nginxRegexGreedy (that regex tuned). Run with {@link ParseBenchMain}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx1g", "-XX:+UseParallelGC"})
@State(Scope.Thread)
public class ParseBench {

  /** Fluent Bit's parsers.conf nginx regex. */
  static final String FLUENT_BIT_NGINX = "^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "
      + "\"(?<method>\\S+)(?: +(?<path>[^\\\"]*?)(?: +\\S*)?)?\" (?<code>[^ ]*) (?<size>[^ ]*)"
      + "(?: \"(?<referer>[^\\\"]*)\" \"(?<agent>[^\\\"]*)\")";

  /**
   * The same fields with the lazy {@code [^"]*?} path made greedy {@code [^ "]*} (a path then holds no
   * space): what a user tuning the regex for speed would write.
   */
  static final String GREEDY_NGINX = "^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "
      + "\"(?<method>\\S+)(?: +(?<path>[^ \"]*)(?: +[^ \"]*)?)?\" (?<code>[^ ]*) (?<size>[^ ]*)"
      + "(?: \"(?<referer>[^\"]*)\" \"(?<agent>[^\"]*)\")";

  private final CountingSink sink = new CountingSink();
  private final MsgpackRecordSink record = new MsgpackRecordSink();
  private int next;
  private final CpuTimeRecord cpu = new CpuTimeRecord();

  private byte[][] json;
  private byte[][] nginx;
  private byte[][] logfmt;
  private byte[][] ltsv;
  private byte[][] csv;
  private byte[][] syslog5424;
  private byte[][] syslog3164;
  private byte[][] cri;
  private byte[][] docker;
  private byte[][] rfc3339Times;
  private byte[][] apacheTimes;

  private LineParser jsonHand;
  private LineParser jsonJackson;
  private LineParser nginxScanner;
  private LineParser nginxRegex;
  private LineParser nginxRegexGreedy;
  private LineParser logfmtParser;
  private LineParser ltsvParser;
  private LineParser csvParser;
  private LineParser syslogParser;
  private LineParser criParser;
  private LineParser dockerParser;
  private TimeParser rfc3339;
  private TimeParser apacheTime;

  @Setup(Level.Iteration)
  public void startIteration() {
    cpu.start(next);
  }

  @TearDown(Level.Iteration)
  public void endIteration(BenchmarkParams params, IterationParams iteration) {
    if (iteration.getType() == IterationType.MEASUREMENT) {
      cpu.stop(next, params.getBenchmark());
    }
  }

  @Setup
  public void setUp() {
    json = BenchLines.json();
    nginx = BenchLines.nginx();
    logfmt = BenchLines.logfmt();
    ltsv = BenchLines.ltsv();
    csv = BenchLines.csv();
    syslog5424 = BenchLines.syslog5424();
    syslog3164 = BenchLines.syslog3164();
    cri = BenchLines.cri();
    docker = BenchLines.docker();
    rfc3339Times = new byte[BenchLines.COUNT][];
    apacheTimes = new byte[BenchLines.COUNT][];
    for (int i = 0; i < BenchLines.COUNT; i++) {
      rfc3339Times[i] = new String(json[i], StandardCharsets.UTF_8).substring(9, 33).getBytes(StandardCharsets.UTF_8);
      String n = new String(nginx[i], StandardCharsets.UTF_8);
      apacheTimes[i] = n.substring(n.indexOf('[') + 1, n.indexOf(']')).getBytes(StandardCharsets.UTF_8);
    }
    jsonHand = build("json", Map.of());
    jsonJackson = build("json", Map.of("engine", "jackson"));
    nginxScanner = build("nginx", Map.of());
    nginxRegex = build("regex", Map.of("regex", FLUENT_BIT_NGINX, "types", "code:int size:int", "time_key", "time",
        "time_format", "%d/%b/%Y:%H:%M:%S %z"));
    nginxRegexGreedy = build("regex", Map.of("regex", GREEDY_NGINX, "types", "code:int size:int",
        "time_key", "time", "time_format", "%d/%b/%Y:%H:%M:%S %z"));
    logfmtParser = build("logfmt", Map.of());
    ltsvParser = build("ltsv", Map.of("time_key", "time", "time_format", "%d/%b/%Y:%H:%M:%S %z"));
    csvParser = build("csv", Map.of("columns", "time,level,user,msg,ms", "time_key", "time"));
    syslogParser = build("syslog", Map.of());
    criParser = build("cri", Map.of());
    dockerParser = build("docker", Map.of());
    rfc3339 = TimeFormats.compile("rfc3339", null).orElseThrow();
    apacheTime = TimeFormats.compile("%d/%b/%Y:%H:%M:%S %z", null).orElseThrow();
    check();
  }

  private static LineParser build(String format, Map<String, ?> options) {
    return ParserFactory.create(format, options).orElseThrow();
  }

  /** A benchmark of lines that do not parse would measure the error path: refuse to run it. */
  private void check() {
    Object[][] pairs = {{jsonHand, json}, {jsonJackson, json}, {nginxScanner, nginx}, {nginxRegex, nginx}, {nginxRegexGreedy, nginx},
        {logfmtParser, logfmt}, {ltsvParser, ltsv}, {csvParser, csv}, {syslogParser, syslog5424},
        {syslogParser, syslog3164}, {criParser, cri}, {dockerParser, docker}};
    for (Object[] p : pairs) {
      for (byte[] line : (byte[][]) p[1]) {
        var r = ((LineParser) p[0]).parse(line, 0, line.length, sink);
        if (r != io.swak.parsers.ParseResult.OK) {
          throw new IllegalStateException(r + ": " + new String(line, StandardCharsets.UTF_8));
        }
      }
    }
  }

  private byte[] line(byte[][] lines) {
    return lines[next++ & (BenchLines.COUNT - 1)];
  }

  private long run(LineParser parser, byte[][] lines) {
    byte[] l = line(lines);
    parser.parse(l, 0, l.length, sink);
    return sink.sum;
  }

  @Benchmark
  public long jsonHand() {
    return run(jsonHand, json);
  }

  @Benchmark
  public long jsonJackson() {
    return run(jsonJackson, json);
  }

  /** The hand-written JSON parser feeding a msgpack record writer: the parse step's real work. */
  @Benchmark
  public int jsonHandToMsgpack() {
    byte[] l = line(json);
    record.begin();
    jsonHand.parse(l, 0, l.length, record);
    return record.end();
  }

  @Benchmark
  public long nginxScanner() {
    return run(nginxScanner, nginx);
  }

  @Benchmark
  public long nginxRegex() {
    return run(nginxRegex, nginx);
  }

  @Benchmark
  public long nginxRegexGreedy() {
    return run(nginxRegexGreedy, nginx);
  }

  @Benchmark
  public long logfmt() {
    return run(logfmtParser, logfmt);
  }

  @Benchmark
  public long ltsv() {
    return run(ltsvParser, ltsv);
  }

  @Benchmark
  public long csv() {
    return run(csvParser, csv);
  }

  @Benchmark
  public long syslog5424() {
    return run(syslogParser, syslog5424);
  }

  @Benchmark
  public long syslog3164() {
    return run(syslogParser, syslog3164);
  }

  @Benchmark
  public long cri() {
    return run(criParser, cri);
  }

  @Benchmark
  public long docker() {
    return run(dockerParser, docker);
  }

  @Benchmark
  public long timeRfc3339() {
    byte[] t = line(rfc3339Times);
    return rfc3339.parse(t, 0, t.length);
  }

  @Benchmark
  public long timeApacheStrftime() {
    byte[] t = line(apacheTimes);
    return apacheTime.parse(t, 0, t.length);
  }
}
