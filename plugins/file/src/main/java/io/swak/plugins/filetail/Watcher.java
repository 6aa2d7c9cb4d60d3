package io.swak.plugins.filetail;

import java.io.File;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices files: expands the {@code path} globs (a scan) and watches the directories they cover with
 * the platform's {@link WatchService} (inotify on Linux), which reports new, changed, renamed and
 * deleted files within milliseconds. A directory that does not exist yet is waited for by watching
 * its nearest existing parent. A burst of changes the watch service could not queue (OVERFLOW), a
 * new directory or a watch that was lost asks for a new scan. No thread per file or directory: the
 * caller waits in {@link #poll}.
 */
final class Watcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("swak.filetail");

  /** What changed. */
  interface Changes {
    /** Something happened to the file at {@code path}: created, renamed or deleted. */
    void changed(Path path);

    /** The file at {@code path} was written to (its content changed; the name still leads where it did). */
    default void written(Path path) {
      changed(path);
    }

    /**
     * A file matching the globs was renamed to a name outside them ({@code from} deleted and {@code to}
     * created by one rename). Several rotations can happen before we look: the file now at {@code to}
     * may be one we never saw under its old name.
     */
    void renamedOut(Path from, Path to);
  }

  /** One glob: the directory where its first wildcard starts, a matcher and how deep it can reach. */
  private record Glob(Path base, PathMatcher matcher, int depth) { }

  private final List<Glob> globs = new ArrayList<>();
  private final List<PathMatcher> excludes = new ArrayList<>();
  private final List<PathMatcher> excludeNames = new ArrayList<>();
  private final WatchService watch;
  private final Map<WatchKey, Path> dirs = new HashMap<>();
  private final Set<Path> watched = new LinkedHashSet<>();
  private boolean rescanNeeded;

  Watcher(List<String> paths, List<String> exclude) throws IOException {
    FileSystem fs = FileSystems.getDefault();
    for (String p : paths) {
      globs.add(glob(fs, p));
    }
    for (String e : exclude) {
      if (e.indexOf('/') < 0) {
        excludeNames.add(fs.getPathMatcher("glob:" + e));
      } else {
        excludes.add(fs.getPathMatcher("glob:" + absolute(e)));
      }
    }
    this.watch = fs.newWatchService();
  }

  /** The pattern as an absolute path with {@code /} separators (globs cannot go through Path.of on Windows). */
  private static String absolute(String p) {
    String s = File.separatorChar == '\\' ? p.replace('\\', '/') : p;
    boolean abs = s.startsWith("/") || s.matches("^[A-Za-z]:/.*");
    if (abs) {
      return s;
    }
    String cwd = Path.of("").toAbsolutePath().toString().replace(File.separatorChar, '/');
    return cwd + (cwd.endsWith("/") ? "" : "/") + s;
  }

  private static Glob glob(FileSystem fs, String pattern) {
    String abs = absolute(pattern);
    String[] seg = abs.split("/");
    int first = -1;
    boolean deep = false;
    for (int i = 0; i < seg.length; i++) {
      if (first < 0 && hasWildcard(seg[i])) {
        first = i;
      }
      if (seg[i].contains("**")) {
        deep = true;
      }
    }
    if (first < 0) {
      Path file = Path.of(abs).normalize();
      Path parent = file.getParent() == null ? file : file.getParent();
      String quoted = file.toString().replaceAll("([*?\\[\\]{}\\\\])", "\\\\$1");
      return new Glob(parent, fs.getPathMatcher("glob:" + quoted), 1);
    }
    String base = String.join("/", Arrays.copyOfRange(seg, 0, first));
    int depth = deep ? Integer.MAX_VALUE : seg.length - first;
    return new Glob(Path.of(base.isEmpty() ? "/" : base + "/").normalize(), fs.getPathMatcher("glob:" + abs), depth);
  }

  private static boolean hasWildcard(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }

  /** Whether {@code path} (absolute) is one of the files to follow. */
  boolean matches(Path path) {
    boolean in = false;
    for (Glob g : globs) {
      if (g.matcher.matches(path)) {
        in = true;
        break;
      }
    }
    if (!in) {
      return false;
    }
    for (PathMatcher m : excludes) {
      if (m.matches(path)) {
        return false;
      }
    }
    Path name = path.getFileName();
    for (PathMatcher m : excludeNames) {
      if (name != null && m.matches(name)) {
        return false;
      }
    }
    return true;
  }

  /** Every regular file (or symlink to one) that matches now; watches every directory on the way. */
  List<Path> scan() {
    rescanNeeded = false;
    Set<Path> found = new LinkedHashSet<>();
    for (Glob g : globs) {
      if (!Files.isDirectory(g.base)) {
        waitFor(g.base);
        continue;
      }
      try {
        Files.walkFileTree(g.base, EnumSet.of(FileVisitOption.FOLLOW_LINKS), g.depth, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            watchDir(dir);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && matches(file)) {
              found.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            LOG.debug("cannot look into {}: {}", file, e.toString());
            return FileVisitResult.CONTINUE;
          }
        });
      } catch (IOException e) {
        LOG.warn("cannot scan {}: {}", g.base, e.getMessage());
      }
    }
    return new ArrayList<>(found);
  }

  /** A directory that does not exist yet: watch the nearest parent that does, to scan when it appears. */
  private void waitFor(Path dir) {
    Path p = dir.getParent();
    while (p != null && !Files.isDirectory(p)) {
      p = p.getParent();
    }
    if (p != null) {
      watchDir(p);
    }
  }

  /**
   * Turns the notifications of writes in {@code dir} off (its files are then looked at on a timer instead) or
   * on again. A directory whose files are written all the time costs the watch service a wakeup per write (500
   * files written 10 times a second: 5,000 a second, ~40% of the agent's CPU); looking at the sizes of its open
   * files 5 times a second costs a few microseconds each. Creations, renames and deletions are still reported.
   */
  void writesReported(Path dir, boolean on) {
    if (!watched.contains(dir)) {
      return;
    }
    try {
      if (on) {
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
            StandardWatchEventKinds.ENTRY_MODIFY);
      } else {
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
      }
    } catch (IOException e) {
      LOG.debug("cannot change the watch of {}: {}", dir, e.toString());
    }
  }

  /** The directories where the globs start that do not exist (yet). */
  List<Path> missingDirectories() {
    List<Path> out = new ArrayList<>();
    for (Glob g : globs) {
      if (!Files.isDirectory(g.base())) {
        out.add(g.base());
      }
    }
    return out;
  }

  /** Watches {@code dir} (idempotent): also used for the real directory behind a symlinked file. */
  void watchDir(Path dir) {
    if (watched.contains(dir)) {
      return;
    }
    try {
      WatchKey k = dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
      dirs.put(k, dir);
      watched.add(dir);
    } catch (IOException e) {
      // no notifications for this directory: the periodic scan still finds its files
      LOG.warn("cannot watch {} ({}); changes there are noticed by the periodic scan only", dir, e.getMessage());
      watched.add(dir);
    }
  }

  /**
   * Waits up to {@code timeoutNanos} for notifications (0: only takes what is there) and reports each
   * changed path. Returns true when a new scan is needed.
   */
  boolean poll(long timeoutNanos, Changes changes) throws InterruptedException {
    WatchKey key;
    try {
      key = timeoutNanos > 0 ? watch.poll(timeoutNanos, TimeUnit.NANOSECONDS) : watch.poll();
      while (key != null) {
        handle(key, changes);
        key = watch.poll();
      }
    } catch (ClosedWatchServiceException e) {
      return false;
    }
    boolean r = rescanNeeded;
    rescanNeeded = false;
    return r;
  }

  private void handle(WatchKey key, Changes changes) {
    Path dir = dirs.get(key);
    if (dir == null) {
      key.cancel();
      return;
    }
    Path deletedMatch = null; // inotify reports a rename as MOVED_FROM then MOVED_TO: DELETE, CREATE here
    for (WatchEvent<?> ev : key.pollEvents()) {
      if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
        rescanNeeded = true;
        deletedMatch = null;
        continue;
      }
      Path child = dir.resolve((Path) ev.context());
      boolean match = matches(child);
      // also for names outside the glob: a followed file may live there now (rotated)
      if (ev.kind() == StandardWatchEventKinds.ENTRY_MODIFY) {
        changes.written(child);
      } else {
        changes.changed(child);
      }
      if (!match && ev.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
        if (deletedMatch != null) {
          changes.renamedOut(deletedMatch, child);
        } else if (Files.isDirectory(child)) {
          rescanNeeded = true;
        }
      }
      deletedMatch = match && ev.kind() == StandardWatchEventKinds.ENTRY_DELETE ? child : null;
    }
    if (!key.reset()) {
      // the directory is gone or was renamed: forget the watch, scan again
      dirs.remove(key);
      watched.remove(dir);
      rescanNeeded = true;
    }
  }

  @Override
  public void close() throws IOException {
    watch.close();
  }
}
