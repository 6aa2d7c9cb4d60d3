package io.swak.build;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.installation.InstallRequest;
import org.eclipse.aether.installation.InstallationException;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/**
 * Maven artifacts resolved as Maven resolves them (Maven Resolver, the library inside Maven): an artifact and
 * everything it needs at run time, from local repositories first, then remote ones. Writes go to one cache
 * repository only; the others (the distribution's repository/, the user's ~/.m2/repository) are read, never changed.
 */
final class MavenArtifacts implements AutoCloseable {

  static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

  private final RepositorySystem system;
  private final RepositorySystemSession.CloseableSession session;
  private final List<RemoteRepository> remotes;
  private final LibJars lib;

  /**
   * @param cache the local repository that receives what is downloaded or installed
   * @param readOnly local repositories read after it (missing ones are skipped)
   * @param remoteUrls remote repositories (http(s) or file URLs), tried in order
   * @param lib the distribution's jars: their versions are pinned, their files used
   */
  MavenArtifacts(Path cache, List<Path> readOnly, List<String> remoteUrls, boolean offline, LibJars lib) {
    this.lib = lib;
    system = new RepositorySystemSupplier().get();
    List<Path> locals = new ArrayList<>();
    locals.add(cache);
    for (Path p : readOnly) {
      if (Files.isDirectory(p) && !p.toAbsolutePath().normalize().equals(cache.toAbsolutePath().normalize())) {
        locals.add(p);
      }
    }
    session = new SessionBuilderSupplier(system).get()
        .withLocalRepositoryBaseDirectories(locals)
        .setSystemProperties(System.getProperties())
        .setOffline(offline)
        .setWorkspaceReader(lib)
        // the read-only repositories count whatever repository their files came from
        .setConfigProperty("aether.chainedLocalRepository.ignoreTailAvailability", "true")
        .build();
    remotes = new ArrayList<>();
    int n = 0;
    for (String url : remoteUrls) {
      RepositoryPolicy policy = new RepositoryPolicy(true, RepositoryPolicy.UPDATE_POLICY_DAILY,
          url.startsWith("file:") ? RepositoryPolicy.CHECKSUM_POLICY_IGNORE : RepositoryPolicy.CHECKSUM_POLICY_FAIL);
      remotes.add(new RemoteRepository.Builder(n++ == 0 && url.equals(CENTRAL) ? "central" : "repo" + n, "default", url)
          .setPolicy(policy).build());
    }
  }

  /** {@code coords} ({@code group:artifact:version}) and everything it needs at run time, itself first. */
  List<Artifact> resolve(String coords) throws DependencyResolutionException {
    CollectRequest collect = new CollectRequest(new Dependency(new DefaultArtifact(coords), JavaScopes.RUNTIME), remotes);
    collect.setManagedDependencies(lib.managed());
    DependencyRequest request = new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
    List<Artifact> out = new ArrayList<>();
    for (ArtifactResult r : system.resolveDependencies(session, request).getArtifactResults()) {
      out.add(r.getArtifact());
    }
    return out;
  }

  /** Installs a jar (with its pom) or a pom alone into the cache repository, as {@code mvn install} would. */
  void install(String coords, Path jar, Path pom) throws InstallationException {
    DefaultArtifact a = new DefaultArtifact(coords);
    InstallRequest req = new InstallRequest();
    if (jar != null) {
      req.addArtifact(new DefaultArtifact(a.getGroupId(), a.getArtifactId(), "", "jar", a.getVersion()).setPath(jar));
    }
    req.addArtifact(new DefaultArtifact(a.getGroupId(), a.getArtifactId(), "", "pom", a.getVersion()).setPath(pom));
    system.install(session, req);
  }

  @Override
  public void close() {
    session.close();
    system.shutdown();
  }
}
