package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: the real launcher in a subprocess. */
class CliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void seedExampleInTestModePrintsPeopleUntilSigint() throws Exception {
    try (Launcher swak = Launcher.start(dir, Map.of(), "test", "examples/seed-fakedata.yml")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> swak.outLines().size() >= 2);
      swak.signal("INT");
      assertThat(swak.waitFor(Duration.ofSeconds(20))).isZero();
      for (String line : swak.outLines()) {
        JsonNode n = JSON.readTree(line);
        assertThat(n.get("tag").asText()).isEqualTo("fake.people");
        assertThat(n.get("record").get("name").asText()).isNotBlank();
        assertThat(n.get("record").get("email").asText()).contains("@");
      }
      assertThat(swak.err()).contains("testing task 1").contains("SIGINT: stopping");
    }
  }

  @Test
  void aDataDirectoryOfANewerFormatIsRefusedByValidateAndRunAndLeftAsItIs() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("data-format"), "2 (written by swak 9.9)\n");
    Launcher validate = Launcher.run(dir, "validate", "examples/seed-fakedata.yml");
    assertThat(validate.exitCode()).isEqualTo(1);
    assertThat(validate.err()).contains("written by a newer swak (data format 2; this release reads format 1",
        "swak rollback", "data_dir");
    Launcher run = Launcher.run(dir, "run", "examples/seed-fakedata.yml");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("written by a newer swak (data format 2");
    assertThat(run.out()).doesNotContain("\"name\"");
    assertThat(Files.readString(data.resolve("data-format"))).isEqualTo("2 (written by swak 9.9)\n");
  }

  @Test
  void testModeSaysThereIsNoSecondTask() throws Exception {
    Launcher swak = Launcher.run(dir, "test", "examples/seed-fakedata.yml", "-t", "2");
    assertThat(swak.exitCode()).isEqualTo(1);
    assertThat(swak.err()).contains("has 1 task; there is no task 2");
  }

  @Test
  void testModeRunsTheChosenTask() throws Exception {
    Path cfg = dir.resolve("two.yml");
    Files.writeString(cfg, """
        - task:
          - in.FakeData: {type: people}
          - out.Stdout
          - sleep: {seconds: 1}
        - task:
          - in.FakeData: {type: apache, tag: web.access}
          - out.Stdout: {format: raw}
          - sleep: {ms: 200}
        """);
    try (Launcher swak = Launcher.start(dir, Map.of(), "test", cfg.toString(), "-t", "2")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> swak.outLines().size() >= 3);
      swak.signal("TERM");
      assertThat(swak.waitFor(Duration.ofSeconds(20))).isZero();
      assertThat(swak.outLines()).allMatch(l -> l.matches("^\\d+\\.\\d+\\.\\d+\\.\\d+ - - \\[.*\\] \".*"));
    }
  }

  @Test
  void runStopsGracefullyOnSigtermWithExitZero() throws Exception {
    Path cfg = dir.resolve("run.yml");
    Path out = dir.resolve("out.log");
    Files.writeString(cfg, """
        - task:
          - in.FakeData: {type: json, count: 100}
          - out.File: {path: "${OUT}"}
          - sleep: {ms: 50}
        """);
    try (Launcher swak = Launcher.start(dir, Map.of("OUT", out.toString()), "run", cfg.toString())) {
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(out) && Files.size(out) > 0);
      swak.signal("TERM");
      assertThat(swak.waitFor(Duration.ofSeconds(20))).isZero();
      assertThat(swak.err()).contains("SIGTERM: stopping");
      // only the agent's own log lines (its SLF4J binding says nothing about itself), local time with its offset
      assertThat(swak.err().lines()).isNotEmpty().allMatch(l -> l.matches(
          "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) (INFO |WARN |ERROR) .+"));
      // every line written is whole: a stop never leaves half a batch
      for (String line : Files.readAllLines(out)) {
        assertThat(JSON.readTree(line).get("record").has("user_id")).isTrue();
      }
      assertThat(Files.readAllLines(out).size() % 100).isZero();
    }
  }

  @Test
  void validateAcceptsTheSeedExample() throws Exception {
    Launcher swak = Launcher.run(dir, "validate", "examples/seed-fakedata.yml");
    assertThat(swak.exitCode()).isZero();
    assertThat(swak.out()).contains("valid (1 task, 3 steps)");
  }

  @Test
  void validatePointsAtAMisspeltOptionAndSuggestsTheRightOne() throws Exception {
    Path cfg = dir.resolve("pth.yml");
    Files.writeString(cfg, """
        - task:
          - in.FakeData: {type: people}
          - out.File:
              pth: /tmp/out.log
        """);
    Launcher swak = Launcher.run(dir, "validate", cfg.toString());
    assertThat(swak.exitCode()).isEqualTo(1);
    assertThat(swak.err()).contains(cfg + ":4:7: task 1, step 2 (out.File): unknown option `pth` — did you mean `path`?");
    assertThat(swak.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void validateListsCloseNamesOfAnUnknownPlugin() throws Exception {
    Path cfg = dir.resolve("typo.yml");
    Files.writeString(cfg, "- task:\n  - in.FakeData\n  - out.Stdot\n");
    Launcher swak = Launcher.run(dir, "validate", cfg.toString());
    assertThat(swak.exitCode()).isEqualTo(1);
    assertThat(swak.err()).contains(":3:5:").contains("unknown plugin `out.Stdot` — did you mean `out.Stdout`?");
  }

  @Test
  void validatePointsAtTheSeedsTrailingComma() throws Exception {
    Path cfg = dir.resolve("seed-mysqltail-as-published.yml");
    Files.copy(Path.of("src/test/resources/seed-mysqltail-as-published.yml"), cfg);
    Launcher swak = Launcher.run(dir, "validate", cfg.toString());
    assertThat(swak.exitCode()).isEqualTo(1);
    assertThat(swak.err()).contains(cfg + ":14:42: ").contains("remove the comma");
  }

  @Test
  void validateReportsAMissingFileWithoutAStackTrace() throws Exception {
    Launcher swak = Launcher.run(dir, "validate", "no-such.yml");
    assertThat(swak.exitCode()).isEqualTo(1);
    assertThat(swak.err()).contains("no-such.yml: no such file").doesNotContain("\tat ");
  }

  @Test
  void pluginsShowsOptionsOfOnePlugin() throws Exception {
    Launcher swak = Launcher.run(dir, "plugins", "in.fakedata");
    assertThat(swak.exitCode()).isZero();
    assertThat(swak.out()).contains("in.FakeData").contains("count").contains("rate").contains("locale");
    Launcher all = Launcher.run(dir, "plugins");
    assertThat(all.out()).contains("in.FakeData").contains("out.Stdout").contains("out.File").contains("sleep");
  }

  @Test
  void cdsBuildsAnArchiveTheJvmAccepts() throws Exception {
    Path archive = dir.resolve("test.jsa");
    try (Launcher cds = Launcher.start(dir, Map.of(), "cds", "--archive", archive.toString())) {
      assertThat(cds.waitFor(Duration.ofMinutes(2))).as(cds.err()).isZero();
      assertThat(cds.out()).contains("wrote " + archive);
    }
    assertThat(archive).isRegularFile();
    // -Xshare:on fails the JVM at start when the archive does not fit these jars
    try (Launcher v = Launcher.start(dir, Map.of("SWAK_JAVA_OPTS", "-XX:SharedArchiveFile=" + archive + " -Xshare:on"),
        "validate", "examples/seed-fakedata.yml")) {
      assertThat(v.waitFor(Duration.ofSeconds(60))).as(v.err()).isZero();
    }
  }

  @Test
  void versionAndUsageErrors() throws Exception {
    Launcher v = Launcher.run(dir, "version");
    assertThat(v.exitCode()).isZero();
    assertThat(v.out()).startsWith("swak ");
    // run has a command line of its own (faster start): its --version still names the agent
    assertThat(Launcher.run(dir, "run", "--version").out()).startsWith("swak ");
    Launcher bad = Launcher.run(dir, "frobnicate");
    assertThat(bad.exitCode()).isEqualTo(2);
  }

  @Test
  void testModeLogsEachStepAtDebugAndSaysStopped() throws Exception {
    try (Launcher swak = Launcher.start(dir, Map.of(), "test", "examples/seed-fakedata.yml")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> swak.outLines().size() >= 2);
      swak.signal("INT");
      assertThat(swak.waitFor(Duration.ofSeconds(20))).isZero();
      assertThat(swak.err()).containsPattern("DEBUG task 1, step 2 \\(out.Stdout\\): 1 event")
          .containsPattern("DEBUG task 1, step 3 \\(sleep\\): 1 event");
      assertThat(swak.err().strip()).endsWith("stopped");
    }
  }

  @Test
  void aWindowsOnlyPluginOnLinuxSaysWhereItRunsInValidateAndPlugins() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(System.getProperty("os.name").startsWith("Windows"));
    Path cfg = dir.resolve("eventlog.yml");
    Files.writeString(cfg, "- task:\n  - in.WindowsEventLog: {channels: [System]}\n  - out.Stdout\n");
    String says = "in.WindowsEventLog runs only on Windows, and this system is " + System.getProperty("os.name");
    Launcher validate = Launcher.run(dir, "validate", cfg.toString());
    assertThat(validate.exitCode()).isEqualTo(1);
    assertThat(validate.err()).contains(cfg + ":2:5: task 1, step 1: " + says).doesNotContain("unknown plugin");
    Launcher plugins = Launcher.run(dir, "plugins", "in.winlog");
    assertThat(plugins.exitCode()).isEqualTo(1);
    assertThat(plugins.err()).startsWith(says).doesNotContain("unknown plugin");
  }

  @Test
  void pluginsSuggestsTheNameMeantForAnUnknownOne() throws Exception {
    Launcher swak = Launcher.run(dir, "plugins", "out.Stdot");
    assertThat(swak.exitCode()).isEqualTo(1);
    assertThat(swak.err()).contains("unknown plugin `out.Stdot` — did you mean `out.Stdout`?");
  }

  @Test
  void validateReadsAUtf16ConfigAndAsksForUtf8WhenItCannotTellTheEncoding() throws Exception {
    String yaml = "# 가짜 데이터\n- task:\n  - in.FakeData\n  - out.Stdout\n";
    Path utf16 = dir.resolve("utf16.yml");
    Files.write(utf16, yaml.getBytes(java.nio.charset.StandardCharsets.UTF_16)); // with a byte order mark
    Launcher ok = Launcher.run(dir, "validate", utf16.toString());
    assertThat(ok.exitCode()).as(ok.err()).isZero();

    Path korean = dir.resolve("cp949.yml");
    Files.write(korean, yaml.getBytes(java.nio.charset.Charset.forName("x-windows-949")));
    Launcher bad = Launcher.run(dir, "validate", korean.toString());
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.err()).contains(korean + ":1:", "not UTF-8", "save it as UTF-8").doesNotContain("Input length");
  }

  @Test
  void validatePointsAtAnUnclosedBrace() throws Exception {
    Path cfg = dir.resolve("brace.yml");
    Files.writeString(cfg, "- task:\n  - in.FakeData: {type: people\n  - out.Stdout\n");
    Launcher swak = Launcher.run(dir, "validate", cfg.toString());
    assertThat(swak.exitCode()).isEqualTo(1);
    assertThat(swak.err()).contains(cfg + ":2:18: ", "`{`", "not closed");
  }

  @Test
  void aYamlSyntaxErrorDoesNotHideTheProblemsOfTheEntriesAboveIt() throws Exception {
    Path cfg = dir.resolve("syntax.yml");
    Files.writeString(cfg, "- task:\n  - in.FakeData: {tpe: json}\n  - out.Stdout\n- task:\n  - in.FakeData\n"
        + "  - out.Stdout: [a, b\n");
    Launcher swak = Launcher.run(dir, "validate", cfg.toString());
    assertThat(swak.exitCode()).isEqualTo(1);
    assertThat(swak.err().lines().filter(l -> l.startsWith(cfg.toString())).map(l -> l.split(":")[1]))
        .containsExactly("2", "6");
    assertThat(swak.err()).contains("unknown option `tpe`", "`[` is not closed", "2 problems");
  }

  @Test
  void validateListsProblemsInTheOrderOfTheFile() throws Exception {
    Path cfg = dir.resolve("order.yml");
    Files.writeString(cfg, """
        - task:
          - in.FakeData
          - out.File:
              pth: /x
              retry_wait: soon
          - failover:
              outputs:
                - out.Stdot
              lst: x
        """);
    Launcher swak = Launcher.run(dir, "validate", cfg.toString());
    assertThat(swak.exitCode()).isEqualTo(1);
    assertThat(swak.err().lines().filter(l -> l.startsWith(cfg.toString())).map(l -> l.split(":")[1]))
        .containsExactly("4", "5", "8", "9");
  }
}
