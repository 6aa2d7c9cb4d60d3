package io.swak.core.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the class-data sharing (AppCDS) archive that bin/swak passes to the JVM when it exists: the
 * classes of Swak, its libraries and the JDK, parsed and verified once, mapped at start-up. It takes the
 * time to the first event from ~0.85 s to ~0.5 s on a 2-core machine.
 *
 * <p>A training agent runs in a child JVM that lists every class it loads: it tails a file into
 * out.Fluentd, which sends to its own in.Forward, then a file buffer and out.File — the classes of the
 * common paths. A second JVM dumps those classes into the archive. The archive is only valid for the
 * exact jars it was built from (the JVM checks paths and modification times and silently ignores a
 * stale archive), so it is built where the jars are installed: by the build for a source checkout, by
 * the package's install script, or by {@code swak cds} after unpacking the tarball.
 */
final class ClassDataSharing {

  static final String ARCHIVE = "swak.jsa";
  private static final int LINES = 200;

  private final Path archive;
  private final Path work;

  ClassDataSharing(Path archive) throws IOException {
    this.archive = archive.toAbsolutePath();
    this.work = Files.createTempDirectory("swak-cds");
  }

  /** Builds the archive; returns a problem, or null when it was written. */
  String build() throws IOException, InterruptedException {
    try {
      Path classList = work.resolve("classes.lst");
      String problem = train(classList);
      if (problem != null) {
        return problem;
      }
      Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      List<String> dump = List.of(java(), "-Xshare:dump", "-XX:SharedClassListFile=" + classList,
          "-XX:SharedArchiveFile=" + tmp, "-cp", System.getProperty("java.class.path"));
      Process p = new ProcessBuilder(dump).redirectErrorStream(true)
          .redirectOutput(work.resolve("dump.log").toFile()).start();
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
        p.destroyForcibly();
        return "the JVM could not dump the archive:\n" + tail(work.resolve("dump.log"));
      }
      Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return null;
    } finally {
      deleteTree(work);
    }
  }

  /** Runs the training agent until its last line is written; the class list is written as classes load. */
  private String train(Path classList) throws IOException, InterruptedException {
    Path input = work.resolve("train.log");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < LINES; i++) {
      lines.append("127.0.0.1 - - [21/Nov/2026:10:00:00 +0000] \"GET /index/").append(i).append(" HTTP/1.1\" 200 42\n");
    }
    Files.writeString(input, lines);
    Path output = work.resolve("out.log");
    int port = freePort();
    String config = """
        - task:
          - in.FileTail: {path: '%s', pos_dir: '%s', read_from_head: true, tag: train}
          - out.Fluentd: {host: 127.0.0.1, port: %d, require_ack_response: true}
        - task:
          - in.Forward: {bind: 127.0.0.1, port: %d}
          - buffer: {type: file, path: '%s', flush_interval: 100ms}
          - out.File: {path: '%s', format: json}
        """.formatted(input, work.resolve("pos"), port, port, work.resolve("buffer"), output);
    Path yml = work.resolve("train.yml");
    Files.writeString(yml, config);
    List<String> cmd = new ArrayList<>(List.of(java(), "-XX:DumpLoadedClassList=" + classList, "-Xshare:auto",
        "-cp", System.getProperty("java.class.path")));
    for (String prop : new String[] {"swak.home", "swak.plugins.dir"}) {
      if (System.getProperty(prop) != null) {
        cmd.add("-D" + prop + "=" + System.getProperty(prop));
      }
    }
    cmd.addAll(List.of(Main.class.getName(), "run", "--data-dir", work.resolve("data").toString(), yml.toString()));
    Path log = work.resolve("train.out");
    Process agent = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (countLines(output) < LINES) {
        if (!agent.isAlive() || System.nanoTime() > deadline) {
          return "the training run did not deliver its lines:\n" + tail(log);
        }
        Thread.sleep(50); // polls another process's output file: nothing to wait on
      }
    } finally {
      agent.destroy(); // SIGTERM: a clean stop, so the classes of stopping are listed too
      if (!agent.waitFor(30, TimeUnit.SECONDS)) {
        agent.destroyForcibly();
      }
    }
    return Files.isRegularFile(classList) ? null : "the training run wrote no class list";
  }

  private static long countLines(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return 0;
    }
    try (Stream<String> s = Files.lines(file, StandardCharsets.UTF_8)) {
      return s.count();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String tail(Path log) throws IOException {
    if (!Files.isRegularFile(log)) {
      return "(no output)";
    }
    List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
