package io.swak.core.config;

import io.swak.api.Durations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swak.plugins.fakedata.FakeDataPlugin;
import io.swak.plugins.file.FilePlugin;
import io.swak.plugins.sleep.SleepPlugin;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  static final PluginRegistry REGISTRY = PluginRegistry.builtIn();

  static AgentConfig parse(String yaml) throws ConfigException {
    return parse(yaml, Map.of());
  }

  static AgentConfig parse(String yaml, Map<String, String> env) throws ConfigException {
    return new ConfigLoader(REGISTRY, env).parse("cfg.yml", yaml);
  }

  static List<ConfigProblem> problems(String yaml) {
    try {
      parse(yaml);
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected the config to be rejected:\n" + yaml);
  }

  static ConfigProblem only(String yaml) {
    List<ConfigProblem> p = problems(yaml);
    assertThat(p).hasSize(1);
    return p.get(0);
  }

  @Test
  void theOptionsOfAnInlineRecordAreWrittenAtTheStepsLevelAndCheckedLikeItsOwn() throws Exception {
    // the parse step and in.Tcp hold the parser options as one inline record (ParserOptions)
    AgentConfig c = parse("""
        - task:
          - in.Tcp: {format: regex, pattern: '^(?<a>x)$', keep_time_key: true, on_error: drop}
          - parse: {format: csv, columns: [a, b], reserve_data_key: true, into: parsed}
          - out.Null
        """);
    io.swak.parsers.ParserOptions tcp = ((io.swak.plugins.tcp.TcpInputPlugin.Options) c.tasks().get(0).steps().get(0)
        .options()).parsing();
    assertThat(tcp.regex()).isEqualTo("^(?<a>x)$");
    assertThat(tcp.timeKeep()).isTrue();
    assertThat(tcp.onError()).isEqualTo(io.swak.parsers.ParserOptions.OnError.DROP);
    io.swak.parsers.ParserOptions parse = ((io.swak.plugins.parse.step.ParsePlugin.Options) c.tasks().get(0).steps()
        .get(1).options()).parsing();
    assertThat(parse.columns()).containsExactly("a", "b");
    assertThat(parse.keepOriginal()).isTrue();
    assertThat(parse.into()).isEqualTo("parsed");
    assertThat(parse.onError()).isEqualTo(io.swak.parsers.ParserOptions.OnError.KEEP); // the default

    ConfigProblem twice = only("""
        - task:
          - in.Tcp: {format: json, time_keep: true, keep_time_key: true}
          - out.Null
        """);
    assertThat(twice.line()).isEqualTo(2);
    assertThat(twice.message()).contains("`time_keep` is given twice");
    ConfigProblem typo = only("""
        - task:
          - in.Tcp: {format: json}
          - parse: {format: json, in_to: parsed}
          - out.Null
        """);
    assertThat(typo.line()).isEqualTo(3);
    assertThat(typo.message()).contains("unknown option `in_to`").contains("did you mean `into`")
        .contains("on_error"); // the options listed are the inline ones too
    ConfigProblem bad = only("""
        - task:
          - in.Tcp: {format: json, on_error: maybe}
          - out.Null
        """);
    assertThat(bad.line()).isEqualTo(2);
    assertThat(bad.message()).contains("option `on_error`").contains("keep, drop, dead_letter");
  }

  @Test
  void seedFakeDataExampleLoads() throws Exception {
    AgentConfig c = parse("""
        # 테스크 선언
        - task:
          # 가짜 데이터 생성
          - in.FakeData:
              type: people

          # 표준 출력으로 스트림 보냄
          - out.Stdout

          # 1초 후 다시 시작
          - sleep:
              seconds: 1
        """);
    assertThat(c.tasks()).hasSize(1);
    List<StepConfig> steps = c.tasks().get(0).steps();
    assertThat(steps).extracting(StepConfig::name).containsExactly("in.FakeData", "out.Stdout", "sleep");
    assertThat(((FakeDataPlugin.Options) steps.get(0).options()).type()).isEqualTo(FakeDataPlugin.Type.PEOPLE);
    assertThat(((SleepPlugin.Options) steps.get(2).options()).seconds()).isEqualTo(1.0);
  }

  @Test
  void optionsMayStandBesideTheStepNameAsInTheSeed() throws Exception {
    AgentConfig c = parse("""
        - task:
          - in.FakeData:
            type: apache
            count: 3
          - out.File:
            path: /tmp/x.log
        """);
    var fake = (FakeDataPlugin.Options) c.tasks().get(0).steps().get(0).options();
    assertThat(fake.type()).isEqualTo(FakeDataPlugin.Type.APACHE);
    assertThat(fake.count()).isEqualTo(3);
  }

  @Test
  void pluginNamesAreCaseInsensitiveAndHaveAliases() throws Exception {
    AgentConfig c = parse("""
        - task:
          - IN.FAKEDATA: {Type: JSON}
          - out.discard
        """);
    assertThat(c.tasks().get(0).steps()).extracting(StepConfig::name).containsExactly("in.FakeData", "out.Null");
  }

  @Test
  void defaultsApplyAndDurationsSizesParseOnce() throws Exception {
    AgentConfig c = parse("""
        - agent: {shutdown_timeout: 1500ms, log_level: debug}
        - task:
          - in.FakeData
          - out.File: {path: /tmp/a.log, rotate_size: 64KiB, compress: gzip}
          - sleep: {duration: 5m}
        """);
    assertThat(c.agent().shutdownTimeout()).isEqualTo(Duration.ofMillis(1500));
    var file = (FilePlugin.Options) c.tasks().get(0).steps().get(1).options();
    assertThat(file.rotateSize().bytes()).isEqualTo(65536);
    assertThat(file.compress()).isEqualTo(FilePlugin.Compress.GZIP);
    var fake = (FakeDataPlugin.Options) c.tasks().get(0).steps().get(0).options();
    assertThat(fake.count()).isEqualTo(1);
    assertThat(fake.seed()).isNull();
  }

  @Test
  void environmentVariablesAreSubstituted() throws Exception {
    AgentConfig c = parse("""
        - task:
          - in.FakeData: {tag: "${APP}.fake"}
          - out.File: {path: "${LOG_DIR:-/var/log}/out.log"}
        """, Map.of("APP", "shop"));
    assertThat(((FakeDataPlugin.Options) c.tasks().get(0).steps().get(0).options()).tag()).isEqualTo("shop.fake");
    assertThat(((FilePlugin.Options) c.tasks().get(0).steps().get(1).options()).path()).isEqualTo("/var/log/out.log");

    ConfigProblem p = only("""
        - task:
          - in.FakeData: {tag: "${NOPE}"}
          - out.Null
        """);
    assertThat(p.message()).contains("environment variable NOPE is not set").contains("${NOPE:-default}");
    assertThat(p.line()).isEqualTo(2);
  }

  @Test
  void misspeltOptionIsLocatedAndCorrected() {
    ConfigProblem p = only("""
        - task:
          - in.FakeData
          - out.File:
              pth: /tmp/out.log
        """);
    assertThat(p.toString()).startsWith("cfg.yml:4:7: task 1, step 2 (out.File): unknown option `pth`");
    assertThat(p.message()).contains("did you mean `path`?");
  }

  @Test
  void unknownPluginListsCloseNames() {
    ConfigProblem p = only("""
        - task:
          - in.FakeDat: {type: people}
          - out.Stdout
        """);
    assertThat(p.line()).isEqualTo(2);
    assertThat(p.column()).isEqualTo(5);
    assertThat(p.message()).contains("unknown plugin `in.FakeDat`").contains("did you mean `in.FakeData`");
  }

  @Test
  void aWindowsOnlyPluginNamedOnLinuxSaysWhereItRuns() {
    org.junit.jupiter.api.Assumptions.assumeFalse(System.getProperty("os.name").startsWith("Windows"));
    for (String name : List.of("in.WindowsEventLog", "in.winlog", "IN.EVENTLOG")) {
      ConfigProblem p = only("""
          - task:
            - %s: {channels: [System]}
            - out.Stdout
          """.formatted(name));
      assertThat(p.line()).isEqualTo(2);
      assertThat(p.message()).startsWith("in.WindowsEventLog runs only on Windows, and this system is "
          + System.getProperty("os.name") + ": read the system's logs with in.Syslog or in.FileTail")
          .doesNotContain("unknown plugin");
    }
    assertThat(PluginRegistry.onlyOnOtherSystem("in.FileTail")).isNull();
    assertThat(PluginRegistry.onlyOnOtherSystem("in.WindowsEventLogs")).isNull();
  }

  @Test
  void wrongTypesAndValuesSayWhatIsAllowed() {
    List<ConfigProblem> p = problems("""
        - task:
          - in.FakeData: {type: people, count: many, locale: fr}
          - out.File: {path: /tmp/x, rotate_size: huge}
          - sleep: {duration: 5 fortnights}
        """);
    assertThat(p).extracting(ConfigProblem::message).containsExactlyInAnyOrder(
        "option `count`: 'many' is not an integer",
        "option `locale`: 'fr' is not one of: en, ko",
        "option `rotate_size`: 'huge' is not a size: write e.g. 512, 64KiB, 1MiB, 2GiB",
        "option `duration`: unknown duration unit 'fortnights' in '5 fortnights': use ms, s, m, h or d");
    assertThat(p).extracting(ConfigProblem::where).contains("task 1, step 1 (in.FakeData)",
        "task 1, step 3 (sleep)");
  }

  @Test
  void missingRequiredOptionIsNamed() {
    ConfigProblem p = only("""
        - task:
          - in.FakeData
          - out.File: {format: json}
        """);
    assertThat(p.message()).startsWith("missing required option `path`");
    assertThat(p.line()).isEqualTo(3);
  }

  @Test
  void validationInThePluginIsReported() {
    assertThat(only("""
        - task:
          - in.FakeData: {count: 0}
          - out.Null
        """).message()).isEqualTo("option `count` must be at least 1, got 0");
    assertThat(only("""
        - task:
          - in.FakeData
          - sleep
        """).message()).contains("sleep needs a positive `seconds`");
  }

  @Test
  void stepOrderIsChecked() {
    assertThat(only("""
        - task:
          - out.Stdout
        """).message()).isEqualTo("a task starts with an input (in.*), not `out.Stdout`");
    assertThat(only("""
        - task:
          - in.FakeData
          - in.FakeData
        """).message()).contains("is an input: it can only be the first step");
  }

  @Test
  void everyProblemOfTheFileIsReportedAtOnce() {
    List<ConfigProblem> p = problems("""
        - task:
          - in.FakeData: {typ: people}
          - out.Stdot
        - task:
          - in.Nope
          - out.Null
        - tsk: []
        """);
    assertThat(p).hasSize(4);
    assertThat(p).extracting(ConfigProblem::line).containsExactly(2, 3, 5, 7);
    assertThat(p.get(3).message()).contains("did you mean `task`?");
  }

  @Test
  void seedMySqlExampleTrailingCommaIsPointedAt() {
    // the seed's third example exactly as published, saved from its first line
    ConfigProblem p = only("""
        # 테스크 스레드 생성
        - task:
          - in.MySQLTail:
            ip: 127.0.0.1
            db: logdb
            table: logtbl

          # 100라인 단위로 버퍼링
          - out.LinedBuffer:
            lines: 100

          # 외부 프로세스 실행
          - out.Exec:
            cmd: "/usr/bin/r /etc/detect_abuse.r",

          # 표준 출력으로 스트림 보냄
          - out.Stdout
        """);
    assertThat(p.line()).isEqualTo(14);
    assertThat(p.column()).isEqualTo(42);
    assertThat(p.message()).contains("remove the comma");
  }

  @Test
  void yamlMistakesGetAdviceNotParserJargon() {
    assertThat(only("- task:\n\t- in.FakeData\n").message()).contains("tab").contains("spaces");
    assertThat(only("- task:\n  - in.FakeData: {tag: a: b}\n  - out.Null\n").message()).isNotEmpty();
    assertThat(only("").message()).contains("empty");
    assertThat(only("task: 1\n").message()).contains("must be a list of `- task:` entries");
    assertThat(only("- task:\n").message()).contains("a task is a list of steps");
  }

  @Test
  void tasksMayBeNamed() throws Exception {
    AgentConfig c = parse("""
        - task:
          - in.FakeData
          - out.Null
          name: generator
        """);
    assertThat(c.tasks().get(0).label()).isEqualTo("task 1 (generator)");
  }

  @Test
  void suggestionsRankCloseNamesFirst() {
    assertThat(Suggest.close("pth", List.of("path", "pos_dir", "format"))).containsExactly("path");
    assertThat(Suggest.close("zzz", List.of("path"))).isEmpty();
    assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("not a duration");
    assertThat(Durations.parse("1.5m")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("2")).isEqualTo(Duration.ofSeconds(2));
  }
}
