package io.swak.build;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.maven.model.Model;
import org.apache.maven.model.io.xpp3.MavenXpp3Reader;
import org.eclipse.aether.artifact.Artifact;

/**
 * Makes the distribution's {@code repository/}: a Maven repository holding Swak's own artifacts of this build (the
 * parent poms, swak-api, swak-support, swak-parsers, swak-core and every plugin module of {@code plugins/}) and
 * everything they need at run time, with the poms Maven Resolver reads to find it. {@code swak build} picks plugin modules from it, offline.
 * The jars that are in the distribution's lib/ as well are not kept twice (they were a third of the tarball):
 * {@link LibJars} lists them by coordinates, and resolutions find them there.
 * Run by the distribution's build: {@code RepositoryMaker OUT REACTOR_ROOT BUILD_LOCAL_REPOSITORY VERSION LIB}.
 */
public final class RepositoryMaker {

  private RepositoryMaker() { }

  /** The list of plugin modules in a repository made here: artifactId, tab, description, one a line. */
  static final String MODULES = "swak-modules.txt";

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: RepositoryMaker OUT REACTOR_ROOT BUILD_LOCAL_REPOSITORY VERSION LIB");
      System.exit(2);
    }
    Path out = Path.of(args[0]).toAbsolutePath();
    Path reactor = Path.of(args[1]).toAbsolutePath().normalize();
    Path buildRepo = Path.of(args[2]).toAbsolutePath();
    String version = args[3];
    Path lib = Path.of(args[4]).toAbsolutePath().normalize();
    deleteTree(out); // exactly this build's artifacts: no plugin module left over from an earlier one
    Files.createDirectories(out);
    // the build's own local repository is where every third-party artifact and pom came from: read as a remote, so
    // what is needed is copied into OUT (with the parents and imported boms the poms name)
    try (MavenArtifacts m = new MavenArtifacts(out, List.of(), List.of(buildRepo.toUri().toString()), false,
        LibJars.none())) {
      m.install("io.swak:swak-parent:" + version, null, reactor.resolve("pom.xml"));
      m.install("io.swak:swak-plugins:" + version, null, reactor.resolve("plugins/pom.xml"));
      for (String module : List.of("swak-api", "swak-support", "swak-parsers", "swak-core")) {
        m.install("io.swak:" + module + ":" + version, jar(reactor.resolve(module), module, version),
            reactor.resolve(module + "/pom.xml"));
      }
      Map<String, String> modules = new TreeMap<>();
      List<Path> poms = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(reactor.resolve("plugins"))) {
        for (Path d : ds) {
          if (Files.isRegularFile(d.resolve("pom.xml"))) {
            poms.add(d.resolve("pom.xml"));
          }
        }
      }
      for (Path pom : poms) {
        Model model;
        try (Reader r = Files.newBufferedReader(pom, StandardCharsets.UTF_8)) {
          model = new MavenXpp3Reader().read(r);
        }
        String id = model.getArtifactId();
        Path jar = pom.resolveSibling("target").resolve(id + "-" + version + ".jar");
        if (!Files.isRegularFile(jar)) {
          System.err.println("RepositoryMaker: " + id + " has no jar (" + jar + "): not built in this run, left out");
          continue;
        }
        m.install("io.swak:" + id + ":" + version, jar, pom);
        String desc = model.getDescription() == null ? "" : model.getDescription().replaceAll("\\s+", " ").trim();
        modules.put(id, desc);
      }
      List<Artifact> resolved = new ArrayList<>(m.resolve("io.swak:swak-core:" + version));
      for (String id : modules.keySet()) {
        resolved.addAll(m.resolve("io.swak:" + id + ":" + version));
      }
      leaveJarsToLib(out, lib, resolved);
      StringBuilder sb = new StringBuilder();
      modules.forEach((id, desc) -> sb.append(id).append('\t').append(desc).append('\n'));
      Files.writeString(out.resolve(MODULES), sb.toString(), StandardCharsets.UTF_8);
      System.out.println("RepositoryMaker: " + out + ": swak-core and " + modules.size() + " plugin modules "
          + modules.keySet());
    }
  }

  /**
   * Lists the resolved artifacts whose jar lib/ has (the same bytes) and deletes their copy here, with the jars of
   * other versions of them, which a resolution pinned to lib/'s versions never asks for.
   */
  private static void leaveJarsToLib(Path out, Path lib, List<Artifact> resolved) throws IOException {
    Map<String, Path> inLib = new TreeMap<>();
    Map<String, String> versions = new HashMap<>();
    for (Artifact a : resolved) {
      Path jar = lib.resolve(a.getArtifactId() + "-" + a.getVersion() + ".jar");
      if (Files.isRegularFile(jar) && Files.mismatch(jar, a.getPath()) == -1) {
        inLib.put(a.getGroupId() + ":" + a.getArtifactId() + ":" + a.getVersion(), jar);
        versions.put(a.getGroupId() + ":" + a.getArtifactId(), a.getVersion());
      }
    }
    for (Artifact a : resolved) {
      if (versions.containsKey(a.getGroupId() + ":" + a.getArtifactId()) && a.getPath().startsWith(out)) {
        Files.deleteIfExists(a.getPath());
      }
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(lib, "*.jar")) {
      for (Path jar : ds) {
        if (!inLib.containsValue(jar)) {
          System.err.println("RepositoryMaker: " + jar.getFileName() + " of lib/ is not what any module resolves to: "
              + "swak build will not use it");
        }
      }
    }
    LibJars.write(out, lib.getParent(), inLib);
  }

  private static Path jar(Path module, String id, String version) throws IOException {
    Path jar = module.resolve("target").resolve(id + "-" + version + ".jar");
    if (!Files.isRegularFile(jar)) {
      throw new IOException("no " + jar + ": build the reactor first");
    }
    return jar;
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
