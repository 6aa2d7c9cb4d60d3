package io.swak.core.service;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An installation in Capistrano's layout: {@code <root>/releases/<version>/} (unpacked distributions),
 * {@code <root>/current} → the release that runs, {@code <root>/previous} → the one before (what rollback goes
 * back to), {@code <root>/shared/} for what outlives releases (conf/swak.yml, data/: checkpoints, buffers, pid and
 * status files, logs). A switch replaces a symlink atomically, so {@code current} always names a whole release.
 */
public final class Deployment {

  private final Path root;
  private final PrintStream out;
  private final PrintStream err;

  public Deployment(Path root, PrintStream out, PrintStream err) {
    this.root = root.toAbsolutePath().normalize();
    this.out = out;
    this.err = err;
  }

  /** The root of the layout a release directory belongs to ({@code <root>/releases/<version>}), if it does. */
  public static Optional<Path> rootOf(Path home) {
    Path parent = home.toAbsolutePath().normalize().getParent();
    if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("releases")) {
      return Optional.ofNullable(parent.getParent());
    }
    return Optional.empty();
  }

  public Path root() {
    return root;
  }

  public Path releases() {
    return root.resolve("releases");
  }

  public Path sharedConfig() {
    return root.resolve("shared/conf/swak.yml");
  }

  public Path sharedData() {
    return root.resolve("shared/data");
  }

  /** The release {@code current} (or {@code previous}) points at. */
  public Optional<Path> release(String link) throws IOException {
    Path l = root.resolve(link);
    if (!Files.isSymbolicLink(l)) {
      return Optional.empty();
    }
    Path target = root.resolve(Files.readSymbolicLink(l)).normalize();
    return Files.isDirectory(target) ? Optional.of(target) : Optional.empty();
  }

  /** Every release, oldest first. */
  public List<Path> all() throws IOException {
    if (!Files.isDirectory(releases())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(releases())) {
      return s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted(Comparator.comparing(p -> {
            try {
              return Files.getLastModifiedTime(p).toInstant();
            } catch (IOException e) {
              return java.time.Instant.EPOCH;
            }
          })).toList();
    }
  }

  /** Creates releases/ and shared/ (conf, data) when missing. */
  public void prepare() throws IOException {
    Files.createDirectories(releases());
    Files.createDirectories(sharedConfig().getParent());
    Files.createDirectories(sharedData());
  }

  /**
   * Unpacks a distribution tarball ({@code swak-<version>.tar.gz}, one top folder) into
   * {@code releases/<version>} ({@code <version>-2} … when that exists already).
   */
  public Path unpack(Path tarball) throws IOException, InterruptedException {
    if (!Files.isRegularFile(tarball)) {
      throw new IOException("no package at " + tarball + " (give the swak-<version>.tar.gz to install)");
    }
    prepare();
    Path tmp = Files.createTempDirectory(releases(), ".unpacking-");
    try {
      Result r = run(List.of("tar", "-xzf", tarball.toAbsolutePath().toString(), "-C", tmp.toString()), Map.of(),
          Duration.ofMinutes(5));
      if (r.code() != 0) {
        throw new IOException("cannot unpack " + tarball + ": " + r.output().strip());
      }
      List<Path> tops = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
        ds.forEach(tops::add);
      }
      if (tops.size() != 1 || !Files.isRegularFile(tops.get(0).resolve("bin/swak"))) {
        throw new IOException(tarball + " is not a swak distribution (expected one folder swak-<version>/ with "
            + "bin/swak in it)");
      }
      String name = tops.get(0).getFileName().toString().replaceFirst("^swak-", "");
      Path target = releases().resolve(name);
      for (int n = 2; Files.exists(target); n++) {
        target = releases().resolve(name + "-" + n);
      }
      Files.move(tops.get(0), target);
      // the order of releases is the order they were installed in
      Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
      return target;
    } finally {
      deleteTree(tmp);
    }
  }

  /** Points {@code link} (current, previous) at {@code release}, atomically (a new symlink renamed over the old). */
  public void point(String link, Path release) throws IOException {
    Path tmp = root.resolve("." + link + "-" + UUID.randomUUID());
    Files.createSymbolicLink(tmp, root.relativize(release.toAbsolutePath().normalize()));
    Files.move(tmp, root.resolve(link), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Exit code and what a command printed. */
  public record Result(int code, String output) { }

  /** Runs {@code release/bin/swak args…}, with the shared data directory unless SWAK_DATA_DIR is set. */
  public Result swak(Path release, Duration timeout, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(release.resolve("bin/swak").toString());
    cmd.addAll(List.of(args));
    return run(cmd, Map.of(), timeout);
  }

  private Result run(List<String> cmd, Map<String, String> env, Duration timeout)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("swak-deploy", ".out");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      String data = System.getenv("SWAK_DATA_DIR");
      if (data == null || data.isEmpty()) {
        pb.environment().put("SWAK_DATA_DIR", sharedData().toString());
      }
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(124, Files.readString(log, StandardCharsets.UTF_8) + "\n(" + String.join(" ", cmd)
            + " did not finish within " + timeout.toSeconds() + " s)");
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** Prints a command's output indented, under a heading. */
  public void show(String heading, Result r) {
    (r.code() == 0 ? out : err).println(heading);
    r.output().lines().forEach(l -> (r.code() == 0 ? out : err).println("  | " + l));
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
