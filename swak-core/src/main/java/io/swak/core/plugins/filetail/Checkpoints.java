package io.swak.core.plugins.filetail;

import io.swak.api.AckWindow;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import io.swak.core.plugins.DurableFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where reading resumes after a restart: one small file per followed file identity in {@code pos_dir}
 * ({@code <dev>-<inode>.pos}: offset, fingerprint, last known path). The offset is the acknowledged
 * prefix of the file's {@link AckWindow}, never what was merely read. Each file is replaced
 * atomically (temp file, fsync, rename, then the directory is synced), so a crash leaves the old or
 * the new checkpoint. A background thread saves changed checkpoints about once a second, so the fsyncs
 * never slow reading down; {@link #close} saves the rest.
 */
final class Checkpoints implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("swak.filetail");
  private static final String SUFFIX = ".pos";
  private static final String STARTED = "started";
  /** Acknowledged bytes that make a checkpoint due before its second is over. */
  static final long DUE_BYTES = 1L << 20;

  /** A checkpoint as read from disk. */
  record Saved(long offset, Fingerprint fingerprint, String path) { }

  /** The checkpoint of one followed file. Fields written by the task thread, saved by the saver thread. */
  static final class Entry {
    final FileIdentity id;
    final AckWindow window;
    volatile Fingerprint fingerprint;
    volatile String path;
    volatile boolean changed = true;
    /** In the saver's set of entries to look at. */
    volatile boolean active;
    private long savedOffset = -1;
    private long savedAtNanos;
    private boolean forgotten;

    Entry(FileIdentity id, AckWindow window, Fingerprint fingerprint, String path) {
      this.id = id;
      this.window = window;
      this.fingerprint = fingerprint;
      this.path = path;
    }
  }

  private final Path dir;
  private final long intervalNanos;
  /** Entries that may need a save: idle files cost the saver nothing (10,000 files watched, few written). */
  private final Set<Entry> active = ConcurrentHashMap.newKeySet();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private FileChannel lockChannel;
  private FileLock dirLock;
  private Thread saver;
  private volatile boolean closing;
  private volatile boolean firstStart;
  private volatile IOException lastError;

  Checkpoints(Path dir, long intervalNanos) {
    this.dir = dir;
    this.intervalNanos = intervalNanos;
  }

  /**
   * Takes the directory (one agent per pos_dir) and reads every checkpoint in it. A checkpoint that
   * cannot be parsed is reported and ignored: its file is then read from the start (duplicates, not loss).
   */
  Map<FileIdentity, Saved> open() throws IOException {
    Files.createDirectories(dir);
    lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      dirLock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      dirLock = null;
    }
    if (dirLock == null) {
      lockChannel.close();
      throw new IOException("pos_dir " + dir + " is used by another running in.FileTail (another task or agent): "
          + "give each task its own pos_dir");
    }
    firstStart = !Files.exists(dir.resolve(STARTED));
    Map<FileIdentity, Saved> out = new HashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.deleteIfExists(p); // a save cut short by a crash; the previous checkpoint is intact
        } else if (name.endsWith(SUFFIX)) {
          FileIdentity id = new FileIdentity(name.substring(0, name.length() - SUFFIX.length()));
          try {
            out.put(id, parse(Files.readString(p, StandardCharsets.UTF_8)));
          } catch (RuntimeException | IOException e) {
            LOG.warn("checkpoint {} is unreadable ({}); that file will be read from its start", p, e.getMessage());
            Files.deleteIfExists(p);
          }
        }
      }
    }
    return out;
  }

  /** True when no checkpoint round has completed in this pos_dir yet: read_from_head applies. */
  boolean firstStart() {
    return firstStart;
  }

  /** Starts saving in the background. */
  void start() {
    saver = new Thread(this::saveLoop, "swak-filetail-checkpoints");
    saver.setDaemon(true);
    saver.start();
  }

  /** Begins tracking a followed file; {@code savedOffset} is what its checkpoint file holds already (-1 none). */
  Entry track(FileIdentity id, AckWindow window, Fingerprint fp, String path, long savedOffset) {
    Entry e = new Entry(id, window, fp, path);
    e.savedOffset = savedOffset;
    e.changed = savedOffset < 0;
    touch(e);
    return e;
  }

  /** Tells the saver to look at {@code e}: a batch was registered in its window, or its fingerprint or path changed. */
  void touch(Entry e) {
    if (!e.active) {
      e.active = true;
      boolean wasIdle = active.isEmpty();
      active.add(e);
      if (wasIdle) {
        // the saver sleeps a whole second while nothing changes: wake it to its 100 ms pace
        lock.lock();
        try {
          wake.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** Stops tracking a file that is no longer followed and deletes its checkpoint. */
  void forget(Entry e) {
    synchronized (e) {
      e.forgotten = true;
      active.remove(e);
      delete(e.id);
    }
  }

  /** Deletes the checkpoint of a file that is gone. */
  void delete(FileIdentity id) {
    try {
      Files.deleteIfExists(dir.resolve(id.key() + SUFFIX));
    } catch (IOException ex) {
      LOG.warn("cannot delete checkpoint {}: {}", dir.resolve(id.key() + SUFFIX), ex.getMessage());
    }
  }

  private void saveLoop() {
    while (!closing) {
      lock.lock();
      try {
        wake.awaitNanos(active.isEmpty() ? intervalNanos : intervalNanos / 10); // idle: once a second
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      if (!closing) {
        saveChanged(Long.MAX_VALUE, true);
      }
    }
  }

  /**
   * Saves every checkpoint whose acknowledged offset (or fingerprint, or path) changed, until
   * {@code deadlineNanos}. Returns how many changed ones are left unsaved.
   */
  int saveChanged(long deadlineNanos, boolean yieldToClose) {
    List<Entry> todo = new ArrayList<>(active);
    int left = 0;
    int saved = 0;
    long now = System.nanoTime();
    for (Entry e : todo) {
      synchronized (e) {
        long committed = e.window.committed();
        if (e.forgotten || (committed == e.savedOffset && !e.changed)) {
          settle(e);
          continue;
        }
        // about once a second per file; sooner when much was acknowledged (a fast catch-up after a
        // restart), so a crash soon after a start does not repeat everything read since
        boolean due = !yieldToClose || e.savedOffset < 0 || now - e.savedAtNanos >= intervalNanos
            || committed - e.savedOffset >= DUE_BYTES || committed < e.savedOffset;
        if (!due) {
          continue;
        }
        if (System.nanoTime() - deadlineNanos > 0 || (yieldToClose && closing)) {
          left++;
          continue;
        }
        e.changed = false;
        try {
          write(e.id, committed, e.fingerprint, e.path);
          e.savedOffset = committed;
          e.savedAtNanos = now;
          settle(e);
          saved++;
          lastError = null;
        } catch (IOException ex) {
          e.changed = true;
          left++;
          if (lastError == null) {
            LOG.error("cannot save checkpoint in {}: {} — retrying; after a restart some lines may be read again",
                dir, ex.getMessage());
          }
          lastError = ex;
        }
      }
    }
    if (saved > 0) {
      syncDir();
    }
    if (firstStart && left == 0 && lastError == null) {
      try {
        Files.write(dir.resolve(STARTED), new byte[0]);
        syncDir();
        firstStart = false;
      } catch (IOException ex) {
        LOG.warn("cannot write {}: {}", dir.resolve(STARTED), ex.getMessage());
      }
    }
    return left;
  }

  /** Drops a saved entry from the active set unless more is in flight; the order makes a racing touch safe. */
  private void settle(Entry e) {
    active.remove(e);
    e.active = false;
    if (!e.forgotten && (e.window.inFlight() > 0 || e.window.committed() != e.savedOffset || e.changed)) {
      touch(e);
    }
  }

  private void write(FileIdentity id, long offset, Fingerprint fp, String path) throws IOException {
    String text = "offset=" + offset + "\nfingerprint=" + fp + "\npath=" + path + "\n";
    DurableFiles.replace(dir.resolve(id.key() + SUFFIX), text.getBytes(StandardCharsets.UTF_8));
  }

  private void syncDir() {
    DurableFiles.syncDirectory(dir);
  }

  static Saved parse(String text) {
    long offset = -1;
    Fingerprint fp = null;
    String path = "";
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (line.isBlank() || line.startsWith("#") || eq < 0) {
        continue;
      }
      String k = line.substring(0, eq);
      String v = line.substring(eq + 1);
      switch (k) {
        case "offset" -> offset = Long.parseLong(v.trim());
        case "fingerprint" -> fp = Fingerprint.parse(v.trim());
        case "path" -> path = v;
        default -> { }
      }
    }
    if (offset < 0 || fp == null) {
      throw new IllegalArgumentException("no offset or fingerprint");
    }
    return new Saved(offset, fp, path);
  }

  /** Stops the saver and saves what changed, for at most {@code budgetNanos}. */
  @Override
  public void close() {
    closeWithin(TimeUnit.SECONDS.toNanos(5));
  }

  void closeWithin(long budgetNanos) {
    closing = true;
    if (saver != null) {
      lock.lock();
      try {
        wake.signalAll();
      } finally {
        lock.unlock();
      }
      try {
        saver.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    int left = saveChanged(System.nanoTime() + budgetNanos, false);
    if (left > 0) {
      LOG.warn("{} checkpoints in {} could not be saved in time; their newest lines will be read again", left, dir);
    }
    try {
      if (dirLock != null) {
        dirLock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      // the lock goes with the process anyway
    }
  }
}
