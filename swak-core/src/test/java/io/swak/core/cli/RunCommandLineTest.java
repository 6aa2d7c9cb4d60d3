package io.swak.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code swak run}'s own reading of the usual command line, and what it leaves to picocli. */
class RunCommandLineTest {

  @Test
  void readsTheUsualOptionsInAnyOrder() {
    RunCommand r = RunCommand.plain(new String[] {"-v", "tasks.yml", "--data-dir", "/var/lib/swak", "--supervised",
        "--status-file", "s.json"});
    assertThat(r).isNotNull();
    assertThat(r.config).isEqualTo(Path.of("tasks.yml"));
    assertThat(r.dataDir).isEqualTo(Path.of("/var/lib/swak"));
    assertThat(r.statusFile).isEqualTo(Path.of("s.json"));
    assertThat(r.verbose).isTrue();
    assertThat(r.supervised).isTrue();

    RunCommand bare = RunCommand.plain(new String[] {"tasks.yml"});
    assertThat(bare.config).isEqualTo(Path.of("tasks.yml"));
    assertThat(bare.dataDir).isNull();
    assertThat(bare.verbose).isFalse();
  }

  /**
   * For these command lines every option field of the command ends as picocli would set it, defaults
   * included: the fast path cannot set a field (or leave a default) differently. An option added to
   * {@code Run} is checked once a line here uses it.
   */
  @Test
  void agreesWithPicocliOnEveryOptionField() throws Exception {
    String[][] lines = {
        {"tasks.yml"}, {"-v", "tasks.yml", "--data-dir", "/d", "--supervised", "--status-file", "s.json"},
        {"--verbose", "--data-dir", "d", "tasks.yml"}};
    for (String[] args : lines) {
      RunCommand plain = RunCommand.plain(args);
      assertThat(plain).as(String.join(" ", args)).isNotNull();
      RunCommand picocli = new RunCommand();
      new CommandLine(picocli).parseArgs(args);
      for (Class<?> c = RunCommand.class; c != Object.class; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          if (f.isAnnotationPresent(CommandLine.Option.class) || f.isAnnotationPresent(CommandLine.Parameters.class)) {
            f.setAccessible(true);
            assertThat(f.get(plain)).as("%s for %s", f.getName(), String.join(" ", args)).isEqualTo(f.get(picocli));
          }
        }
      }
    }
  }

  @Test
  void leavesEverythingElseToPicocli() {
    String[][] others = {
        {}, {"--help"}, {"-h"}, {"--version"}, {"tasks.yml", "--bogus"}, {"--data-dir=/d", "tasks.yml"},
        {"tasks.yml", "--data-dir"}, {"--data-dir", "-v", "tasks.yml"}, {"a.yml", "b.yml"}, {"-v", "-v", "a.yml"},
        {"--", "a.yml"}, {"-v"}, {"a\0b"}, {"--data-dir", "a\0b", "a.yml"}};
    for (String[] args : others) {
      assertThat(RunCommand.plain(args)).as(String.join(" ", args)).isNull();
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
