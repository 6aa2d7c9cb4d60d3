package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swak upgrade} / {@code swak rollback} on a releases/ + current + shared/ layout, with an agent under load:
 * in.FileTail follows a file a thread keeps appending to, a file buffer in shared/data holds it (acknowledged once on
 * disk, so what it held at a switch is the next release's to deliver), out.File writes what it read. Every line written must be
 * in the output across two upgrades, an automatic rollback from a broken release and a rollback.
 */
class UpgradeIT {

  @TempDir
  Path dir;

  private Path root;
  private Swak installer;
  private final AtomicBoolean writing = new AtomicBoolean(true);
  private final AtomicLong written = new AtomicLong();

  private static String version() {
    return System.getProperty("swak.version");
  }

  private static Path tarball() {
    return Path.of(System.getProperty("swak.dist.dir", "target")).toAbsolutePath()
        .resolve("swak-" + version() + ".tar.gz");
  }

  private static void exec(Path cwd, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).inheritIO().start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0).as(String.join(" ", cmd)).isTrue();
  }

  @AfterEach
  void stopTheAgent() throws Exception {
    writing.set(false);
    if (root != null && Files.exists(root.resolve("current/bin/swak"))) {
      new Swak(root.resolve("current/bin/swak"), dir, Map.of()).run("stop",
          root.resolve("shared/conf/swak.yml").toString());
    }
  }

  /** The tarball with one class of in.FileTail taken out of its jar: it validates, its task cannot start. */
  private Path brokenRelease() throws Exception {
    return changedRelease("broken", jar -> {
      try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of())) {
        Files.delete(fs.getPath("io/swak/plugins/filetail/Watcher.class"));
      }
    });
  }

  /** The tarball without in.FileTail's module: validate rejects the config (an unknown plugin). */
  private Path rejectingRelease() throws Exception {
    return changedRelease("rejecting", Files::delete);
  }

  private interface JarChange {
    void apply(Path jar) throws Exception;
  }

  /** The tarball with {@code change} done to swak-plugin-file's jar, packed again as swak-NAME.tar.gz. */
  private Path changedRelease(String name, JarChange change) throws Exception {
    Path work = Files.createDirectories(dir.resolve(name));
    exec(work, "tar", "xzf", tarball().toString());
    change.apply(work.resolve("swak-" + version() + "/lib/swak-plugin-file-" + version() + ".jar"));
    Path out = dir.resolve("swak-" + name + ".tar.gz");
    // gzip -1: the release is ~90 MB unpacked (runtime/), gzip -6 took seconds of the test
    exec(work, "tar", "--use-compress-program=gzip -1", "-cf", out.toString(), "swak-" + version());
    return out;
  }

  private Thread appender(Path input) {
    Thread t = new Thread(() -> {
      try (Writer w = Files.newBufferedWriter(input, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND)) {
        while (writing.get()) {
          for (int i = 0; i < 20; i++) {
            w.write("line " + written.incrementAndGet() + "\n");
          }
          w.flush();
          Thread.sleep(10); // ~2000 lines/s: load, not a flood
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "appender");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static Map<Long, Integer> counted(Path out) throws Exception {
    Map<Long, Integer> seen = new HashMap<>();
    if (!Files.exists(out)) {
      return seen;
    }
    Matcher m = Pattern.compile("line (\\d+)").matcher(Files.readString(out, StandardCharsets.UTF_8));
    while (m.find()) {
      seen.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
    }
    return seen;
  }

  private Swak.Result upgrade(Path pkg, String... more) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("upgrade", pkg.toString(), "--root", root.toString(),
        "--skip-cds", "--settle", "2s", "--wait", "40s"));
    args.addAll(List.of(more));
    return installer.run(args.toArray(String[]::new));
  }

  private static String pidOf(String status) {
    Matcher m = Pattern.compile("pid (\\d+)").matcher(status);
    assertThat(m.find()).as(status).isTrue();
    return m.group(1);
  }

  private String current() throws Exception {
    return root.resolve(Files.readSymbolicLink(root.resolve("current"))).getFileName().toString();
  }

  @Test
  void upgradesUnderLoadRollBackABrokenReleaseByItselfAndRollBack() throws Exception {
    Path work = Files.createDirectories(dir.resolve("installer"));
    exec(work, "tar", "xzf", tarball().toString());
    installer = new Swak(work.resolve("swak-" + version() + "/bin/swak"), dir, Map.of());
    root = dir.resolve("opt-swak");
    Path input = dir.resolve("app.log");
    Path output = dir.resolve("out.log");
    Files.createDirectories(root.resolve("shared/conf"));
    Files.writeString(root.resolve("shared/conf/swak.yml"), """
        - task:
          - in.FileTail: {path: %s, pos_dir: %s, read_from_head: true, refresh_interval: 1s}
          - buffer: {type: file, flush_interval: 300ms}
          - out.File: {path: %s}
        """.formatted(input, root.resolve("shared/data/pos"), output));
    Files.writeString(input, "");
    Thread t = appender(input);

    // the first release: nothing is current yet
    String first = upgrade(tarball(), "--start").expect(0).out();
    assertThat(first).contains("runs and is healthy");
    String r1 = current();
    await().atMost(Duration.ofSeconds(30)).until(() -> counted(output).size() > 1000);

    // under load: the agent of r1 stops, r2 starts on r1's checkpoints in shared/data
    upgrade(tarball()).expect(0);
    String r2 = current();
    assertThat(r2).isNotEqualTo(r1);
    assertThat(Files.readSymbolicLink(root.resolve("previous")).getFileName().toString()).isEqualTo(r1);
    long before = written.get();
    await().atMost(Duration.ofSeconds(30)).until(() -> counted(output).size() > before);

    // a release whose in.FileTail cannot start: switched back to r2 by itself, previous still r1
    String broken = upgrade(brokenRelease()).expect(1).out();
    assertThat(broken).contains("did not come up healthy", "current -> releases/" + r2 + " (rolled back by itself)");
    assertThat(current()).isEqualTo(r2);
    assertThat(Files.readSymbolicLink(root.resolve("previous")).getFileName().toString()).isEqualTo(r1);
    Swak running = new Swak(root.resolve("current/bin/swak"), dir, Map.of());
    String status = running.run("status", root.resolve("shared/conf/swak.yml").toString()).expect(0).out();

    // a release that rejects the config: nothing is switched or stopped
    String rejected = upgrade(rejectingRelease()).expect(1).out();
    assertThat(rejected).contains("unknown plugin `in.FileTail`", "rejects the config", "the running release is untouched");
    assertThat(current()).isEqualTo(r2);
    assertThat(Files.readSymbolicLink(root.resolve("previous")).getFileName().toString()).isEqualTo(r1);
    assertThat(pidOf(running.run("status", root.resolve("shared/conf/swak.yml").toString()).expect(0).out()))
        .as("the same agent runs on").isEqualTo(pidOf(status));

    // swak rollback goes to r1
    assertThat(installer.run("rollback", "--root", root.toString(), "--settle", "2s").expect(0).out())
        .contains("rollback to releases/" + r1 + " done");
    assertThat(current()).isEqualTo(r1);
    assertThat(installer.run("releases", "--root", root.toString()).expect(0).out())
        .contains("current  " + r1, "previous " + r2);

    writing.set(false);
    t.join();
    long all = written.get();
    await().atMost(Duration.ofSeconds(60)).until(() -> counted(output).size() >= all);
    Map<Long, Integer> seen = counted(output);
    assertThat(seen).hasSize((int) all);
    long repeated = seen.values().stream().mapToLong(n -> n - 1).sum();
    System.out.println("upgrade under load: " + all + " lines, " + repeated + " repeated");
    // each of the four restarts was a graceful stop: what it had written it had acknowledged and checkpointed, so the
    // unacknowledged window was empty each time and the next release repeats nothing
    assertThat(repeated).as("lines delivered twice").isZero();
    assertThat(Files.readString(root.resolve("shared/data/data-format"))).startsWith("1");
    assertThat(root.resolve("shared/data/buffer")).isDirectory();
  }
}
