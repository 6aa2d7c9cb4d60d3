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

  /**
   * {@link #arguments()} for the JVMs that make an archive: without the class-data sharing options, and
   * without debugger and instrumentation agents (a JDWP agent on a fixed port would clash with this JVM's,
   * or wait for a debugger; a Java agent would change the classes the archive records).
   */
  public static List<String> argumentsWithoutSharing() {
    return withoutSharing(arguments());
  }

  static List<String> withoutSharing(List<String> args) {
    return args.stream().filter(a -> !a.startsWith("-Xshare") && !a.startsWith("-XX:SharedArchiveFile")
        && !a.startsWith("-XX:SharedClassListFile") && !a.startsWith("-XX:DumpLoadedClassList")
        && !a.startsWith("-XX:ArchiveClassesAtExit") && !a.startsWith("-agentlib:") && !a.startsWith("-agentpath:")
        && !a.startsWith("-javaagent:") && !a.startsWith("-Xrunjdwp") && !a.equals("-Xdebug")).toList();
  }
}
