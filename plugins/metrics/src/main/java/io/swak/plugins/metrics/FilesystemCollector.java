package io.swak.plugins.metrics;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * filesystem: size, used and free space of each mounted file system listed in /proc/self/mounts, through
 * java.nio's FileStore (statvfs). Pseudo file systems (proc, sysfs, cgroup, tmpfs …; option {@code fs_types_exclude})
 * and mount points listed twice are skipped; {@code free_bytes} is what an unprivileged user can still write.
 */
final class FilesystemCollector implements Collector {

  /** Kernel file systems with no disk space to speak of. */
  static final List<String> PSEUDO = List.of("proc", "sysfs", "devtmpfs", "devpts", "tmpfs", "cgroup", "cgroup2",
      "mqueue", "debugfs", "tracefs", "securityfs", "pstore", "bpf", "autofs", "hugetlbfs", "configfs", "fusectl",
      "binfmt_misc", "nsfs", "rpc_pipefs", "ramfs", "efivarfs", "selinuxfs", "squashfs", "nfsd");

  private final ProcFiles proc;
  private final Set<String> excluded;

  FilesystemCollector(ProcFiles proc, List<String> excluded) {
    this.proc = proc;
    this.excluded = Set.copyOf(excluded);
  }

  @Override
  public String name() {
    return "filesystem";
  }

  @Override
  public Map<String, Object> read() throws IOException {
    Map<String, String[]> mounts = new LinkedHashMap<>(); // mount point -> device, type; the last mount wins
    for (String line : proc.lines("self/mounts")) {
      String[] f = line.split(" ");
      if (f.length < 3) {
        if (!line.isBlank()) {
          throw new ProcFiles.BadProcText("self/mounts", "a line with " + f.length + " fields: " + ProcFiles.shorten(line));
        }
        continue;
      }
      if (!excluded.contains(f[2])) {
        String point = unescape(f[1]);
        mounts.remove(point);
        mounts.put(point, new String[] {unescape(f[0]), f[2]});
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map.Entry<String, String[]> m : mounts.entrySet()) {
      Path point = Path.of(m.getKey());
      long total;
      long usable;
      long unallocated;
      try {
        FileStore store = Files.getFileStore(point);
        total = store.getTotalSpace();
        usable = store.getUsableSpace();
        unallocated = store.getUnallocatedSpace();
      } catch (IOException | SecurityException e) {
        continue; // unmounted since, or not ours to look at
      }
      if (total <= 0) {
        continue;
      }
      Map<String, Object> fs = new LinkedHashMap<>();
      fs.put("mount_point", m.getKey());
      fs.put("device", m.getValue()[0]);
      fs.put("type", m.getValue()[1]);
      fs.put("total_bytes", total);
      fs.put("used_bytes", total - unallocated);
      fs.put("free_bytes", usable);
      fs.put("used_ratio", Collector.ratio(total - unallocated, total));
      out.add(fs);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("filesystems", out);
    return r;
  }

  /** /proc/self/mounts writes a space, tab, newline or backslash of a path as an octal escape (\040). */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}
