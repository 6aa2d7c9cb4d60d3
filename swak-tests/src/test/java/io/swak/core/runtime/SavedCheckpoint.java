package io.swak.core.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What an agent's in.FileTail saved: the last offset in its position journals under {@code data/positions}. */
final class SavedCheckpoint {

  private static final Pattern OFFSET = Pattern.compile("offset=(\\d+)");

  private SavedCheckpoint() { }

  /** The last saved offset of the one file followed, -1 before any save. */
  static long offset(Path dataDir) throws IOException {
    long offset = -1;
    Path positions = dataDir.resolve("positions");
    if (!Files.exists(positions)) {
      return offset;
    }
    try (Stream<Path> files = Files.walk(positions)) {
      for (Path p : files.filter(f -> f.getFileName().toString().equals("positions.log")).toList()) {
        Matcher m = OFFSET.matcher(Files.readString(p));
        while (m.find()) {
          offset = Long.parseLong(m.group(1));
        }
      }
    }
    return offset;
  }
}
