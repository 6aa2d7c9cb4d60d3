package io.swak.build;

import io.swak.core.http.StatusReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The swak these commands run from, as bin/swak describes it (swak.home, swak.lib, swak.plugins.dir): an unpacked
 * distribution, or a source checkout after {@code mvn package} (its distribution is then in swak-dist/target).
 */
final class Installation {

  final Path home;
  final Path lib;
  final Path pluginsDir;
  /** lib's parent: the distribution (home, or swak-dist/target of a checkout). */
  final Path dist;

  private Installation(Path home, Path lib, Path pluginsDir) {
    this.home = home;
    this.lib = lib;
    this.pluginsDir = pluginsDir;
    this.dist = lib.getParent();
  }

  static Installation current() {
    Path home = Path.of(System.getProperty("swak.home", ".")).toAbsolutePath().normalize();
    Path lib = Path.of(System.getProperty("swak.lib", home.resolve("lib").toString())).toAbsolutePath().normalize();
    Path plugins = Path.of(System.getProperty("swak.plugins.dir", home.resolve("plugins").toString()))
        .toAbsolutePath().normalize();
    return new Installation(home, lib, plugins);
  }

  static String version() {
    return StatusReport.version();
  }

  /** The Maven repository of Swak's modules and what they need, made by the distribution's build. */
  Path repository() {
    return dist.resolve("repository");
  }

  /** lib/'s jars by their coordinates, as the repository lists them. */
  LibJars libJarsByCoordinates() throws IOException {
    return LibJars.of(repository(), dist);
  }

  /** The first of {@code candidates} (relative to home, then to the distribution) that exists. */
  Optional<Path> find(String... candidates) {
    for (String c : candidates) {
      for (Path base : List.of(home, dist)) {
        Path p = base.resolve(c);
        if (Files.exists(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** The plugin modules the repository holds, by artifactId, with their descriptions. */
  Map<String, String> modules() throws IOException {
    Path list = repository().resolve(RepositoryMaker.MODULES);
    if (!Files.isRegularFile(list)) {
      throw new IOException("this installation has no plugin repository (" + repository() + "): it was not built with "
          + "one; use the full distribution (swak-<version>.tar.gz) to build from");
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
      String[] f = line.split("\t", 2);
      if (!f[0].isBlank()) {
        m.put(f[0], f.length > 1 ? f[1] : "");
      }
    }
    return m;
  }

  /** Where downloads are kept: ~/.swak/repository, or $SWAK_MAVEN_CACHE. */
  static Path cache(Path option) {
    if (option != null) {
      return option;
    }
    String env = System.getenv("SWAK_MAVEN_CACHE");
    return env != null && !env.isEmpty() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".swak", "repository");
  }

  /** The user's Maven local repository, read only. */
  static Path userMavenRepository() {
    return Path.of(System.getProperty("user.home"), ".m2", "repository");
  }

  /** The remotes: those given, else $SWAK_MAVEN_REPOSITORIES (comma-separated), else Maven Central. */
  static List<String> remotes(List<String> given) {
    List<String> out = new ArrayList<>();
    if (given != null && !given.isEmpty()) {
      out.addAll(given);
    } else {
      String env = System.getenv("SWAK_MAVEN_REPOSITORIES");
      if (env != null && !env.isBlank()) {
        for (String s : env.split(",")) {
          if (!s.isBlank()) {
            out.add(s.trim());
          }
        }
      } else {
        out.add(MavenArtifacts.CENTRAL);
      }
    }
    return out;
  }

  /** Jar file names in lib/: what the agent's class path already has. */
  List<String> libJars() throws IOException {
    List<String> out = new ArrayList<>();
    try (var s = Files.list(lib)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).forEach(out::add);
    }
    return out;
  }
}
