package io.swak.plugins.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Linux's /proc (or a copy of it mounted elsewhere, {@code proc_root}, as a container sees the host's): every
 * figure of the metrics inputs is read from here as text, with no native library.
 */
final class ProcFiles {

  static final Path DEFAULT_ROOT = Path.of("/proc");

  private final Path root;

  ProcFiles(Path root) {
    this.root = root == null ? DEFAULT_ROOT : root;
  }

  Path root() {
    return root;
  }

  Path resolve(String relative) {
    return root.resolve(relative);
  }

  /** A file of /proc as lines; they are small, and reading one at once keeps its figures consistent. */
  List<String> lines(String relative) throws IOException {
    return Files.readAllLines(root.resolve(relative), StandardCharsets.ISO_8859_1);
  }

  String text(String relative) throws IOException {
    return Files.readString(root.resolve(relative), StandardCharsets.ISO_8859_1);
  }

  /**
   * Null when {@code plugin} can read this system's /proc; otherwise why not, for validate and start. macOS and
   * Windows have no /proc: a clear error rather than no figures or made-up ones.
   */
  static String unavailable(String plugin, Path configuredRoot, String probe) {
    Path root = configuredRoot == null ? DEFAULT_ROOT : configuredRoot;
    if (Files.isReadable(root.resolve(probe))) {
      return null;
    }
    String os = System.getProperty("os.name", "?");
    if (configuredRoot == null && !os.toLowerCase(Locale.ROOT).contains("linux")) {
      return plugin + " runs only on Linux: it reads /proc, which " + os + " does not have";
    }
    return plugin + " cannot read " + root.resolve(probe) + (configuredRoot != null
        ? ": option `proc_root` must name a mounted proc file system" : ": is /proc mounted?");
  }

  /** Throws the reason of {@link #unavailable} at start, when there is one. */
  static void require(String plugin, Path configuredRoot, String probe) {
    String why = unavailable(plugin, configuredRoot, probe);
    if (why != null) {
      throw new IllegalStateException(why);
    }
  }

  /** A decimal field of /proc, or an error that names the file and what was found. */
  static long number(String s, String file) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new BadProcText(file, "'" + shorten(s) + "' is not a number");
    }
  }

  /** Text of a file for a message: at most 80 characters, control characters as '?'. */
  static String shorten(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  /** A file of /proc whose text is not what the kernel writes there (a broken copy under proc_root). */
  static final class BadProcText extends RuntimeException {
    BadProcText(String file, String what) {
      super(file + ": " + what);
    }
  }
}
