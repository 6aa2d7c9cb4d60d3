package io.swak.core.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The version of what a release writes in the data directory (checkpoint journals, position files, buffer chunks,
 * dead letters), kept in {@code <data_dir>/data-format}. A release refuses a directory written in a newer format
 * than it reads — after a rollback past a format change its checkpoints could be misread — and says what to do.
 */
public final class DataFormat {

  /** The format this release writes and reads (chunk files {@code SWKB} v1, pos journals v1). */
  public static final int CURRENT = 1;
  static final String FILE = "data-format";

  private DataFormat() { }

  /** The format recorded in {@code dataDir}, if any. */
  public static Optional<Integer> recorded(Path dataDir) throws IOException {
    try {
      String s = Files.readString(dataDir.resolve(FILE), StandardCharsets.UTF_8).trim();
      String first = s.split("\\s+", 2)[0];
      return Optional.of(Integer.parseInt(first));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (NumberFormatException e) {
      throw new IOException(dataDir.resolve(FILE) + " is damaged (it should start with the format number)");
    }
  }

  /** Null when this release can use {@code dataDir}; else what is wrong and what to do. */
  public static String problem(Path dataDir) {
    try {
      Optional<Integer> f = recorded(dataDir);
      if (f.isPresent() && f.get() > CURRENT) {
        return "the data directory " + dataDir + " was written by a newer swak (data format " + f.get()
            + "; this release reads format " + CURRENT + " and older): its checkpoints and buffers could be misread. "
            + "Run the release that wrote it (swak rollback undoes a rollback), or give this one another data_dir";
      }
      return null;
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  /** Checks {@code dataDir} and records this release's format in it (an older one is read as it is: v1 is the first). */
  public static void claim(Path dataDir, String version) throws IOException {
    String p = problem(dataDir);
    if (p != null) {
      throw new IOException(p);
    }
    if (recorded(dataDir).orElse(0) < CURRENT) {
      Files.writeString(dataDir.resolve(FILE), CURRENT + " (written by swak " + version + ")\n", StandardCharsets.UTF_8);
    }
  }
}
