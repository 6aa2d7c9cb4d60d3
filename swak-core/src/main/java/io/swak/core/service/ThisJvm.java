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

  private static final List<String> NOT_PASSED_ON = List.of("-Xshare", "-XX:SharedArchiveFile",
      "-XX:SharedClassListFile", "-XX:DumpLoadedClassList", "-XX:ArchiveClassesAtExit", "-agentlib:", "-agentpath:",
      "-javaagent:", "-Xrunjdwp", "-Xdebug");

  static List<String> withoutSharing(List<String> args) {
    return args.stream().filter(a -> NOT_PASSED_ON.stream().noneMatch(a::startsWith)).toList();
  }
}
