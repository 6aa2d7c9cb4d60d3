package io.swak.build;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.resolution.DependencyResolutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code swak plugin install|list|remove}: the external plugins in plugins/ of an installed agent, the way Logstash
 * installs its plugins — named by Maven coordinates (or a Swak plugin module's name), resolved with Maven Resolver
 * with what they need, and recorded so that remove takes away exactly their jars.
 */
@Command(name = "plugin", mixinStandardHelpOptions = true,
    description = "Installs, lists and removes external plugins in plugins/ (restart the agent afterwards).",
    subcommands = {PluginCommand.Install.class, PluginCommand.ListPlugins.class, PluginCommand.Remove.class})
public final class PluginCommand implements Callable<Integer> {

  /** plugins/NAME.plugin: the coordinates and the jars an install put there. */
  static final String RECORD = ".plugin";

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  /** The most useful line of a resolution failure: which artifact, from where. */
  static String reason(DependencyResolutionException e) {
    Throwable t = e;
    String msg = e.getMessage();
    while (t.getCause() != null) {
      t = t.getCause();
      if (t.getMessage() != null) {
        msg = t.getMessage();
      }
    }
    return msg;
  }

  /** Copies the jars into {@code dir} and writes their record (replacing an earlier install of the same plugin). */
  static Path installInto(Path dir, String coords, List<Artifact> jars) throws IOException {
    Files.createDirectories(dir);
    Artifact main = jars.get(0);
    Path record = dir.resolve(main.getArtifactId() + RECORD);
    Set<String> keep = new HashSet<>(jarsOfOthers(dir, record));
    if (Files.exists(record)) {
      for (String j : jars(record)) {
        if (!keep.contains(j)) {
          Files.deleteIfExists(dir.resolve(j));
        }
      }
    }
    List<String> names = new ArrayList<>();
    for (Artifact a : jars) {
      String name = a.getArtifactId() + "-" + a.getVersion() + ".jar";
      Files.copy(a.getPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      names.add(name);
    }
    Properties p = new Properties();
    p.setProperty("coordinates", main.getGroupId() + ":" + main.getArtifactId() + ":" + main.getVersion());
    p.setProperty("requested", coords);
    p.setProperty("jars", String.join(",", names));
    try (Writer w = Files.newBufferedWriter(record, StandardCharsets.UTF_8)) {
      p.store(w, "installed by swak plugin install; swak plugin remove " + main.getArtifactId() + " removes these jars");
    }
    return record;
  }

  static List<String> jars(Path record) throws IOException {
    Properties p = props(record);
    String j = p.getProperty("jars", "");
    return j.isEmpty() ? List.of() : Arrays.asList(j.split(","));
  }

  static Properties props(Path record) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(record, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return p;
  }

  static List<Path> records(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + RECORD)) {
      ds.forEach(out::add);
    }
    out.sort(null);
    return out;
  }

  private static List<String> jarsOfOthers(Path dir, Path except) throws IOException {
    List<String> out = new ArrayList<>();
    for (Path r : records(dir)) {
      if (!r.equals(except)) {
        out.addAll(jars(r));
      }
    }
    return out;
  }

  /** Options of the commands that resolve. */
  abstract static class Resolving implements Callable<Integer> {
    @Option(names = "--repository", paramLabel = "URL", description = "A remote Maven repository (repeatable; default "
        + "$SWAK_MAVEN_REPOSITORIES, else Maven Central).")
    List<String> repositories;

    @Option(names = "--offline", description = "Use local repositories only.")
    boolean offline;

    @Option(names = "--local-repository", paramLabel = "DIR", description = "Where downloads are kept (default "
        + "$SWAK_MAVEN_CACHE, else ~/.swak/repository); ~/.m2/repository is read, never written.")
    Path localRepository;

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = "The plugins folder (default: this "
        + "installation's plugins/).")
    Path pluginsDir;

    Path dir(Installation inst) {
      return pluginsDir != null ? pluginsDir : inst.pluginsDir;
    }
  }

  @Command(name = "install", mixinStandardHelpOptions = true,
      description = {"Installs a plugin into plugins/: COORDS is group:artifact:version (resolved with what it needs "
          + "from the local repository, then the remote ones), or the name of a Swak plugin module "
          + "(swak-plugin-sample).", "Jars the agent has already (lib/) are not copied. Restart the agent afterwards."})
  static final class Install extends Resolving {
    @Parameters(index = "0", paramLabel = "COORDS", description = "group:artifact:version, or a plugin module name.")
    String coords;

    @Override
    public Integer call() throws Exception {
      Installation inst = Installation.current();
      String c = coords;
      if (c.split(":").length < 3) {
        TreeMap<String, String> modules = new TreeMap<>();
        try {
          modules.putAll(inst.modules());
        } catch (IOException e) {
          // no repository: only coordinates can be installed
        }
        if (!modules.containsKey(c)) {
          System.err.println("swak plugin install: `" + c + "` is neither group:artifact:version nor a plugin module"
              + io.swak.core.config.Suggest.didYouMean(c, modules.keySet())
              + (modules.isEmpty() ? "" : " (modules: " + String.join(", ", modules.keySet()) + ")"));
          return 1;
        }
        c = "io.swak:" + c + ":" + Installation.version();
      }
      List<String> lib = inst.libJars();
      List<Artifact> own = new ArrayList<>();
      try (MavenArtifacts maven = new MavenArtifacts(Installation.cache(localRepository),
          List.of(inst.repository(), Installation.userMavenRepository()), Installation.remotes(repositories), offline, inst.libJarsByCoordinates())) {
        for (Artifact a : maven.resolve(c)) {
          boolean inLib = lib.contains(a.getArtifactId() + "-" + a.getVersion() + ".jar")
              || lib.stream().anyMatch(j -> j.startsWith(a.getArtifactId() + "-") && j.length() > a.getArtifactId().length() + 1
              && Character.isDigit(j.charAt(a.getArtifactId().length() + 1)));
          if (own.isEmpty() || !inLib) {
            own.add(a); // the plugin's own jar always; its libraries unless the agent has them
          }
        }
      } catch (DependencyResolutionException e) {
        System.err.println("swak plugin install: cannot resolve " + c + ": " + reason(e));
        return 1;
      }
      Path record = installInto(dir(inst), c, own);
      System.out.println("installed " + c + " into " + dir(inst) + ": " + String.join(", ", jars(record))
          + "; restart the agent to load it (swak plugins lists it)");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the plugins installed in plugins/.")
  static final class ListPlugins extends Resolving {
    @Override
    public Integer call() throws Exception {
      Installation inst = Installation.current();
      Path dir = dir(inst);
      Set<String> recorded = new HashSet<>();
      for (Path r : records(dir)) {
        Properties p = props(r);
        List<String> jars = jars(r);
        recorded.addAll(jars);
        System.out.println(p.getProperty("coordinates") + "  (" + String.join(", ", jars) + ")");
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.jar")) {
        for (Path j : ds) {
          if (!recorded.contains(j.getFileName().toString())) {
            System.out.println(j.getFileName() + "  (copied by hand)");
          }
        }
      } catch (java.nio.file.NoSuchFileException e) {
        // no plugins folder: nothing installed
      }
      return 0;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Removes an installed plugin and the jars only it needed (restart the agent afterwards).")
  static final class Remove extends Resolving {
    @Parameters(index = "0", paramLabel = "NAME", description = "The plugin's artifactId or coordinates.")
    String name;

    @Override
    public Integer call() throws Exception {
      Installation inst = Installation.current();
      Path dir = dir(inst);
      String[] parts = name.split(":");
      String artifact = parts.length >= 2 ? parts[1] : name;
      Path record = dir.resolve(artifact + RECORD);
      if (!Files.exists(record)) {
        List<String> known = new ArrayList<>();
        for (Path r : records(dir)) {
          String f = r.getFileName().toString();
          known.add(f.substring(0, f.length() - RECORD.length()));
        }
        System.err.println("swak plugin remove: no plugin `" + name + "` installed in " + dir
            + io.swak.core.config.Suggest.didYouMean(artifact, known) + (known.isEmpty() ? "" : " (installed: "
            + String.join(", ", known) + ")"));
        return 1;
      }
      Set<String> keep = new HashSet<>(jarsOfOthers(dir, record));
      List<String> removed = new ArrayList<>();
      for (String j : jars(record)) {
        if (!keep.contains(j) && Files.deleteIfExists(dir.resolve(j))) {
          removed.add(j);
        }
      }
      String coords = props(record).getProperty("coordinates", artifact);
      Files.delete(record);
      System.out.println("removed " + coords + " from " + dir + " (" + String.join(", ", removed)
          + "); restart the agent to unload it");
      return 0;
    }
  }
}
