package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's build file through the unpacked tarball's launcher ({@code swak build}), the bundled runtime on a host
 * without Java, and {@code swak plugin install|list|remove} with Maven Resolver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildIT {

  @TempDir
  static Path dir;

  private Path home;
  private Swak swak;
  /** A PATH with a shell and the few tools bin/swak uses, and no java. */
  private Path noJava;

  private static String version() {
    return System.getProperty("swak.version");
  }

  @BeforeAll
  void unpack() throws Exception {
    Path tarball = Path.of(System.getProperty("swak.dist.dir", "target")).resolve("swak-" + version() + ".tar.gz");
    Process p = new ProcessBuilder("tar", "xzf", tarball.toAbsolutePath().toString()).directory(dir.toFile())
        .inheritIO().start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0).as("tar xzf " + tarball).isTrue();
    home = dir.resolve("swak-" + version());
    swak = new Swak(home.resolve("bin/swak"), dir, Map.of("SWAK_DATA_DIR", dir.resolve("data").toString(),
        "SWAK_MAVEN_CACHE", dir.resolve("maven-cache").toString()));
    noJava = Files.createDirectories(dir.resolve("no-java-bin"));
    for (String tool : List.of("sh", "env", "dirname", "sed", "ls")) {
      for (String d : List.of("/usr/bin/", "/bin/")) {
        if (Files.isExecutable(Path.of(d + tool)) && !Files.exists(noJava.resolve(tool))) {
          Files.createSymbolicLink(noJava.resolve(tool), Path.of(d + tool));
        }
      }
    }
  }

  /** The seed's two modules; in.Syslog's module when this distribution has it, else swak-plugin-file (said so). */
  private List<String> seedModules() throws Exception {
    String modules = Files.readString(home.resolve("repository/swak-modules.txt"));
    boolean syslog = modules.lines().anyMatch(l -> l.startsWith("swak-plugin-syslog\t"));
    if (!syslog) {
      System.out.println("swak-plugin-syslog is not in this distribution yet: the build file names swak-plugin-file");
    }
    return List.of(syslog ? "swak-plugin-syslog" : "swak-plugin-file", "swak-plugin-fluentd");
  }

  /** Runs the seed's first example with {@code launcher} until it printed a fake person, then SIGTERM. */
  private void runsTheFirstExample(Path launcher, Map<String, String> env, boolean clearEnv) throws Exception {
    Path out = Files.createTempFile(dir, "example", ".out");
    Path err = Files.createTempFile(dir, "example", ".err");
    ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "run",
        home.resolve("examples/seed-fakedata.yml").toString()).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    if (clearEnv) {
      pb.environment().clear();
    }
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).contains("\"name\"") || !p.isAlive());
      assertThat(Files.readString(out)).as("stderr: %s", Files.readString(err)).contains("\"name\"");
    } finally {
      p.destroy();
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(err)).isZero();
  }

  private Map<String, String> withoutJava() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", noJava.toString());
    env.put("HOME", dir.toString());
    env.put("SWAK_DATA_DIR", dir.resolve("data-nojava").toString());
    return env; // and no JAVA_HOME
  }

  @Test
  void theSeedsBuildFileMakesDistSwakMyprjWithOnlyItsPlugins() throws Exception {
    List<String> modules = seedModules();
    Path buildFile = dir.resolve("myprj-build.yml");
    Files.writeString(buildFile, """
        - name: myprj
        - plugins:
          - %s
          - %s
        """.formatted(modules.get(0), modules.get(1)), StandardCharsets.UTF_8);
    String out = swak.run("build", buildFile.toString()).expect(0).out();
    Path built = dir.resolve("dist/swak-myprj");
    assertThat(out).contains("built " + built);
    assertThat(dir.resolve("dist/swak-myprj-" + version() + ".tar.gz")).isRegularFile();
    Path launcher = built.resolve("bin/swak-myprj");
    assertThat(Files.isExecutable(launcher)).isTrue();

    String plugins = new Swak(launcher, dir, Map.of()).run("plugins").expect(0).out();
    assertThat(plugins).contains("in.Forward", "out.Fluentd", "in.FakeData", "out.Stdout")
        .doesNotContain("in.MySQLTail", "out.Exec", "failover", "out.TimedBuffer", "out.MyLogParser");
    assertThat(plugins).contains(modules.get(0).equals("swak-plugin-syslog") ? "in.Syslog" : "in.FileTail");
    try (var jars = Files.list(built.resolve("lib"))) {
      assertThat(jars.map(p -> p.getFileName().toString()).toList())
          .noneMatch(n -> n.startsWith("mariadb-java-client") || n.startsWith("swak-plugin-mysql"));
    }
    // the build runs the seed's first example, on its own bundled runtime
    runsTheFirstExample(launcher, withoutJava(), true);
  }

  @Test
  void withoutANameTheBuildIsDistSwak() throws Exception {
    Path buildFile = dir.resolve("plain-build.yml");
    Files.writeString(buildFile, "- plugins:\n  - swak-plugin-fluentd\n");
    Path out = dir.resolve("plain");
    swak.run("build", buildFile.toString(), "--output", out.toString(), "--no-tarball").expect(0);
    assertThat(out.resolve("swak/bin/swak")).isExecutable();
    assertThat(new Swak(out.resolve("swak/bin/swak"), dir, Map.of()).run("plugins").expect(0).out())
        .contains("out.Fluentd").doesNotContain("in.FileTail");
  }

  @Test
  void aBuildHasTheLibrariesOfTheFullDistributionAndTheRepositoryNoSecondCopyOfThem() throws Exception {
    Path buildFile = dir.resolve("kafka-build.yml");
    Files.writeString(buildFile, "- name: kafka\n- plugins:\n  - swak-plugin-kafka\n");
    Path out = dir.resolve("kafka");
    swak.run("build", buildFile.toString(), "--output", out.toString(), "--no-tarball", "--offline").expect(0);
    List<String> full = jarNames(home.resolve("lib"));
    // kafka-clients asks for zstd-jni 1.5.7-17; the full distribution was tested with the version in its lib/
    assertThat(jarNames(out.resolve("swak-kafka/lib"))).contains("kafka-clients-4.4.0.jar")
        .anyMatch(n -> n.startsWith("zstd-jni-")).allMatch(full::contains);
    for (String jar : jarNames(out.resolve("swak-kafka/lib"))) {
      assertThat(Files.mismatch(out.resolve("swak-kafka/lib").resolve(jar), home.resolve("lib").resolve(jar)))
          .as(jar).isEqualTo(-1L);
    }
    try (var s = Files.walk(home.resolve("repository"))) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList())
          .as("jars of repository/ that lib/ has too").noneMatch(full::contains);
    }
    assertThat(new Swak(out.resolve("swak-kafka/bin/swak-kafka"), dir, Map.of()).run("plugins").expect(0).out())
        .contains("out.Kafka", "in.Kafka").doesNotContain("in.FileTail");
  }

  private static List<String> jarNames(Path lib) throws Exception {
    try (var s = Files.list(lib)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
    }
  }

  @Test
  void unknownPluginNamesAreErrorsWithSuggestions() throws Exception {
    Path buildFile = dir.resolve("typo-build.yml");
    Files.writeString(buildFile, "- name: typo\n- plugins:\n  - swak-plugin-fluentdd\n  - swak-plugin-nothing\n"
        + "- plugin: []\n");
    String out = swak.run("build", buildFile.toString()).expect(1).out();
    assertThat(out).contains("unknown plugin module `swak-plugin-fluentdd` — did you mean `swak-plugin-fluentd`?",
        "unknown plugin module `swak-plugin-nothing`", "unknown key `plugin` — did you mean `plugins`?", "3 problems");
    assertThat(dir.resolve("dist/swak-typo")).doesNotExist();
  }

  @Test
  void theUnpackedTarballRunsTheFirstExampleOnAHostWithoutJava() throws Exception {
    Map<String, String> env = withoutJava();
    ProcessBuilder check = new ProcessBuilder(noJava.resolve("sh").toString(), "-c", "command -v java || echo none");
    check.environment().clear();
    check.environment().putAll(env);
    Process c = check.redirectErrorStream(true).start();
    assertThat(new String(c.getInputStream().readAllBytes()).trim()).isEqualTo("none");
    runsTheFirstExample(home.resolve("bin/swak"), env, true);
  }

  /** The java.home of the JVM bin/swak of the unpacked tarball starts, with only {@code env} (and no JAVA_HOME). */
  private String javaHomeWith(Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/swak").toString(), "version").redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.environment().put("SWAK_JAVA_OPTS", "-XshowSettings:properties");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(out).isTrue();
    return out.lines().map(String::trim).filter(l -> l.startsWith("java.home = ")).findFirst()
        .orElseThrow(() -> new AssertionError("no java.home in:\n" + out)).substring("java.home = ".length());
  }

  @Test
  void theLauncherTakesJavaHomeThenTheBundledRuntimeThenJavaOnThePath() throws Exception {
    Path jdk = Path.of(System.getProperty("java.home")).toRealPath();
    Map<String, String> env = withoutJava();
    Map<String, String> withJavaHome = new HashMap<>(env);
    withJavaHome.put("JAVA_HOME", jdk.toString());
    assertThat(Path.of(javaHomeWith(withJavaHome)).toRealPath()).isEqualTo(jdk);
    assertThat(Path.of(javaHomeWith(env)).toRealPath()).isEqualTo(home.resolve("runtime").toRealPath());
    // without the bundled runtime: the java of the PATH
    Path onPath = Files.createDirectories(dir.resolve("path-with-java"));
    for (String tool : List.of("sh", "env", "dirname", "sed", "ls")) {
      Files.createSymbolicLink(onPath.resolve(tool), noJava.resolve(tool));
    }
    Files.createSymbolicLink(onPath.resolve("java"), jdk.resolve("bin/java"));
    Map<String, String> pathJava = new HashMap<>(env);
    pathJava.put("PATH", onPath.toString());
    Path runtime = home.resolve("runtime");
    Path away = dir.resolve("runtime-away");
    Files.move(runtime, away);
    try {
      assertThat(Path.of(javaHomeWith(pathJava)).toRealPath()).isEqualTo(jdk);
    } finally {
      Files.move(away, runtime);
    }
  }

  /** Puts a jar and its pom into a Maven repository layout, with the checksums a remote repository serves. */
  private static void publish(Path repo, String group, String artifact, String version, byte[] jar, String deps)
      throws Exception {
    Path d = Files.createDirectories(repo.resolve(group.replace('.', '/')).resolve(artifact).resolve(version));
    String pom = """
        <project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
          <groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version>
          <dependencies>%s</dependencies>
        </project>
        """.formatted(group, artifact, version, deps);
    for (var f : Map.of(".jar", jar, ".pom", pom.getBytes(StandardCharsets.UTF_8)).entrySet()) {
      Path file = d.resolve(artifact + "-" + version + f.getKey());
      Files.write(file, f.getValue());
      for (String[] alg : new String[][] {{"SHA-1", ".sha1"}, {"MD5", ".md5"}}) {
        byte[] sum = java.security.MessageDigest.getInstance(alg[0]).digest(f.getValue());
        Files.writeString(file.resolveSibling(file.getFileName() + alg[1]), java.util.HexFormat.of().formatHex(sum));
      }
    }
  }

  private static byte[] emptyJar() throws Exception {
    var bytes = new java.io.ByteArrayOutputStream();
    try (var jar = new java.util.jar.JarOutputStream(bytes, new java.util.jar.Manifest())) {
      jar.putNextEntry(new java.util.zip.ZipEntry("com/example/helper/README.txt"));
      jar.write("a library a plugin needs\n".getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  @Test
  void aThirdPartyPluginComesFromARemoteRepositoryWithWhatItNeeds() throws Exception {
    Path remote = dir.resolve("remote-repository");
    publish(remote, "com.example", "helper", "1.0", emptyJar(), "");
    publish(remote, "com.example", "swak-plugin-parser", "1.0",
        Files.readAllBytes(Path.of(System.getProperty("swak.sample.plugin"))), """
        <dependency><groupId>com.example</groupId><artifactId>helper</artifactId><version>1.0</version></dependency>
        <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.20</version></dependency>
        """);
    com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    java.util.List<String> asked = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    http.createContext("/", ex -> {
      Path f = remote.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
      asked.add(ex.getRequestURI().getPath());
      boolean found = f.startsWith(remote) && Files.isRegularFile(f);
      byte[] body = found ? Files.readAllBytes(f) : new byte[0];
      ex.sendResponseHeaders(found ? 200 : 404, found ? body.length : -1);
      if (found) {
        ex.getResponseBody().write(body);
      }
      ex.close();
    });
    http.start();
    Path plugins = home.resolve("plugins");
    try (var old = Files.newDirectoryStream(plugins, "*.jar")) {
      for (Path p : old) {
        Files.delete(p); // the tarball ships the sample: start from none
      }
    }
    String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/";
    try {
      String coords = "com.example:swak-plugin-parser:1.0";
      assertThat(swak.run("plugin", "install", coords, "--repository", url).expect(0).out()).contains("installed " + coords);
      // its own jar and the library it needs; not slf4j-api, which lib/ has
      assertThat(jarNames(plugins)).containsExactlyInAnyOrder("swak-plugin-parser-1.0.jar", "helper-1.0.jar");
      assertThat(asked).contains("/com/example/swak-plugin-parser/1.0/swak-plugin-parser-1.0.jar",
          "/com/example/helper/1.0/helper-1.0.jar");
      assertThat(swak.run("plugins").expect(0).out()).contains("out.MyLogParser");

      // the same coordinates in a build file: the build's plugins/
      Path buildFile = dir.resolve("third-party-build.yml");
      Files.writeString(buildFile, "- name: parser\n- plugins:\n  - swak-plugin-file\n  - " + coords + "\n");
      Path out = dir.resolve("third-party");
      swak.run("build", buildFile.toString(), "--output", out.toString(), "--no-tarball", "--repository", url).expect(0);
      assertThat(jarNames(out.resolve("swak-parser/plugins")))
          .containsExactlyInAnyOrder("swak-plugin-parser-1.0.jar", "helper-1.0.jar");
      assertThat(new Swak(out.resolve("swak-parser/bin/swak-parser"), dir, Map.of()).run("plugins").expect(0).out())
          .contains("out.MyLogParser", "in.FileTail").doesNotContain("out.Kafka");
    } finally {
      http.stop(0);
      swak.run("plugin", "remove", "swak-plugin-parser");
    }
    assertThat(jarNames(plugins)).isEmpty();
  }

  @Test
  void pluginInstallListRemoveManagePluginsByMavenCoordinates() throws Exception {
    Path plugins = home.resolve("plugins");
    try (var old = Files.newDirectoryStream(plugins, "*.jar")) {
      for (Path p : old) {
        Files.delete(p); // the tarball ships the sample: start from none
      }
    }
    String coords = "io.swak:swak-plugin-sample:" + version();
    String installed = swak.run("plugin", "install", coords, "--offline").expect(0).out();
    assertThat(installed).contains("installed " + coords);
    assertThat(plugins.resolve("swak-plugin-sample-" + version() + ".jar")).isRegularFile();
    assertThat(swak.run("plugin", "list").expect(0).out()).contains(coords);
    assertThat(swak.run("plugins").expect(0).out()).contains("out.MyLogParser");

    assertThat(swak.run("plugin", "install", "io.swak:swak-plugin-nope:1.0", "--offline").expect(1).out())
        .contains("cannot resolve io.swak:swak-plugin-nope:1.0");

    swak.run("plugin", "remove", "swak-plugin-sample").expect(0);
    assertThat(plugins.resolve("swak-plugin-sample-" + version() + ".jar")).doesNotExist();
    assertThat(swak.run("plugins").expect(0).out()).doesNotContain("out.MyLogParser");
  }
}
