package io.swak.core.cli;

import io.swak.core.service.ThisJvm;
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
 * time to the first event from ~0.45-0.5 s to ~0.23-0.26 s on a 2-core machine (file -> out.Fluentd benchmark).
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

  ClassDataSharing(Path archive) {
    this.archive = archive.toAbsolutePath();
  }

  /** Builds the archive; returns a problem, or null when it was written. */
  String build() throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("swak-cds");
    try {
      Path classList = work.resolve("classes.lst");
      String problem = train(work, classList);
      if (problem != null) {
        return problem;
      }
      Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      // the same JVM options as the agents that will map it (heap size and GC decide whether it fits)
      List<String> dump = new ArrayList<>(List.of(ThisJvm.executable()));
      dump.addAll(ThisJvm.argumentsWithoutSharing());
      dump.addAll(List.of("-Xshare:dump", "-XX:SharedClassListFile=" + classList, "-XX:SharedArchiveFile=" + tmp,
          "-cp", System.getProperty("java.class.path")));
      Process p = new ProcessBuilder(dump).redirectErrorStream(true)
          .redirectOutput(work.resolve("dump.log").toFile()).start();
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
        end(p);
        return "the JVM could not dump the archive:\n" + tail(work.resolve("dump.log"));
      }
      Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return null;
    } finally {
      deleteQuietly(work);
    }
  }

  /**
   * Runs the training agent in {@code work} until its last line is written; the class list is written as
   * classes load. The config names its files relative to {@code work}, so no path needs quoting.
   */
  private String train(Path work, Path classList) throws IOException, InterruptedException {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < LINES; i++) {
      lines.append("127.0.0.1 - - [21/Nov/2026:10:00:00 +0000] \"GET /index/").append(i).append(" HTTP/1.1\" 200 42\n");
    }
    Files.writeString(work.resolve("train.log"), lines);
    Path output = work.resolve("out.log");
    int port = freePort();
    Files.writeString(work.resolve("train.yml"), """
        - task:
          - in.FileTail: {path: train.log, pos_dir: pos, read_from_head: true, tag: train}
          - out.Fluentd: {host: 127.0.0.1, port: %d, require_ack_response: true}
        - task:
          - in.Forward: {bind: 127.0.0.1, port: %d}
          - buffer: {type: file, path: buffer, flush_interval: 100ms}
          - out.File: {path: out.log, format: json}
        """.formatted(port, port));
    List<String> cmd = new ArrayList<>(List.of(ThisJvm.executable()));
    cmd.addAll(ThisJvm.argumentsWithoutSharing());
    cmd.addAll(List.of("-XX:DumpLoadedClassList=" + classList, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "run", "--data-dir", "data", "train.yml"));
    Path log = work.resolve("train.out");
    Process agent = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (countLines(output) < LINES) {
        if (!agent.isAlive() || System.nanoTime() > deadline) {
          return "the training run did not deliver its lines:\n" + tail(log);
        }
        Thread.sleep(50); // polls another process's output file: nothing to wait on
      }
    } finally {
      end(agent);
    }
    return Files.isRegularFile(classList) ? null : "the training run wrote no class list";
  }

  /** SIGTERM (a clean stop lists the classes of stopping too), then SIGKILL; returns when it is gone. */
  private static void end(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
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

  private static String tail(Path log) throws IOException {
    if (!Files.isRegularFile(log)) {
      return "(no output)";
    }
    List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
  }

  /** Best effort: a leftover temp dir must not hide the outcome. */
  private static void deleteQuietly(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("swak cds: could not remove " + dir + ": " + e.getMessage());
    }
  }
}
