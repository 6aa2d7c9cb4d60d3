package io.swak.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code swak run}'s own reading of the usual command line, and what it leaves to picocli. */
class RunCommandLineTest {

  @Test
  void readsTheUsualOptionsInAnyOrder() {
    Main.Run r = Main.Run.plain(new String[] {"-v", "tasks.yml", "--data-dir", "/var/lib/swak", "--supervised",
        "--status-file", "s.json"});
    assertThat(r).isNotNull();
    assertThat(r.config).isEqualTo(Path.of("tasks.yml"));
    assertThat(r.dataDir).isEqualTo(Path.of("/var/lib/swak"));
    assertThat(r.statusFile).isEqualTo(Path.of("s.json"));
    assertThat(r.verbose).isTrue();
    assertThat(r.supervised).isTrue();

    Main.Run bare = Main.Run.plain(new String[] {"tasks.yml"});
    assertThat(bare.config).isEqualTo(Path.of("tasks.yml"));
    assertThat(bare.dataDir).isNull();
    assertThat(bare.verbose).isFalse();
  }

  @Test
  void leavesEverythingElseToPicocli() {
    String[][] others = {
        {}, {"--help"}, {"-h"}, {"--version"}, {"tasks.yml", "--bogus"}, {"--data-dir=/d", "tasks.yml"},
        {"tasks.yml", "--data-dir"}, {"--data-dir", "-v", "tasks.yml"}, {"a.yml", "b.yml"}, {"-v", "-v", "a.yml"},
        {"--", "a.yml"}, {"-v"}, {"a.yml", "a\0b"}};
    for (String[] args : others) {
      assertThat(Main.Run.plain(args)).as(String.join(" ", args)).isNull();
    }
  }

  @Test
  void picocliStillExplainsAWrongRunCommandLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.execute("run", "tasks.yml", "--bogus");
    } finally {
      System.setErr(old);
    }
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown option: '--bogus'").contains("Usage: swak run");
  }
}
