package io.swak.plugins.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * in.Process: at each interval finds the processes whose name or command line matches (or the one of the pid file)
 * and reads /proc/PID/stat (state, CPU ticks), status (resident memory, threads) and fd (open files). CPU is the
 * difference of the process's ticks over the machine's ticks per core in the same time, so it needs no clock rate:
 * 1.0 is one core busy all the time.
 */
final class ProcessWatch extends PeriodicInput {

  private final ProcessPlugin.Options o;
  private final ProcFiles proc;
  /** CPU ticks of each process seen at the last reading, by pid and start time (a reused pid is a new process). */
  private Map<String, Long> lastTicks = new HashMap<>();
  private long lastClock;
  private final AtomicLong matching = new AtomicLong();

  ProcessWatch(ProcessPlugin.Options o) {
    super(o.interval(), o.hostKey());
    this.o = o;
    this.proc = new ProcFiles(o.procRoot());
  }

  @Override
  void prepare() throws IOException {
    ProcFiles.require("in.Process", o.procRoot(), "stat");
    context.metrics().gauge("processes", matching::get);
    read(); // the first CPU sample of each process
  }

  /** The machine's clock in ticks per core: every core's ticks (all states) divided by the cores. */
  private long clockTicks() throws IOException {
    Map<String, long[]> cpus = CpuCollector.sample(proc);
    long total = 0;
    for (long t : cpus.get("cpu")) {
      total += t;
    }
    return total / Math.max(1, cpus.size() - 1);
  }

