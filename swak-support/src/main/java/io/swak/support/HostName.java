package io.swak.support;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This machine's host name, as {@code hostname} prints it: Linux's kernel name first (no DNS lookup, which may wait
 * for a resolver), then the environment, then Java's lookup.
 */
public final class HostName {

  private static volatile String name;

  private HostName() { }

  /** The name, found once. */
  public static String of() {
    String n = name;
    if (n == null) {
      n = find();
      name = n;
    }
    return n;
  }

  private static String find() {
    try {
      String k = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
      if (!k.isEmpty()) {
        return k;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    for (String env : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
      String v = System.getenv(env);
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
