package io.swak.core.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code swak cds}: the class-data sharing archive of this installation. */
@Command(name = "cds", mixinStandardHelpOptions = true,
    description = {"Builds the class-data sharing archive that halves start-up (~0.45 s → ~0.25 s to "
        + "the first event): runs a short training agent, then has the JVM dump the classes it loaded.",
        "bin/swak uses lib/swak.jsa when it exists and the JVM ignores it once the jars change: run this again after "
            + "an upgrade (the build and the .deb do it for you)."})
final class CdsCommand implements Callable<Integer> {
  @Option(names = "--archive", paramLabel = "FILE",
      description = "Where to write it (default: swak.jsa in the lib directory bin/swak runs from).")
  Path archive;

  @Override
  public Integer call() throws Exception {
    Path target = archive;
    if (target == null) {
      String lib = System.getProperty("swak.lib");
      if (lib == null) {
        System.err.println("swak cds: give --archive FILE (no lib directory known: not started by bin/swak)");
        return CommandLine.ExitCode.USAGE;
      }
      target = Path.of(lib, ClassDataSharing.ARCHIVE);
    }
    String problem = new ClassDataSharing(target).build();
    if (problem != null) {
      System.err.println("swak cds: " + problem);
      return Main.FAILED;
    }
    System.out.println("wrote " + target + " (" + Files.size(target) / (1 << 20) + " MiB)");
    return 0;
  }
}
