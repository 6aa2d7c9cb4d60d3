package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * bin/swak, bin/swak.cmd and the build step that makes the class-data sharing archive run the JVM with
 * the same heap and GC options: the JVM ignores an archive dumped with other ones, silently.
 */
class LauncherOptionsTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theLaunchersAndTheArchiveStepAgree() throws IOException {
    List<String> sh = heapAndGc(first(ROOT.resolve("bin/swak"), "DEFAULT_OPTS=\"([^\"]*)\""));
    List<String> cmd = heapAndGc(first(ROOT.resolve("bin/swak.cmd"), "\"%JAVA%\" (.*?) %CDS%"));
    List<String> archive = new ArrayList<>();
    Matcher m = Pattern.compile("<argument>(-X[^<]*)</argument>").matcher(Files.readString(ROOT.resolve(
        "swak-dist/pom.xml")));
    while (m.find()) {
      archive.add(m.group(1));
    }
    assertThat(sh).contains("-XX:+UseSerialGC", "-Xmx256m");
    assertThat(cmd).as("bin/swak.cmd").isEqualTo(sh);
    assertThat(heapAndGc(String.join(" ", archive))).as("swak-dist/pom.xml, execution cds").isEqualTo(sh);
  }

  private static String first(Path file, String regex) throws IOException {
    Matcher m = Pattern.compile(regex).matcher(Files.readString(file));
    assertThat(m.find()).as("%s in %s", regex, file).isTrue();
    return m.group(1);
  }

  /** The -X and -XX options, without the one that does not shape the heap (exit on out of memory). */
  private static List<String> heapAndGc(String options) {
    List<String> out = new ArrayList<>();
    for (String o : options.trim().split("\\s+")) {
      if (o.startsWith("-X") && !o.equals("-XX:+ExitOnOutOfMemoryError")) {
        out.add(o);
      }
    }
    return out;
  }
}
