package io.swak.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `swak validate` in a JVM of its own, listing the classes it loads: a configuration without any `when:` never loads
 * the expression library; one with a bad expression is reported at its file:line:column with the library's message.
 */
class ConditionLoadingTest {

  @TempDir
  Path dir;

  private record Run(int exit, String out) { }

  private Run validate(String yaml) throws IOException, InterruptedException {
    Path cfg = dir.resolve("cfg-" + System.nanoTime() + ".yml");
    Files.writeString(cfg, yaml);
    Path out = dir.resolve("out-" + System.nanoTime() + ".txt");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-verbose:class", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "validate", cfg.toString())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("validate ended").isTrue();
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  private static boolean jexlLoaded(String out) {
    return out.lines().anyMatch(l -> l.contains("org.apache.commons.jexl3."));
  }

  @Test
  void aConfigWithoutExpressionsNeverLoadsTheLibrary() throws Exception {
    Run plain = validate("""
        - task:
          - in.FakeData: {type: apache}
          - out.Stdout: {match: "web.*"}
          - route:
              web: {match: "web.**", steps: [out.Null]}
        """);
    assertThat(plain.exit()).as(plain.out()).isZero();
    assertThat(jexlLoaded(plain.out())).isFalse();

    Run with = validate("""
        - task:
          - in.FakeData: {type: apache}
          - out.Stdout: {when: 'record.code >= 500'}
        """);
    assertThat(with.exit()).as(with.out()).isZero();
    assertThat(jexlLoaded(with.out())).isTrue();
  }

  @Test
  void aBadExpressionIsReportedWhereItIsWithTheLibrarysMessage() throws Exception {
    Run bad = validate("""
        - task:
          - in.FakeData: {type: apache}
          - route:
              errors: {when: 'record.code >= ', steps: [out.Null]}
        """);
    assertThat(bad.exit()).isNotZero();
    List<String> lines = bad.out().lines().filter(l -> !l.startsWith("[")).toList();
    assertThat(lines).anySatisfy(l -> assertThat(l).contains(".yml:4:")
        .contains("`when`: not a valid condition: parsing error in '>=' (column 13 of the expression)"));
  }

  @Test
  void aBadRegexOfAParseStepOrOfAnInputsFormatIsReportedWhereItIsWithTheLibrarysMessage() throws Exception {
    Run bad = validate("""
        - task:
          - in.FileTail: {path: /tmp/a.log, format: regex, regex: '^(?<a>[0-9+$'}
          - parse: {format: regex, regex: '(?<b>x))'}
          - out.Null
        """);
    assertThat(bad.exit()).isNotZero();
    List<String> lines = bad.out().lines().filter(l -> !l.startsWith("[")).toList();
    assertThat(lines).anySatisfy(l -> assertThat(l).contains(".yml:2:").contains("Unclosed character class"));
    assertThat(lines).anySatisfy(l -> assertThat(l).contains(".yml:3:").contains("Unmatched closing ')'"));
    assertThat(jexlLoaded(bad.out())).isFalse();
  }
}
