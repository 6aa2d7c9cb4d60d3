package io.swak.core.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The status of a started agent's worker, as the JSON of {@code /api/status}, kept next to the pid file
 * ({@code swak.pid} → {@code swak.status.json}). The worker writes it when it is up (which is how
 * {@code swak start} knows), after a reload, and every few seconds; {@code swak status} reads it, so no
 * port needs to be open.
 */
public final class StatusFile {

  private final Path path;

  public StatusFile(Path path) {
    this.path = path.toAbsolutePath();
  }

  /** The status file that goes with a pid file. */
  public static StatusFile besides(Path pidFile) {
    String name = pidFile.getFileName().toString();
    String base = name.endsWith(".pid") ? name.substring(0, name.length() - 4) : name;
    return new StatusFile(pidFile.toAbsolutePath().resolveSibling(base + ".status.json"));
  }

  public Path path() {
    return path;
  }

  /** Replaces the file atomically, so a reader sees the old or the new status, never half of one. */
  public void write(byte[] json) throws IOException {
    // a temp file of its own per write: the periodic writer and a reload may write at the same time
    Path tmp = Files.createTempFile(path.getParent(), path.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, json);
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The parsed status (JSON is YAML, so the config parser reads it), or empty when there is none. */
  @SuppressWarnings("unchecked")
  public Optional<Map<String, Object>> read() throws IOException {
    String s;
    try {
      s = Files.readString(path);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Object o = new Load(LoadSettings.builder().build()).loadFromString(s);
    return o instanceof Map<?, ?> m ? Optional.of((Map<String, Object>) m) : Optional.empty();
  }

  public boolean exists() {
    return Files.exists(path);
  }

  public void delete() throws IOException {
    Files.deleteIfExists(path);
  }
}