  @Override
  List<Reading> read() {
    List<Reading> out = new ArrayList<>();
    long clock;
    try {
      clock = clockTicks();
      fine("stat");
    } catch (IOException | RuntimeException e) {
      problem("stat", "read_errors", e);
      return out;
    }
    long elapsed = clock - lastClock;
    Map<String, Long> ticks = new HashMap<>();
    String absentWhy = null;
    List<String> pids = new ArrayList<>();
    if (o.pidFile() != null) {
      absentWhy = pidFromFile(pids);
    } else {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc.root(), p -> isPid(p.getFileName().toString()))) {
        for (Path p : ds) {
          pids.add(p.getFileName().toString());
        }
      } catch (IOException e) {
        problem("processes", "read_errors", e);
        return out;
      }
    }
    for (String pid : pids) {
      Map<String, Object> r;
      try {
        r = process(pid, ticks, elapsed);
      } catch (NoSuchFileException e) {
        continue; // it ended while being read
      } catch (IOException | RuntimeException e) {
        problem("a process", "read_errors", e); // one part for all: pids come and go
        continue;
      }
      if (r != null) {
        out.add(new Reading(o.tag(), r));
      }
    }
    lastTicks = ticks;
    lastClock = clock;
    matching.set(out.size());
    if (out.isEmpty()) {
      context.metrics().count("absent", 1);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("alive", false);
      if (o.name() != null) {
        r.put("name", o.name().pattern());
      }
      if (o.pidFile() != null) {
        r.put("pid_file", o.pidFile().toString());
      }
      r.put("reason", absentWhy != null ? absentWhy : "no running process matches `" + o.name().pattern() + "`");
      out.add(new Reading(o.tag(), r));
    }
    return out;
  }

  /** The pid of the pid file, if its process runs; else why not. */
  private String pidFromFile(List<String> pids) {
    String text;
    try {
      text = Files.readString(o.pidFile(), StandardCharsets.ISO_8859_1).trim();
    } catch (NoSuchFileException e) {
      return "pid file " + o.pidFile() + " does not exist";
    } catch (IOException e) {
      return "cannot read pid file " + o.pidFile() + ": " + e.getMessage();
    }
    if (!isPid(text)) {
      context.metrics().count("bad_pid_files", 1);
      return "pid file " + o.pidFile() + " holds '" + ProcFiles.shorten(text) + "', not a process id";
    }
    if (!Files.isDirectory(proc.resolve(text))) {
      return "process " + text + " of pid file " + o.pidFile() + " is not running";
    }
    pids.add(text);
    return null;
  }

  private static boolean isPid(String s) {
    if (s.isEmpty() || s.length() > 10) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** The event of one process, or null when it does not match. */
  private Map<String, Object> process(String pid, Map<String, Long> ticks, long elapsed) throws IOException {
    String stat = proc.text(pid + "/stat");
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so it ends at the last ')'
    int open = stat.indexOf('(');
    int close = stat.lastIndexOf(')');
    if (open < 0 || close < open) {
      throw new ProcFiles.BadProcText(pid + "/stat", "no (comm) in '" + ProcFiles.shorten(stat) + "'");
    }
    String comm = stat.substring(open + 1, close);
    String cmdline = cmdline(pid);
    if (o.pidFile() == null && !o.name().matcher(comm).find() && !o.name().matcher(cmdline).find()) {
      return null;
    }
    String[] f = stat.substring(close + 2).trim().split("\\s+"); // f[0] = field 3 (state)
    if (f.length < 20) {
      throw new ProcFiles.BadProcText(pid + "/stat", "only " + (f.length + 2) + " fields");
    }
    long cpu = ProcFiles.number(f[11], pid + "/stat") + ProcFiles.number(f[12], pid + "/stat"); // utime + stime
    String key = pid + "@" + f[19]; // start time
    ticks.put(key, cpu);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("alive", true);
    r.put("pid", Long.parseLong(pid));
    r.put("ppid", ProcFiles.number(f[1], pid + "/stat"));
    r.put("name", comm);
    if (o.cmdline()) {
      r.put("cmdline", cmdline);
    }
    r.put("state", state(f[0]));
    Long before = lastTicks.get(key);
    if (before != null && elapsed > 0) {
      r.put("cpu_ratio", Collector.ratio(cpu - before, elapsed));
    }
    Map<String, Long> status = status(pid);
    if (status.containsKey("VmRSS")) {
      r.put("rss_bytes", status.get("VmRSS") * 1024);
    }
    if (status.containsKey("VmSize")) {
      r.put("vm_bytes", status.get("VmSize") * 1024);
    }
    r.put("threads", ProcFiles.number(f[17], pid + "/stat"));
    Long fds = openFiles(pid);
    if (fds != null) {
      r.put("open_files", fds);
    }
    return r;
  }

  private String cmdline(String pid) throws IOException {
    byte[] b = Files.readAllBytes(proc.resolve(pid + "/cmdline"));
    int n = b.length;
    while (n > 0 && b[n - 1] == 0) {
      n--;
    }
    for (int i = 0; i < n; i++) {
      if (b[i] == 0) {
        b[i] = ' ';
      }
    }
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }

  /** The kB figures of /proc/PID/status (VmRSS, VmSize …). */
  private Map<String, Long> status(String pid) throws IOException {
    Map<String, Long> out = new HashMap<>();
    for (String line : proc.lines(pid + "/status")) {
      if (line.startsWith("Vm") && line.endsWith(" kB")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          out.put(line.substring(0, colon), ProcFiles.number(line.substring(colon + 1, line.length() - 3).trim(),
              pid + "/status"));
        }
      }
    }
    return out;
  }

  /** Entries of /proc/PID/fd, or null when they are not ours to see (another user's process, without root). */
  private Long openFiles(String pid) {
    long n = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc.resolve(pid + "/fd"))) {
      for (Path ignored : ds) {
        n++;
      }
      return n;
    } catch (IOException | SecurityException e) {
      context.metrics().count("open_files_unreadable", 1);
      return null;
    }
  }

  /** The state letter of /proc/PID/stat in words (proc(5)). */
  static String state(String letter) {
    return switch (letter) {
      case "R" -> "running";
      case "S" -> "sleeping";
      case "D" -> "disk_sleep";
      case "Z" -> "zombie";
      case "T" -> "stopped";
      case "t" -> "tracing_stop";
      case "X", "x" -> "dead";
      case "I" -> "idle";
      case "P" -> "parked";
      case "W" -> "paging";
      case "K" -> "wakekill";
      default -> letter;
    };
  }
}
