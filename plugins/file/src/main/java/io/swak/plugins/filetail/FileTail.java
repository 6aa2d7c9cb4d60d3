package io.swak.plugins.filetail;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Input;
import io.swak.api.Positions;
import io.swak.api.StepContext;
import io.swak.support.FailureText;
import io.swak.support.Multiline;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code in.FileTail} input: it decides which file is read when; {@link FollowedFile} reads one. All
 * work happens on the task thread inside {@link #poll}: notifications and scans mark files ready, ready
 * files are served round-robin one block at a time. Nothing is read while the task does not poll, so a slow
 * output leaves the backlog in the files, not in memory. Checkpoints follow the acknowledged prefix only.
 *
 * <p>Batches: a file read in bulk (its block did not reach the end, or it is catching up) goes out block by
 * block at once, as before. Lines that arrive a few at a time — many files, each growing slowly, the
 * workload of most hosts — wait up to {@code flush_interval} in one batch per tag, gathered across files,
 * so a line written to each of 500 files does not make 500 batches, sends and acknowledgements. A batch's
 * ack completes the window entries of every file whose lines it holds.
 */
final class FileTail implements Input {

  private static final Logger LOG = LoggerFactory.getLogger("swak.filetail");
  private static final long TICK_NANOS = 200_000_000L;

  private final FileTailPlugin.Options options;
  private final byte[] messageKey;
  /** path_key in UTF-8, or null. */
  /** path_key packed as msgpack, or null. */
  private final byte[] pathKey;
  /** path_key as UTF-8, for the records the input's format makes (pathKey is packed msgpack). */
  private final byte[] pathKeyUtf8;
  /** host_key and this host's name packed as msgpack pairs, or nothing. */
  private final byte[] hostPair;
  /** Fields every line gets after the message: the file's path, the host. */
  private final int extraFields;
  /** The packed extra fields of the file whose path is {@link #extraPath} (by identity). */
  private byte[] extra;
  private byte[] extraPath;
  private final byte[] newline;
  private final byte[] cr;
  private final LineEncoder encoder;
  /** format: the parser each line goes through, or null. */
  private final io.swak.parsers.LineRecords records;
  private final byte[] buf;
  /**
   * Bytes of the next read: the first reads after start are small and double up to the whole buffer,
   * so the first batch leaves while the interpreter is still cutting and packing lines (a whole 256 KiB
   * block took it ~50 ms before the first event could leave).
   */
  private int readSize;
  private static final int FIRST_READ = 16 << 10;

  /** Lines read but not handed to the task yet, per tag, oldest first: they wait for more, up to flush_interval. */
  private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
  /** Batches made and not yet returned by poll (each poll returns one). */
  private final ArrayDeque<Batch> made = new ArrayDeque<>();
  /** Batches up to this size wait for more lines; the read block's size. */
  private final long flushBytes;
  private final long flushIntervalNanos;

  /**
   * Directories whose writes are many: their notifications are off and their files' sizes are looked at on the
   * tick instead (Watcher#writesReported); a directory quiet for a while is notified again.
   */
  private final Map<Path, Activity> activity = new HashMap<>();
  /** Writes reported in a directory during one tick above which it is looked at instead. */
  static final int BUSY_WRITES = 50;
  /** Ticks without a change after which a looked-at directory is notified again. */
  static final int QUIET_TICKS = 25;

  /** Writes seen in one directory, and whether it is looked at instead of notified. */
  private static final class Activity {
    int writes;
    boolean polled;
    int quietTicks;
  }

  /** Lines of one tag waiting to go out together, and the window entries of the files they came from. */
  /** An empty builder of a batch already sent, for the next one. */
  private BatchBuilder spareBuilder;

  private static final class Pending {
    final String tag;
    final BatchBuilder builder;
    final List<Ack> acks = new ArrayList<>();
    long sinceNanos;

    Pending(String tag, BatchBuilder builder) {
      this.tag = tag;
      this.builder = builder;
    }
  }

  private final Map<Path, FollowedFile> byPath = new HashMap<>();
  private final Map<FileIdentity, FollowedFile> byId = new HashMap<>();
  private final ArrayDeque<FollowedFile> ready = new ArrayDeque<>();
  private final Set<FollowedFile> draining = new LinkedHashSet<>();
  private final Set<FollowedFile> holding = new LinkedHashSet<>();
  /** Files to read again on the next tick: no open slot (max_open_files), or their dead letters were not written. */
  private final Set<FollowedFile> blocked = new LinkedHashSet<>();
  private final io.swak.support.WarnEvery deadLetterWarnings = io.swak.support.WarnEvery.tenSeconds();
  private final LinkedHashMap<FollowedFile, Boolean> open = new LinkedHashMap<>(64, 0.75f, true);

  private StepContext context;
  private Watcher watcher;
  private Checkpoints checkpoints;
  private Map<FileIdentity, Checkpoints.Saved> saved;
  private boolean initialScan;
  private boolean rescanDue;
  private long nextScan;
  private long nextTick;
  private long nowNanos;

  // the file being read, where its lines go and the time of its events, for the line sink
  private FollowedFile current;
  private Pending into;
  private long eventTime;
  private final Multiline.Events events = this::addEvent;
  private final LineSplitter.Sink lines = this::line;

  FileTail(FileTailPlugin.Options options) {
    this.options = options;
    this.messageKey = BatchBuilder.key(options.messageKey());
    this.pathKey = options.pathKey() == null ? null : BatchBuilder.packValue(options.pathKey());
    this.pathKeyUtf8 = options.pathKey() == null ? null : options.pathKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    this.hostPair = options.hostKey() == null ? new byte[0] : concat(BatchBuilder.packValue(options.hostKey()),
        BatchBuilder.packValue(io.swak.support.HostName.of()));
    this.extraFields = (pathKey != null ? 1 : 0) + (options.hostKey() != null ? 1 : 0);
    this.newline = LineEncoder.newline(options.encoding());
    this.cr = "\r".getBytes(options.encoding());
    this.encoder = new LineEncoder(options.encoding());
    this.records = options.lineRecords();
    this.buf = new byte[(int) options.readBufferSize().bytes()];
    this.readSize = Math.min(FIRST_READ, buf.length);
    this.flushBytes = buf.length;
    this.flushIntervalNanos = options.flushInterval().toNanos();
  }

  @Override
  public void start(StepContext ctx) throws IOException {
    this.context = ctx;
    Positions store = ctx.positions(options.posDir());
    // earlier versions kept one file per checkpoint, by default in a folder named after the task
    store.migrate(options.posDir() != null ? options.posDir()
        : ctx.dataDir().resolve("filetail").resolve(ctx.taskName().replaceAll("[^A-Za-z0-9._-]+", "-")));
    checkpoints = new Checkpoints(store);
    saved = checkpoints.open();
    {
      watcher = new Watcher(options.path(), options.exclude());
      nowNanos = System.nanoTime();
      initialScan = true;
      for (Path p : watcher.scan()) {
        examine(p);
      }
      initialScan = false;
      resumeRotated();
    }
    nextScan = nowNanos + options.refreshInterval().toNanos();
    nextTick = nowNanos + TICK_NANOS;
    ctx.metrics().gauge("files_followed", () -> followed);
    ctx.metrics().gauge("checkpoint_lag_bytes", () -> lagBytes);
    List<Path> missing = watcher.missingDirectories();
    LOG.info("{}: following {} file(s) matching {}{}; checkpoints in {}", ctx.taskName(), byId.size(),
        String.join(", ", options.path()), missing.isEmpty() ? ""
            : " (waiting for " + missing.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(", "))
                + " to appear: its files are read from their start when it does)", store.directory());
  }

  private long nextGauge;
  private volatile long lagBytes;
  private volatile long followed;

  @Override
  public Batch poll(Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (!context.stopping()) {
      if (!made.isEmpty()) {
        return made.pollFirst();
      }
      nowNanos = System.nanoTime();
      rescanDue |= watcher.poll(0, changes);
      housekeeping();
      FollowedFile f;
      while ((f = ready.pollFirst()) != null) {
        f.queued = false;
        read(f);
        if (!made.isEmpty()) {
          return made.pollFirst(); // one block of one busy file per poll: the others get their turn
        }
      }
      sendDue(System.nanoTime());
      if (!made.isEmpty()) {
        return made.pollFirst();
      }
      if (rescanDue) {
        continue;
      }
      long now = System.nanoTime();
      long until = Math.min(deadline, nextScan);
      if (!draining.isEmpty() || !holding.isEmpty() || !blocked.isEmpty() || !activity.isEmpty()) {
        until = Math.min(until, nextTick);
      }
      boolean gathering = false;
      for (Pending p : pending.values()) {
        until = Math.min(until, p.sinceNanos + flushIntervalNanos);
        gathering = true;
        break; // the oldest is due first
      }
      long wait = until - now;
      if (deadline - now <= 0) {
        return null;
      }
      if (wait > 0 && gathering) {
        // lines wait for more: the notifications meanwhile are taken all at once when the batch is due, not one
        // wakeup per write (500 files written to 10 times a second: 5,000 wakeups a second otherwise)
        context.sleep(Duration.ofNanos(wait));
      } else if (wait > 0) {
        rescanDue |= watcher.poll(wait, changes);
      }
    }
    return null;
  }

  /**
   * Set when a look at busy directories queued files: what their reads gather goes on right after them (the
   * look itself waited a tick), not a flush_interval later.
   */
  private boolean looked;

  /** Hands on the batches that waited flush_interval since their first line (all of them after a look). */
  private void sendDue(long now) {
    boolean all = looked;
    looked = false;
    for (var it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (!all && now - p.sinceNanos < flushIntervalNanos) {
        break; // oldest first: the rest are younger
      }
      it.remove();
      send(p);
    }
  }

  private void send(Pending p) {
    made.addLast(p.builder.build(p.tag, Ack.all(p.acks)));
    p.acks.clear();
    spareBuilder = p.builder; // empty after build, its buffer kept
  }

  // ---- noticing files -------------------------------------------------------------------------

  private final Watcher.Changes changes = new Watcher.Changes() {
    @Override
    public void changed(Path path) {
      examine(path);
    }

    @Override
    public void written(Path path) {
      Path dir = path.getParent();
      if (dir != null) {
        activity.computeIfAbsent(dir, d -> new Activity()).writes++;
      }
      FollowedFile known = byPath.get(path);
      if (known != null && known.channel != null && !known.rotated && path.equals(known.path())) {
        // appended to: no stat per write; the read checks the size, and the first bytes (it may have been
        // truncated and written past our position since) as for any read that does not continue a block
        known.continuing = false;
        queue(known);
      } else {
        examine(path);
      }
    }

    @Override
    public void renamedOut(Path from, Path to) {
      FileIdentity.Stat st;
      try {
        st = FileIdentity.stat(to);
      } catch (IOException e) {
        return;
      }
      if (!st.regular() || byId.containsKey(st.id())) {
        return;
      }
      // created and rotated away before we looked: it was never read, so it is drained from its start
      FollowedFile f = newFile(to, st.id(), tagFor(from));
      byId.put(f.id, f);
      f.rotated = true;
      f.rotatedAtNanos = nowNanos;
      draining.add(f);
      queue(f);
      context.metrics().count("files_found", 1);
      context.metrics().count("rotations", 1);
      LOG.debug("{} was rotated to {} before it was read: reading it", from, to);
    }
  };

  /** Something happened at {@code p}: look at what is there now and what we follow under that name. */
  private void examine(Path p) {
    FollowedFile known = byPath.get(p);
    if (known == null && draining.isEmpty() && !watcher.matches(p)) {
      return; // another program's file in a watched directory: not even a stat
    }
    FileIdentity.Stat st;
    try {
      st = FileIdentity.stat(p);
    } catch (NoSuchFileException e) {
      st = null;
    } catch (IOException e) {
      LOG.debug("cannot stat {}: {}", p, FailureText.of(e));
      return;
    }
    if (st == null || !st.regular()) {
      if (known != null) {
        detach(known);
      }
      return;
    }
    if (known != null && known.id.equals(st.id())) {
      // same size or larger: it may still have been truncated and written again up to or past our position
      if (truncatedInPlace(known) || st.size() != known.splitter.readPosition()) {
        queue(known);
      }
      return;
    }
    if (known != null) {
      detach(known); // the name now belongs to another file: the one we followed was rotated
    }
    FollowedFile same = byId.get(st.id());
    if (same != null) {
      if (watcher.matches(p) && !p.equals(same.path())) {
        // renamed (within the glob, or back into it): same file, keep reading where we are
        if (byPath.get(same.path()) == same) {
          byPath.remove(same.path());
        }
        same.path(p);
        byPath.put(p, same);
        if (same.checkpoint != null) {
          same.checkpoint.path = p.toString();
          checkpoints.touch(same.checkpoint);
        }
        if (same.rotated) {
          same.rotated = false;
          draining.remove(same);
        }
      }
      queue(same);
      return;
    }
    if (!watcher.matches(p)) {
      return;
    }
    FollowedFile f = newFile(p, st.id(), tagFor(p));
    f.atFirstStart = initialScan && checkpoints.firstStart();
    f.sizeAtScan = st.size();
    byPath.put(p, f);
    byId.put(f.id, f);
    queue(f);
    context.metrics().count("files_found", 1);
  }

  private FollowedFile newFile(Path p, FileIdentity id, String tag) {
    LineSplitter splitter = new LineSplitter(newline, cr, (int) Math.min(Integer.MAX_VALUE - 16,
        options.maxLineSize().bytes()), options.longLines() == FileTailPlugin.LongLines.TRUNCATE,
        options.passThrough());
    Multiline ml = options.multiline() == null ? null
        : new Multiline(options.multiline().start(), options.multiline().continuation(),
            (int) Math.min(Integer.MAX_VALUE - 16, options.maxLineSize().bytes()), Integer.MAX_VALUE,
            Multiline.Overflow.TRUNCATE);
    Path real = p;
    try {
      if (Files.isSymbolicLink(p)) {
        real = p.toRealPath();
        watcher.watchDir(real.getParent()); // appends are reported in the target's directory
      }
    } catch (IOException e) {
      LOG.debug("cannot resolve symlink {}: {}", p, FailureText.of(e));
    }
    FollowedFile f = new FollowedFile(id, p, tag, splitter, ml);
    if (!real.equals(p)) {
      byPath.put(real, f);
    }
    return f;
  }

  private String tagFor(Path p) {
    String t = options.tag();
    if (t.indexOf('*') < 0) {
      return t;
    }
    String s = p.toString().replace('\\', '/');
    while (s.startsWith("/")) {
      s = s.substring(1);
    }
    return t.replace("*", s.replace('/', '.'));
  }

  /** The name no longer leads to this file: read it to its end before letting it go. */
  private void detach(FollowedFile f) {
    if (byPath.get(f.path()) == f) {
      byPath.remove(f.path());
    }
    byPath.values().removeIf(x -> x == f); // symlink targets
    if (f.rotated) {
      return;
    }
    f.rotated = true;
    f.rotatedAtNanos = nowNanos;
    draining.add(f);
    context.metrics().count("rotations", 1);
    LOG.info("{} was renamed or deleted (rotated): reading the old file to its end", f.path());
    if (f.channel == null && !relocate(f)) {
      finish(f);
      return;
    }
    queue(f);
  }

  /** Finds a closed file by identity in its old directory after a rename; false if it is gone. */
  private boolean relocate(FollowedFile f) {
    Path dir = f.path().getParent();
    if (dir != null) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path p : ds) {
          try {
            if (FileIdentity.stat(p).id().equals(f.id)) {
              f.path(p);
              return true;
            }
          } catch (IOException e) {
            // vanished meanwhile
          }
        }
      } catch (IOException e) {
        LOG.debug("cannot list {}: {}", dir, FailureText.of(e));
      }
    }
    if (f.positioned && f.lastSize > f.splitter.lineStart()) {
      LOG.warn("{} went away while closed (max_open_files) with about {} bytes unread", f.path(),
          f.lastSize - f.splitter.lineStart());
    }
    return false;
  }

  /**
   * Checkpoints whose file matches no glob any more: after a crash during a rotation the old file
   * still has unread lines under its new name. Find it by identity and drain it; forget the rest.
   */
  private void resumeRotated() {
    for (Map.Entry<FileIdentity, Checkpoints.Saved> e : new ArrayList<>(saved.entrySet())) {
      FileIdentity id = e.getKey();
      if (byId.containsKey(id)) {
        continue;
      }
      Checkpoints.Saved s = e.getValue();
      FollowedFile f = s.path().isEmpty() ? null : newFile(Path.of(s.path()), id, tagFor(Path.of(s.path())));
      if (f != null && relocate(f)) {
        byId.put(id, f);
        f.rotated = true;
        f.rotatedAtNanos = nowNanos;
        draining.add(f);
        queue(f);
        LOG.info("{}: resuming a rotated file at offset {}", f.path(), s.offset());
      } else {
        saved.remove(id);
        checkpoints.delete(id);
      }
    }
  }

  private void queue(FollowedFile f) {
    if (!f.queued) {
      f.queued = true;
      ready.addLast(f);
    }
  }

  // ---- periodic work ----------------------------------------------------------------------------

  private void housekeeping() {
    if (nowNanos - nextGauge >= 0) {
      // for status and metrics (read on other threads): refreshed here, on the task thread, once a second
      nextGauge = nowNanos + 1_000_000_000L;
      long lag = 0;
      for (FollowedFile f : byId.values()) {
        lag += Math.max(0, f.splitter.readPosition() - f.window.committed());
      }
      lagBytes = lag;
      followed = byId.size();
    }
    if (rescanDue || nowNanos - nextScan >= 0) {
      rescanDue = false;
      nextScan = nowNanos + options.refreshInterval().toNanos();
      List<Path> found = watcher.scan();
      Set<Path> seen = new HashSet<>(found);
      for (Path p : found) {
        examine(p);
      }
      for (Path p : new ArrayList<>(byPath.keySet())) {
        FollowedFile f = byPath.get(p);
        if (!seen.contains(p) && f != null && p.equals(f.path())) {
          examine(p); // gone or no longer matching
        }
      }
      context.metrics().count("scans", 1);
      LOG.debug("scanned {} file(s) in {} ms", found.size(), (System.nanoTime() - nowNanos) / 1_000_000);
    }
    if (nowNanos - nextTick >= 0) {
      nextTick = nowNanos + TICK_NANOS;
      tick();
    }
  }

  private void tick() {
    lookAtBusyDirectories();
    long rotateWait = options.rotateWait().toNanos();
    for (FollowedFile f : new ArrayList<>(draining)) {
      if (f.queued) {
        continue;
      }
      long size;
      try {
        size = f.channel != null ? f.channel.size() : -1;
      } catch (IOException e) {
        size = -1;
      }
      if (size < 0) {
        finish(f);
      } else if (size != f.lastSize) {
        queue(f);
      } else if (nowNanos - Math.max(f.rotatedAtNanos, f.lastDataNanos) >= rotateWait) {
        if (f.multiline != null && f.multiline.holding()) {
          f.flushDue = true;
          queue(f);
        } else if (size > f.splitter.lineStart() && !f.finalFlushed) {
          f.finalFlush = true; // the writer is gone: its last line will never get a newline
          queue(f);
        } else if (f.window.inFlight() == 0) {
          finish(f);
        }
      }
    }
    if (options.multiline() != null) {
      long timeout = options.multiline().flushTimeout().toNanos();
      for (FollowedFile f : holding) {
        if (f.multiline.due(nowNanos, timeout)) {
          f.flushDue = true;
          queue(f);
        }
      }
    }
    for (FollowedFile f : blocked) {
      queue(f);
    }
    blocked.clear();
  }

  /**
   * Moves directories whose files are written to all the time from notifications to looking at their files'
   * sizes on each tick, and back once they are quiet; looks at the files of those directories.
   */
  private void lookAtBusyDirectories() {
    if (activity.isEmpty()) {
      return;
    }
    Map<Path, Boolean> changed = new HashMap<>();
    for (FollowedFile f : byId.values()) {
      Path dir = f.path().getParent();
      Activity a = dir == null ? null : activity.get(dir);
      if (a == null || !a.polled || f.rotated) {
        continue;
      }
      try {
        // size and modification time: a copytruncate written back to the same size changes only the latter
        java.nio.file.attribute.BasicFileAttributes attrs = Files.readAttributes(f.path(),
            java.nio.file.attribute.BasicFileAttributes.class);
        long modified = attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        if (attrs.size() != f.splitter.readPosition() || modified != f.lookedModified) {
          f.lookedModified = modified;
          f.continuing = false; // a fresh look: its first bytes are checked as after a notification
          queue(f);
          changed.put(dir, Boolean.TRUE);
          looked = true;
        }
      } catch (IOException e) {
        queue(f); // gone or unreadable: the read finds out and says so
      }
    }
    for (var it = activity.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      Activity a = e.getValue();
      if (!a.polled && a.writes > BUSY_WRITES) {
        a.polled = true;
        a.quietTicks = 0;
        watcher.writesReported(e.getKey(), false);
        LOG.debug("{}: many writes; looking at its files {} times a second instead", e.getKey(),
            1_000_000_000L / TICK_NANOS);
      } else if (a.polled && changed.containsKey(e.getKey())) {
        a.quietTicks = 0;
      } else if (a.polled && ++a.quietTicks >= QUIET_TICKS) {
        watcher.writesReported(e.getKey(), true);
        it.remove(); // notified again; a last look happens below at the next tick through its reported writes
        for (FollowedFile f : byId.values()) {
          if (e.getKey().equals(f.path().getParent())) {
            queue(f); // what was written between the last look and the watch being back
          }
        }
        continue;
      }
      a.writes = 0;
    }
  }

  /** Stops following a rotated or vanished file once it is read and acknowledged. */
  private void finish(FollowedFile f) {
    closeChannel(f);
    draining.remove(f);
    holding.remove(f);
    blocked.remove(f);
    if (byId.get(f.id) == f) {
      byId.remove(f.id);
    }
    byPath.values().removeIf(x -> x == f);
    if (f.checkpoint != null) {
      checkpoints.forget(f.checkpoint);
    }
  }

  // ---- reading ----------------------------------------------------------------------------------

  /** Opens the file if needed (within max_open_files); false when it cannot be read now. */
  private boolean ensureOpen(FollowedFile f) {
    if (f.channel != null) {
      open.get(f); // most recently used
      return true;
    }
    if (open.size() >= options.maxOpenFiles() && !evictFor(f)) {
      blocked.add(f);
      return false;
    }
    try {
      if (!f.open()) {
        examine(f.path()); // replaced under us: treat as a rotation
        return false;
      }
    } catch (NoSuchFileException e) {
      if (f.rotated) {
        finish(f);
      } else {
        detach(f);
      }
      return false;
    } catch (IOException e) {
      if (!f.unreadable) {
        f.unreadable = true;
        context.metrics().errors(1);
        LOG.warn("cannot read {}: {} — retrying at each scan (every {} s); other files are not affected", f.path(),
            FailureText.of(e), options.refreshInterval().toSeconds());
      }
      return false;
    }
    if (f.unreadable) {
      f.unreadable = false;
      LOG.info("{} is readable again", f.path());
    }
    open.put(f, Boolean.TRUE);
    if (f.positioned) {
      truncatedInPlace(f); // it may have been copytruncated while closed
    } else {
      try {
        position(f);
      } catch (IOException e) {
        closeChannel(f);
        LOG.warn("cannot read {}: {}", f.path(), FailureText.of(e));
        return false;
      }
    }
    return true;
  }

  /** Closes the least recently used file that can wait; rotated files are never closed before their end. */
  private boolean evictFor(FollowedFile wanted) {
    FollowedFile victim = null;
    for (FollowedFile f : open.keySet()) {
      if (!f.rotated && f != wanted) {
        if (!f.queued) {
          victim = f;
          break;
        }
        if (victim == null) {
          victim = f;
        }
      }
    }
    if (victim == null) {
      return false;
    }
    closeChannel(victim);
    return true;
  }

  private void closeChannel(FollowedFile f) {
    if (f.channel != null) {
      f.close();
      open.remove(f);
    }
  }

  /** Decides where a newly found file starts (its checkpoint, its start or its end) and tracks its checkpoint. */
  private void position(FollowedFile f) throws IOException {
    Checkpoints.Saved s = saved.remove(f.id);
    String note = f.position(s, options.readFromHead());
    if ("inode_reuse".equals(note)) {
      context.metrics().count("inode_reuse", 1);
      LOG.info("{} has the inode of a file we followed before but other content: reading it from the start", f.path());
    } else if ("truncations".equals(note)) {
      context.metrics().count("truncations", 1);
      LOG.info("{} is shorter than its checkpoint ({} < {}): truncated, reading it from the start", f.path(),
          f.channel.size(), s.offset());
    }
    f.checkpoint = checkpoints.track(f.id, f.window, f.fingerprint, f.path().toString());
  }

  /** Checks an open file's first bytes: copytruncate followed by enough new writes keeps the size growing. */
  private boolean truncatedInPlace(FollowedFile f) {
    try {
      if (f.rewritten()) {
        truncated(f, f.channel.size());
        return true;
      }
    } catch (IOException e) {
      LOG.debug("cannot check {}: {}", f.path(), FailureText.of(e));
    }
    return false;
  }

  private void truncated(FollowedFile f, long size) throws IOException {
    context.metrics().count("truncations", 1);
    LOG.info("{} was truncated (copytruncate?): reading it again from the start", f.path());
    f.restart(size);
    holding.remove(f);
    checkpoints.touch(f.checkpoint);
  }

  /** Reads one block of {@code f} into the waiting batch of its tag; sends that batch when it is due. */
  private void read(FollowedFile f) {
    if (!ensureOpen(f)) {
      return;
    }
    Pending p = pending.get(f.tag);
    if (p == null) {
      // the builder of the batch sent last, grown to a batch's size already: a new one per batch grew from
      // nothing by doubling, copying each batch's bytes about twice more (1.5x the CPU of file-null)
      p = new Pending(f.tag, spareBuilder != null ? spareBuilder : new BatchBuilder());
      spareBuilder = null;
    }
    int before = p.builder.count();
    long bytesBefore = p.builder.sizeBytes();
    try {
      readOpen(f, p);
    } catch (IOException e) {
      context.metrics().errors(1);
      if (e instanceof DeadLettersUnwritten) {
        blocked.add(f); // tried again on the next tick, read from the checkpoint: until the file can be written
        if (deadLetterWarnings.due()) {
          LOG.warn("{}: {} — will retry", f.path(), e.getMessage());
        }
      } else {
        LOG.warn("error reading {}: {} — will retry", f.path(), FailureText.of(e));
      }
      closeChannel(f);
      p.builder.rollback(before, bytesBefore); // drop this file's half-read lines; they are read again
      f.rewind();
    } finally {
      current = null;
      into = null;
    }
    if (p.builder.count() > 0 && !pending.containsKey(f.tag)) {
      p.sinceNanos = nowNanos;
      pending.put(f.tag, p);
    }
  }

  private void readOpen(FollowedFile f, Pending p) throws IOException {
    long size = f.channel.size();
    boolean continuing = f.continuing;
    f.continuing = false;
    if (!f.rotated && size < f.splitter.readPosition()) {
      truncated(f, size);
    } else if (!f.rotated && !continuing && size >= f.splitter.readPosition() && f.rewritten()) {
      // woken by a write: truncated and written up to or past our position again since we last looked? (lines
      // of one length written back to the old size leave the size as it was: only the first bytes tell)
      truncated(f, size);
    }
    current = f;
    into = p;
    eventTime = context.nowNanos();
    int before = p.builder.count();
    int block = readSize;
    FollowedFile.Read r = f.read(buf, block, size, nowNanos, lines, events);
    if (r.progressed()) {
      readSize = Math.min(buf.length, 2 * readSize);
    }
    reportRead(f);
    if (f.holding()) {
      holding.add(f);
    } else {
      holding.remove(f);
    }
    long end = f.endPosition();
    if (p.builder.count() > before) {
      p.acks.add(f.window.add(end));
      f.lastEndAdded = end;
      checkpoints.touch(f.checkpoint);
    } else if (end > f.lastEndAdded) {
      f.window.add(end).done(); // only skipped lines: move the checkpoint past them
      f.lastEndAdded = end;
      checkpoints.touch(f.checkpoint);
    }
    boolean behind = r.behind(f);
    if (behind) {
      f.continuing = true;
      queue(f); // more is waiting: back of the queue, so other files get their turn
    }
    // read in bulk (more behind, or the end of a catch-up): out at once, block by block; a few fresh lines wait
    if (p.builder.count() > 0 && (behind || continuing || p.builder.sizeBytes() >= flushBytes
        || flushIntervalNanos == 0)) {
      pending.remove(p.tag);
      send(p);
    }
  }

  /**
   * Counts what the read of {@code f} met and writes the lines its format gave up (on_error: dead_letter) to the
   * dead-letter file before the checkpoint can pass them; a failed write fails the read, which is retried.
   */
  private void reportRead(FollowedFile f) throws IOException {
    if (records != null) {
      records.count(context.metrics());
      // a read that cannot write them is retried: they come again
      IOException e = records.hasDeadLetters() ? records.takeDeadLetters(context::deadLetter, batch -> { }) : null;
      if (e != null) {
        throw new DeadLettersUnwritten(e);
      }
    }
    LineSplitter s = f.splitter;
    if (s.truncatedLines > 0 || s.skippedLines > 0) {
      boolean truncate = s.truncatedLines > 0;
      long n = truncate ? s.truncatedLines : s.skippedLines;
      context.metrics().count(truncate ? "long_lines_truncated" : "long_lines_skipped", n);
      LOG.warn("{}: {} line(s) longer than max_line_size ({}) {} (last at offset {})", f.path(), n,
          options.maxLineSize(), truncate ? "truncated" : "skipped", s.lastLongLineAt);
      s.truncatedLines = 0;
      s.skippedLines = 0;
    }
    long cut = f.multiline == null ? 0 : f.multiline.takeTruncated();
    if (cut > 0) {
      context.metrics().count("long_lines_truncated", cut);
      LOG.warn("{}: {} multiline event(s) longer than max_line_size ({}) truncated", f.path(), cut,
          options.maxLineSize());
    }
  }

  private void line(byte[] b, int off, int len, long start) {
    encoder.convert(b, off, len, start == 0);
    if (current.multiline == null
        || current.multiline.line(encoder.array, encoder.offset, encoder.length, start, nowNanos, events)
        == Multiline.Took.ALONE) {
      addEvent(encoder.array, encoder.offset, encoder.length);
    }
  }

  private void addEvent(byte[] b, int off, int len) {
    if (records != null) {
      // a line the input's format parses becomes a whole entry (with the path field when path_key is set)
      byte[] path = pathKey == null ? null : current.pathUtf8();
      switch (records.parse(into.tag, b, off, len, eventTime, pathKeyUtf8, path)) {
        case PARSED -> {
          into.builder.addEntries(records.entry(), 0, records.entryLength(), 1);
          return;
        }
        case GONE -> {
          return; // dropped or dead-lettered (on_error), counted
        }
        case KEEP -> { } // the line as it is, below
      }
    }
    if (extraFields == 0) {
      into.builder.addMessage(eventTime, messageKey, b, off, len);
      return;
    }
    byte[] path = current.pathUtf8();
    if (path != extraPath) { // the lines of one file come in blocks: its fields are packed once per block
      extraPath = path;
      extra = pathKey == null ? hostPair : concat(pathKey, BatchBuilder.packValue(
          new String(path, java.nio.charset.StandardCharsets.UTF_8)), hostPair);
    }
    into.builder.addMessageWith(eventTime, messageKey, b, off, len, extra, extraFields);
  }

  /** The lines a read gave up (on_error: dead_letter) could not be written: the read fails and is tried again. */
  private static final class DeadLettersUnwritten extends IOException {
    private static final long serialVersionUID = 1L;

    DeadLettersUnwritten(IOException cause) {
      super("cannot write lines that did not parse to the dead-letter file: " + FailureText.of(cause), cause);
    }
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(64);
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Override
  public void close() throws IOException {
    for (FollowedFile f : new ArrayList<>(open.keySet())) {
      closeChannel(f);
    }
    if (watcher != null) {
      watcher.close();
    }
  }
}
