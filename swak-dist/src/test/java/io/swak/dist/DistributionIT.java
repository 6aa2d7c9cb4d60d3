package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** What `mvn package` ships: the tarball (unpacked and run), an external plugin in plugins/, the .deb. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistributionIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  private Path home;
  private Swak swak;

  private static Path target() {
    return Path.of(System.getProperty("swak.dist.dir", "target")).toAbsolutePath();
  }

  private static String version() {
    return System.getProperty("swak.version");
  }

  private static String exec(Path cwd, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      in.transferTo(out);
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("%s printed:\n%s", String.join(" ", cmd), text).isZero();
    return text;
  }

  /**
   * systemd's own check of a unit file: unknown keys, keys in the wrong section, commands that are not
   * executable. It prints nothing for a good unit.
   */
  private static void systemdVerify(Path unit) throws IOException, InterruptedException {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")),
        "systemd-analyze is not installed");
    Process p = new ProcessBuilder("systemd-analyze", "verify", unit.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).as("systemd-analyze verify %s", unit).isEmpty();
  }

  @BeforeAll
  void unpack() throws Exception {
    Path tarball = target().resolve("swak-" + version() + ".tar.gz");
    assertThat(tarball).exists();
    exec(dir, "tar", "xzf", tarball.toString());
    home = dir.resolve("swak-" + version());
    swak = new Swak(home.resolve("bin/swak"), dir, Map.of("SWAK_DATA_DIR", dir.resolve("data").toString()));
  }

  @Test
  void theTarballHasTheLayoutAndRunsTheExample() throws Exception {
    for (String d : List.of("bin/swak", "bin/swak.cmd", "lib", "conf/swak.yml", "plugins/README.txt",
        "examples/seed-fakedata.yml")) {
      assertThat(home.resolve(d)).exists();
    }
    assertThat(Files.isExecutable(home.resolve("bin/swak"))).isTrue();
    // the runtime's class-data sharing archive for the launcher's heap, not the one for heaps of 32 GiB and more
    assertThat(home.resolve("runtime/lib/server/classes.jsa")).isRegularFile();
    assertThat(home.resolve("runtime/lib/server/classes_nocoops.jsa")).doesNotExist();
    try (var jars = Files.list(home.resolve("lib"))) {
      assertThat(jars.map(p -> p.getFileName().toString()).toList())
          .anyMatch(n -> n.startsWith("swak-core-")).noneMatch(n -> n.startsWith("swak-plugin-sample"));
    }
    swak.run("validate", home.resolve("conf/swak.yml").toString()).expect(0);

    // the seed example: fake people on standard output every second, until SIGTERM
    Path out = dir.resolve("example.out");
    Process p = new ProcessBuilder(home.resolve("bin/swak").toString(), "run",
        home.resolve("examples/seed-fakedata.yml").toString()).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(dir.resolve("example.err").toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(out).contains("\"name\""));
    } finally {
      p.destroy();
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void aPluginJarDroppedIntoPluginsIsLoadedAndRuns() throws Exception {
    Path jar = Path.of(System.getProperty("swak.sample.plugin"));
    assertThat(jar).exists();
    // the default build ships the sample in plugins/: take it out to see the drop-in work from nothing
    try (var old = Files.newDirectoryStream(home.resolve("plugins"), "*.jar")) {
      for (Path p : old) {
        Files.delete(p);
      }
    }
    assertThat(swak.run("plugins").expect(0).out()).doesNotContain("out.MyLogParser");
    Files.copy(jar, home.resolve("plugins").resolve(jar.getFileName()));
    assertThat(swak.run("plugins").expect(0).out()).contains("out.MyLogParser", "in.MyLogLines");
    assertThat(swak.run("plugins", "out.MyLogParser").expect(0).out()).contains("on_mismatch", "keep_original");

    Path parsed = dir.resolve("parsed.log");
    Path cfg = dir.resolve("parse.yml");
    Files.writeString(cfg, """
        - task:
          - in.MyLogLines: {count: 10, total: 50}
          - out.MyLogParser
          - out.File: {path: %s, format: record}
        """.formatted(parsed));
    Process p = new ProcessBuilder(home.resolve("bin/swak").toString(), "run", cfg.toString())
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("parse.out").toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> Swak.lines(parsed).size() >= 50);
    } finally {
      p.destroy();
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> lines = Swak.lines(parsed);
    assertThat(lines).hasSize(50);
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.get("order").asLong()).isEqualTo(1);
    assertThat(first.get("thread").asText()).isEqualTo("worker-1");
    assertThat(first.get("text").asText()).isEqualTo("order 1: shipped");
    assertThat(first.has("message")).isFalse();
    assertThat(JSON.readTree(lines.get(49)).get("order").asLong()).isEqualTo(50);
  }

  @Test
  void serviceInstallWritesASystemdUnitAndUninstallRemovesIt() throws Exception {
    Path units = dir.resolve("units");
    Path conf = home.resolve("conf/swak.yml");
    String printed = swak.run("service", "install", conf.toString(), "--os", "linux", "--dir", units.toString(),
        "--name", "swak-test", "--run-as", "swak").expect(0).out();
    assertThat(printed).contains("systemctl daemon-reload", "enable --now swak-test");
    String unit = Files.readString(units.resolve("swak-test.service"));
    assertThat(unit).contains("ExecStart=" + home.resolve("bin/swak") + " run " + conf,
        "ExecReload=/bin/kill -HUP $MAINPID", "User=swak", "Restart=on-failure", "WantedBy=multi-user.target");
    assertThat(unit).as("SWAK_DATA_DIR is set for the test JVM").contains("Environment=SWAK_DATA_DIR=" + dir.resolve("data"));
    systemdVerify(units.resolve("swak-test.service"));
    swak.run("service", "uninstall", "--os", "linux", "--dir", units.toString(), "--name", "swak-test").expect(0);
    assertThat(units.resolve("swak-test.service")).doesNotExist();

    swak.run("service", "install", conf.toString(), "--os", "macos", "--dir", units.toString()).expect(0);
    assertThat(Files.readString(units.resolve("io.swak.swak.plist"))).contains("<string>run</string>",
        "<string>" + conf + "</string>");
  }

  @Test
  void theDebHasTheAgentAConfigAndASystemdUnit() throws Exception {
    Path deb = target().resolve("swak_" + version() + "_all.deb");
    assertThat(deb).exists();
    String contents = exec(dir, "dpkg-deb", "-c", deb.toString());
    assertThat(contents).contains("./opt/swak/bin/swak", "./opt/swak/lib/swak-core-" + version() + ".jar",
        "./opt/swak/plugins/", "./etc/swak/swak.yml", "./lib/systemd/system/swak.service",
        "./usr/bin/swak -> /opt/swak/bin/swak", "./var/lib/swak/", "./opt/swak/runtime/bin/java",
        "./opt/swak/repository/swak-modules.txt", "./opt/swak/repository/lib-jars.txt")
        .doesNotContain("classes_nocoops.jsa", "/repository/org/apache/kafka/kafka-clients/4.4.0/kafka-clients-4.4.0.jar");
    assertThat(contents.lines().filter(l -> l.endsWith("./opt/swak/bin/swak")).findFirst().orElseThrow())
        .startsWith("-rwxr-xr-x");
    String control = exec(dir, "dpkg-deb", "-f", deb.toString(), "Package", "Architecture", "Depends");
    // it brings its own Java runtime (jlinked, so for one architecture) and needs no Java package
    assertThat(control).contains("Package: swak", "Architecture: amd64").doesNotContain("jre-headless");
    assertThat(exec(dir, "dpkg-deb", "-I", deb.toString(), "conffiles")).contains("/etc/swak/swak.yml");

    exec(dir, "dpkg-deb", "-x", deb.toString(), "root");
    String unit = Files.readString(dir.resolve("root/lib/systemd/system/swak.service"));
    assertThat(unit).contains("ExecStart=/opt/swak/bin/swak run /etc/swak/swak.yml",
        "ExecStartPre=/opt/swak/bin/swak validate /etc/swak/swak.yml", "ExecReload=/bin/kill -HUP $MAINPID",
        "User=swak", "Environment=SWAK_DATA_DIR=/var/lib/swak", "Restart=on-failure", "WantedBy=multi-user.target");
    // checked by systemd, with the package's paths pointing into where it was unpacked
    Path unitCopy = dir.resolve("swak.service");
    Files.writeString(unitCopy, unit.replace("/opt/swak/", dir.resolve("root/opt/swak") + "/"));
    systemdVerify(unitCopy);
    // the packaged launcher and config work from where the package puts them
    Swak packaged = new Swak(dir.resolve("root/opt/swak/bin/swak"), dir, Map.of());
    packaged.run("validate", dir.resolve("root/etc/swak/swak.yml").toString()).expect(0);
  }
}
