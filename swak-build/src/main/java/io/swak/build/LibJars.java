package io.swak.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.WorkspaceReader;
import org.eclipse.aether.repository.WorkspaceRepository;
import org.eclipse.aether.util.artifact.JavaScopes;

/**
 * The jars of the distribution's {@code lib/} by their Maven coordinates, listed in {@code repository/lib-jars.txt}
 * ({@code group:artifact:version}, tab, the jar's path under the distribution). The repository keeps the poms of
 * these artifacts but not a second copy of their jars: Maven Resolver finds them here, as it finds a reactor's
 * modules. Builds resolve with these versions pinned, so a distribution of some plugin modules runs the libraries
 * the full one was tested with (kafka-clients asks for zstd-jni 1.5.7-17, lib/ has 1.5.7-28).
 */
final class LibJars implements WorkspaceReader {

  static final String LIST = "lib-jars.txt";
  private static final WorkspaceRepository REPOSITORY = new WorkspaceRepository("swak-lib");

  /** {@code group:artifact:version} to the jar. */
  private final Map<String, Path> jars;

  private LibJars(Map<String, Path> jars) {
    this.jars = jars;
  }

  static LibJars none() {
    return new LibJars(Map.of());
  }

  /** The list of {@code repository} (paths under {@code dist}); none when the distribution has no list. */
  static LibJars of(Path repository, Path dist) throws IOException {
    Path list = repository.resolve(LIST);
    Map<String, Path> m = new LinkedHashMap<>();
    if (Files.isRegularFile(list)) {
      for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
        String[] f = line.split("\t", 2);
        if (f.length == 2) {
          m.put(f[0], dist.resolve(f[1]));
        }
      }
    }
    return new LibJars(m);
  }

  /** Writes the list for {@code jars} (coordinates to jar paths under {@code dist}). */
  static void write(Path repository, Path dist, Map<String, Path> jars) throws IOException {
    StringBuilder sb = new StringBuilder();
    jars.forEach((coords, jar) -> sb.append(coords).append('\t')
        .append(dist.relativize(jar).toString().replace('\\', '/')).append('\n'));
    Files.writeString(repository.resolve(LIST), sb.toString(), StandardCharsets.UTF_8);
  }

  /** The versions of lib/ as Maven's dependency management: what a resolution pins. */
  List<Dependency> managed() {
    List<Dependency> out = new ArrayList<>();
    for (String coords : jars.keySet()) {
      out.add(new Dependency(new DefaultArtifact(coords), JavaScopes.RUNTIME));
    }
    return out;
  }

  @Override
  public WorkspaceRepository getRepository() {
    return REPOSITORY;
  }

  @Override
  public java.io.File findArtifact(Artifact a) {
    if (!"jar".equals(a.getExtension()) || !a.getClassifier().isEmpty()) {
      return null; // poms come from the repository
    }
    Path jar = jars.get(a.getGroupId() + ":" + a.getArtifactId() + ":" + a.getVersion());
    return jar != null && Files.isRegularFile(jar) ? jar.toFile() : null;
  }

  @Override
  public List<String> findVersions(Artifact a) {
    return findArtifact(a) == null ? List.of() : List.of(a.getVersion());
  }
}
