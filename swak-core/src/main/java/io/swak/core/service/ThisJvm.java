package io.swak.core.service;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/** How this JVM was started, to start another one like it (the supervised worker, the CDS training run). */
public final class ThisJvm {

  private ThisJvm() { }

  /** The java executable running now. */
  public static String executable() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** The JVM options this one got (heap, GC, -D properties), as bin/swak gave them. */
  public static List<String> arguments() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments();
  }

  /** {@link #arguments()} without the class-data sharing options, for JVMs that make an archive. */
  public static List<String> argumentsWithoutSharing() {
    return arguments().stream().filter(a -> !a.startsWith("-Xshare") && !a.startsWith("-XX:SharedArchiveFile")
        && !a.startsWith("-XX:SharedClassListFile") && !a.startsWith("-XX:DumpLoadedClassList")
        && !a.startsWith("-XX:ArchiveClassesAtExit")).toList();
  }
}
