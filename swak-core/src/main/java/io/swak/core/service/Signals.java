package io.swak.core.service;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Sends POSIX signals to other processes: the JDK can only send TERM and KILL, so this runs kill(1). */
public final class Signals {

  private Signals() { }

  /** Sends SIG{@code name} (HUP, USR1, …) to {@code pid}; false if kill(1) failed (no such process). */
  public static boolean send(String name, long pid) {
    if ("TERM".equals(name)) {
      return ProcessHandle.of(pid).map(ProcessHandle::destroy).orElse(false);
    }
    try {
      Process p = new ProcessBuilder("kill", "-s", name, Long.toString(pid))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** True on Windows, where none of this applies. */
  public static boolean windows() {
    return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
  }
}
