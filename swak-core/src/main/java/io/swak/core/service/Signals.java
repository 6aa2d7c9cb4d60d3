package io.swak.core.service;

import java.io.IOException;
import java.util.List;
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

  /** The signals swak answers; {@link #defaultDispositionPrefix()} gives them their default handling back. */
  public static final String HANDLED = "HUP,INT,TERM,USR1,USR2";

  private static volatile List<String> prefix;

  /**
   * A command to put in front of a JVM's so that the signals swak answers are not ignored in it: a signal ignored
   * when a JVM starts stays ignored (under nohup HUP is, in the background of a script INT is), and the JVM then
   * never installs its handler. coreutils' {@code env --default-signal} where it exists, else perl, else nothing.
   */
  public static List<String> defaultDispositionPrefix() {
    List<String> p = prefix;
    if (p == null) {
      p = windows() ? List.of() : succeeds("env", "--default-signal=HUP", "true")
          ? List.of("env", "--default-signal=" + HANDLED)
          : succeeds("perl", "-e", "1") ? List.of("perl", "-e", "$SIG{$_} = 'DEFAULT' for qw(HUP INT TERM USR1 USR2); "
              + "exec { $ARGV[0] } @ARGV or die \"swak: cannot run $ARGV[0]: $!\\n\"") : List.of();
      prefix = p;
    }
    return p;
  }

  private static boolean succeeds(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
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
