package io.swak.build;

import io.swak.core.config.Suggest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code swak build BUILD_FILE}: the seed's swak-build. A distribution {@code dist/swak-<name>/} (and its tarball)
 * with the runtime, the basic plugins and only the plugin modules the file names, each with what it needs, taken
 * from the distribution's Maven repository with Maven Resolver; plugins named by Maven coordinates are resolved
 * from the local repository or the remote ones and go to its plugins/.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
    description = {"Builds a distribution with chosen plugins (the seed's swak-build): dist/swak-<name>/ with "
        + "bin/swak-<name>, and dist/swak-<name>-<version>.tar.gz.",
        "BUILD_FILE:%n  - name: myprj%n  - plugins:%n    - swak-plugin-syslog%n    - swak-plugin-fluentd%n"
            + "    - com.example:swak-plugin-x:1.0   (Maven coordinates: a third-party plugin, into plugins/)",
        "The basic plugins (in.FakeData, out.Stdout, out.Null, sleep) are always in. `swak build --list` shows the "
            + "plugin modules."})
public final class BuildCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "BUILD_FILE", description = "YAML: name and plugins.")
  Path file;

  @Option(names = "--output", paramLabel = "DIR", defaultValue = "dist",
      description = "Where to put the build (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--list", description = "List the plugin modules this installation can build with.")
  boolean list;

  @Option(names = "--no-tarball", description = "Only the folder, no .tar.gz.")
  boolean noTarball;

  @Option(names = "--repository", paramLabel = "URL", description = "A remote Maven repository for plugins named by "
      + "coordinates (repeatable; default $SWAK_MAVEN_REPOSITORIES, else Maven Central).")
  List<String> repositories;

  @Option(names = "--offline", description = "Use local repositories only.")
  boolean offline;

  @Option(names = "--local-repository", paramLabel = "DIR", description = "Where downloads are kept (default "
      + "$SWAK_MAVEN_CACHE, else ~/.swak/repository); ~/.m2/repository is read, never written.")
  Path localRepository;

  static final String BASE_MODULE = "swak-plugin-basic";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /** What a build file asks for. */
  record BuildFile(String name, List<String> modules, List<String> coordinates) { }

  @Override
  public Integer call() throws Exception {
    Installation inst = Installation.current();
    Map<String, String> modules;
    try {
      modules = inst.modules();
    } catch (IOException e) {
      System.err.println("swak build: " + e.getMessage());
      return 1;
    }
    if (list) {
      modules.forEach((id, d) -> System.out.printf("%-24s %s%n", id, d));
      return 0;
    }
    if (file == null) {
      System.err.println("swak build needs a BUILD_FILE (see swak build --help), or --list");
      return 2;
    }
    BuildFile bf;
    try {
      bf = read(file, modules);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    String dirName = bf.name() == null ? "swak" : "swak-" + bf.name();
    Path target = output.resolve(dirName).toAbsolutePath().normalize();
    String version = Installation.version();
    List<String> wanted = new ArrayList<>();
    wanted.add("io.swak:swak-core:" + version);
    if (modules.containsKey(BASE_MODULE)) {
      wanted.add("io.swak:" + BASE_MODULE + ":" + version);
    }
    for (String m : bf.modules()) {
      if (!m.equals(BASE_MODULE)) {
        wanted.add("io.swak:" + m + ":" + version);
      }
    }
    Map<String, Artifact> lib = new LinkedHashMap<>();
    Map<String, List<Artifact>> external = new LinkedHashMap<>();
    try (MavenArtifacts maven = new MavenArtifacts(Installation.cache(localRepository),
        List.of(inst.repository(), Installation.userMavenRepository()), Installation.remotes(repositories), offline, inst.libJarsByCoordinates())) {
      for (String coords : wanted) {
        for (Artifact a : maven.resolve(coords)) {
          lib.putIfAbsent(a.getGroupId() + ":" + a.getArtifactId(), a);
        }
      }
      for (String coords : bf.coordinates()) {
        List<Artifact> own = new ArrayList<>();
        for (Artifact a : maven.resolve(coords)) {
          if (!lib.containsKey(a.getGroupId() + ":" + a.getArtifactId())) {
            own.add(a); // what the agent's class path has already is not copied again
          }
        }
        external.put(coords, own);
      }
    } catch (DependencyResolutionException e) {
      System.err.println("swak build: cannot resolve the plugins of " + file + ": " + PluginCommand.reason(e));
      return 1;
    }

    if (Files.exists(target)) {
      if (!Files.isRegularFile(target.resolve(BUILD_INFO))) {
        System.err.println("swak build: " + target + " exists and is not a swak build: move it away first");
        return 1;
      }
      RepositoryMaker.deleteTree(target); // a build replaces the previous one of the same name
    }
    Files.createDirectories(target.resolve("bin"));
    Files.createDirectories(target.resolve("lib"));
    Files.createDirectories(target.resolve("plugins"));
    String launcher = bf.name() == null ? "swak" : "swak-" + bf.name();
    copy(inst.find("bin/swak").orElseThrow(() -> new IOException("no bin/swak in " + inst.home)),
        target.resolve("bin/" + launcher));
    target.resolve("bin/" + launcher).toFile().setExecutable(true, false);
    inst.find("bin/swak.cmd").ifPresent(p -> copyQuietly(p, target.resolve("bin/" + launcher + ".cmd")));
    for (Artifact a : lib.values()) {
      copy(a.getPath(), target.resolve("lib").resolve(a.getArtifactId() + "-" + a.getVersion() + ".jar"));
    }
    if (Files.isDirectory(inst.lib.resolve("build"))) {
      copyTree(inst.lib.resolve("build"), target.resolve("lib/build")); // swak plugin install works in the build too
    }
    for (Map.Entry<String, List<Artifact>> e : external.entrySet()) {
      PluginCommand.installInto(target.resolve("plugins"), e.getKey(), e.getValue());
    }
    inst.find("plugins/README.txt", "../src/dist/plugins/README.txt")
        .ifPresent(p -> copyQuietly(p, target.resolve("plugins/README.txt")));
    inst.find("conf/swak.yml", "../src/dist/conf/swak.yml").ifPresent(p -> copyQuietly(p, target.resolve("conf/swak.yml")));
    for (String d : List.of("examples", "docs")) {
      Path src = inst.home.resolve(d);
      if (Files.isDirectory(src)) {
        copyTree(src, target.resolve(d));
      }
    }
    Path runtime = inst.dist.resolve("runtime");
    if (Files.isDirectory(runtime)) {
      copyTree(runtime, target.resolve("runtime"));
    }
    StringBuilder info = new StringBuilder("name=" + (bf.name() == null ? "" : bf.name()) + "\nversion=" + version
        + "\nbuild_file=" + file.toAbsolutePath().normalize() + "\nmodules=" + String.join(",", bf.modules())
        + "\nplugins=" + String.join(",", bf.coordinates()) + "\n");
    Files.writeString(target.resolve(BUILD_INFO), info.toString(), StandardCharsets.UTF_8);

    System.out.println("built " + target + ": bin/" + launcher + ", " + lib.size() + " jars in lib/ (" + BASE_MODULE
        + (bf.modules().isEmpty() ? "" : ", " + String.join(", ", bf.modules())) + ")"
        + (external.isEmpty() ? "" : ", " + external.size() + " plugin(s) in plugins/ (" + String.join(", ",
            external.keySet()) + ")") + (Files.isDirectory(runtime) ? ", the bundled Java runtime" : ""));
    if (!noTarball) {
      String top = dirName + "-" + version;
      Path tgz = output.resolve(top + ".tar.gz").toAbsolutePath();
      TarGz.write(target, top, tgz);
      System.out.println("tarball " + tgz + " (" + Files.size(tgz) / 1024 + " KiB)");
    }
    System.out.println("class-data sharing (faster start): " + target.resolve("bin/" + launcher) + " cds, once where it "
        + "is installed");
    return 0;
  }

  static final String BUILD_INFO = "BUILD.txt";

  /**
   * Reads the seed's form (a list of one-key maps: {@code - name: x}, {@code - plugins: [...]}) or a plain map;
   * every problem at once, with suggestions.
   */
  static BuildFile read(Path file, Map<String, String> modules) {
    Object doc;
    try {
      doc = new Load(LoadSettings.builder().setLabel(file.toString()).build())
          .loadFromString(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    } catch (YamlEngineException e) {
      throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage());
    }
    Map<String, Object> entries = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    if (doc instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map<?, ?> m) {
          m.forEach((k, v) -> {
            if (entries.put(String.valueOf(k), v) != null) {
              problems.add("`" + k + "` is given twice");
            }
          });
        } else {
          problems.add("each entry is `- name: …` or `- plugins: […]`, not `" + o + "`");
        }
      }
    } else if (doc instanceof Map<?, ?> m) {
      m.forEach((k, v) -> entries.put(String.valueOf(k), v));
    } else {
      problems.add("expected `- name: NAME` and `- plugins: [swak-plugin-…]`");
    }
    String name = null;
    List<String> chosen = new ArrayList<>();
    List<String> coords = new ArrayList<>();
    for (Map.Entry<String, Object> e : entries.entrySet()) {
      switch (e.getKey()) {
        case "name" -> {
          name = e.getValue() == null ? null : String.valueOf(e.getValue());
          if (name != null && !NAME.matcher(name).matches()) {
            problems.add("name `" + name + "` must be letters, digits, '.', '_' or '-' (it names dist/swak-NAME)");
          }
        }
        case "plugins" -> {
          List<?> ps = e.getValue() instanceof List<?> l ? l : e.getValue() == null ? List.of() : List.of(e.getValue());
          for (Object p : ps) {
            String s = String.valueOf(p).trim();
            if (s.split(":").length >= 3) {
              coords.add(s);
            } else if (modules.containsKey(s)) {
              if (!chosen.contains(s)) {
                chosen.add(s);
              }
            } else if (modules.containsKey("swak-plugin-" + s)) {
              chosen.add("swak-plugin-" + s);
            } else {
              problems.add("unknown plugin module `" + s + "`" + Suggest.didYouMean(s, modules.keySet())
                  + " (modules: " + String.join(", ", modules.keySet()) + "; a third-party plugin is "
                  + "group:artifact:version)");
            }
          }
        }
        default -> problems.add("unknown key `" + e.getKey() + "`" + Suggest.didYouMean(e.getKey(),
            List.of("name", "plugins")) + " (keys: name, plugins)");
      }
    }
    if (!problems.isEmpty()) {
      StringBuilder b = new StringBuilder();
      problems.forEach(p -> b.append(file).append(": ").append(p).append('\n'));
      b.append(problems.size() == 1 ? "1 problem" : problems.size() + " problems").append(" in ").append(file);
      throw new IllegalArgumentException(b.toString());
    }
    return new BuildFile(name, chosen, coords);
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
  }

  private static void copyQuietly(Path from, Path to) {
    try {
      copy(from, to);
    } catch (IOException e) {
      System.err.println("swak build: cannot copy " + from + ": " + e.getMessage());
    }
  }

  /** Copies a tree, symlinks as symlinks and modes kept. */
  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isSymbolicLink(p)) {
          Files.createDirectories(t.getParent());
          Files.createSymbolicLink(t, Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(t);
        } else {
          Files.createDirectories(t.getParent());
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

}
