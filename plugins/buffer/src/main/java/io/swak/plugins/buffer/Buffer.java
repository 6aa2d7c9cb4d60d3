package io.swak.plugins.buffer;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.Stage;
import io.swak.api.StepContext;
import io.swak.support.StepFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A buffer step: the end of the synchronous part of a task. Batches are appended to chunks (one
 * open chunk per tag); a chunk is sealed when it reaches its line or byte size or its age reaches
 * the flush interval, and a flusher thread delivers sealed chunks, oldest first, to the steps after
 * the buffer. Memory is bounded: when the buffer is full the task thread waits (or drops, if told
 * to), so the backlog stays in the source.
 *
 * <p>Acknowledgements: memory (and spilled) chunks complete their batches' acks when delivered.
 * File chunks complete them once the data is synced to disk; they survive a crash and are
 * delivered at the next start. A chunk file that fails its checksums is moved to {@code corrupt/},
 * its valid frames are still delivered, and the buffer goes on.
 */
final class Buffer implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger("swak.buffer");
  /** How long close() waits for the flusher when the task is restarting rather than stopping (tests shorten it). */
  static volatile Duration closeWait = Duration.ofSeconds(30);

  private final BufferSettings s;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, Chunk> open = new LinkedHashMap<>();
  private final ArrayDeque<Chunk> sealed = new ArrayDeque<>();
  /** Sealed file chunks whose acks wait for a sync: the timer syncs them, never the task thread. */
  private final List<Chunk> sealedUnsynced = new ArrayList<>();
  private StepContext context;
  private Path dir;
  private long seq;
  private long memoryBytes;
  private long diskBytes;
  private long lastSyncNanos;
  private volatile Emitter next;
  private Thread flusher;
  private boolean closing;
  private boolean flusherDone;
  private boolean timerDone;
  /** Set when close() gave up waiting for a delivery that keeps failing (a task restart, not a stop). */
  private volatile boolean abandoned;
  private Thread timer;
  private long lastDropLogNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(10);
  private long droppedSinceLog;

  Buffer(BufferSettings settings) {
    this.s = settings;
  }

  @Override
  public void start(StepContext ctx) throws IOException {
    this.context = ctx;
    if (s.type() == BufferSettings.Type.FILE || s.path() != null) {
      dir = s.path() != null ? s.path()
          : ctx.dataDir().resolve("buffer").resolve(StepFiles.id(ctx));
      Files.createDirectories(dir);
      seq = recover();
    }
    lastSyncNanos = System.nanoTime();
    ctx.metrics().gauge("buffer_bytes", () -> locked(() -> memoryBytes + diskBytes));
    ctx.metrics().gauge("buffer_chunks", () -> locked(() -> (long) sealed.size() + open.size()));
    // what buffer_bytes can reach (memory, plus the spill of a memory buffer): health reads how full it is
    long limit = s.totalLimit() + (s.type() == BufferSettings.Type.MEMORY && s.path() != null ? s.spillLimit() : 0);
    ctx.metrics().gauge("buffer_limit_bytes", () -> limit);
  }

  private long locked(java.util.function.LongSupplier read) {
    lock.lock();
    try {
      return read.getAsLong();
    } finally {
      lock.unlock();
    }
  }

  /** Replays what an earlier run left (file buffers) or discards it (spill of a memory buffer). */
  private long recover() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.chunk")) {
      ds.forEach(files::add);
    }
    files.sort(null);
    if (s.type() == BufferSettings.Type.FILE) {
      refuseNewerFormats(files);
    }
    long max = 0;
    for (Path f : files) {
      max = Math.max(max, seqOf(f));
    }
    for (Path f : files) {
      if (s.type() == BufferSettings.Type.MEMORY) {
        // spilled data was never acknowledged: the input sends it again
        Files.deleteIfExists(f);
        continue;
      }
      ChunkFile.Contents c = ChunkFile.read(f);
      if (c.problem() != null && !keepValidPart(f, c)) {
        continue;
      }
      sealed.add(Chunk.replayed(c.tag(), f, c.events(), c.length()));
      diskBytes += c.length();
    }
    if (!sealed.isEmpty()) {
      LOG.info("{}, {}: {} chunks from the last run will be delivered first", context.taskName(),
          context.stepName(), sealed.size());
    }
    return max;
  }

  /**
   * Fails the start, before any file is touched, when a newer release wrote one of the chunks (a rollback past a
   * change of the chunk format): they are kept as they are for that release instead of being taken for damage.
   */
  private void refuseNewerFormats(List<Path> files) throws IOException {
    for (Path f : files) {
      int format = ChunkFile.newerFormat(f);
      if (format > 0) {
        throw new IOException("the buffer " + dir + " holds chunks of a newer swak (" + f.getFileName()
            + " is in chunk format " + format + ", this release reads format " + ChunkFile.VERSION + "): nothing "
            + "was read or changed. Run the release that wrote them until the buffer is empty (swak upgrade, or "
            + "swak rollback to undo a rollback), or give this buffer another path");
      }
    }
  }

  /**
   * A chunk whose end is not whole frames: what is before is delivered, the rest cut off. A last frame cut
   * short (a crash, a full disk) is ordinary; anything else is damage, kept in {@code corrupt/} for a look
   * — when the disk has room for the copy. Returns false when nothing valid is left.
   */
  private boolean keepValidPart(Path f, ChunkFile.Contents c) throws IOException {
    String where = context.taskName() + ", " + context.stepName();
    if (c.torn()) {
      context.metrics().count("torn_chunks", 1);
      LOG.warn("{}: chunk {} ends in a write cut short (a crash or a full disk: {}); its {} events before it are "
          + "delivered", where, f.getFileName(), c.problem(), c.events());
    } else {
      context.metrics().count("corrupt_chunks", 1);
      Path corrupt = dir.resolve("corrupt").resolve(f.getFileName());
      String kept;
      if (Files.getFileStore(dir).getUsableSpace() > 2 * Files.size(f)) {
        Files.createDirectories(corrupt.getParent());
        Files.copy(f, corrupt, StandardCopyOption.REPLACE_EXISTING);
        kept = "a copy is in " + corrupt;
      } else {
        kept = "the disk is too full to keep a copy";
      }
      LOG.error("{}: chunk {} is damaged ({}); {}; its {} valid events are delivered", where, f.getFileName(),
          c.problem(), kept, c.events());
    }
    if (c.events() == 0) {
      Files.deleteIfExists(f);
      return false;
    }
    try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(c.validEnd()); // in place: cutting needs no room on a full disk
      ch.force(true);
    }
    return true;
  }

  @Override
  public void connect(Emitter downstream) {
    next = downstream;
    startFlusher();
  }

  @Override
  public void accept(Batch batch, Emitter downstream) throws Exception {
    if (batch.isEmpty()) {
      batch.ack().done();
      return;
    }
    while (true) {
      List<Ack> toComplete = new ArrayList<>();
      lock.lock();
      try {
        if (makeRoom(batch, toComplete)) {
          append(batch, toComplete);
        }
        diskFullSinceNanos = 0;
        return;
      } catch (IOException e) {
        if (!ChunkFile.diskFull(e)) {
          throw e;
        }
        diskFull(e);
      } finally {
        lock.unlock();
        toComplete.forEach(Ack::done);
      }
      // a full disk is a full buffer: the input waits (nothing is read, nothing lost) until there is room
      if (!context.sleep(Duration.ofSeconds(1))) {
        throw new IllegalStateException("stopping while the disk of the buffer is full");
      }
    }
  }

  private long diskFullSinceNanos;
  private long diskFullLogNanos;

  private void diskFull(IOException e) {
    long now = System.nanoTime();
    context.metrics().count("disk_full_waits", 1);
    if (diskFullSinceNanos == 0 || now - diskFullLogNanos > TimeUnit.MINUTES.toNanos(1)) {
      LOG.error("{}, {}: disk full: cannot write the buffer ({}); the input waits until there is room", context.taskName(),
          context.stepName(), e.getMessage());
      diskFullLogNanos = now;
    }
    if (diskFullSinceNanos == 0) {
      diskFullSinceNanos = now;
    }
  }

  private void append(Batch batch, List<Ack> toComplete) throws IOException {
    {
      Chunk c = open.get(batch.tag());
      boolean spill = s.type() == BufferSettings.Type.MEMORY && dir != null
          && memoryBytes + batch.length() > s.totalLimit();
      if (c == null || (spill && !c.onDisk)) {
        if (c != null) {
          sealLocked(c);
        }
        c = newChunk(batch.tag(), spill);
        open.put(batch.tag(), c);
      }
      c.append(batch);
      if (c.onDisk) {
        diskBytes += batch.length();
      } else {
        memoryBytes += batch.length();
      }
      if (c.holdsAcks) {
        c.acks.add(batch.ack());
      } else {
        switch (s.fsync()) {
          case ALWAYS -> {
            if (c.sync()) {
              context.metrics().count("fsyncs", 1);
            }
            toComplete.add(batch.ack());
          }
          case NEVER -> toComplete.add(batch.ack());
          case INTERVAL -> c.unsynced.add(batch.ack());
          default -> throw new IllegalStateException();
        }
      }
      if ((s.chunkLines() > 0 && c.events >= s.chunkLines()) || c.bytes >= s.chunkBytes()) {
        sealLocked(c);
      }
    }
  }

  /**
   * Waits, drops or spills until {@code b} fits. Returns false when {@code b} itself was dropped.
   * Acks of dropped data are collected in {@code toComplete}: it is gone, and counted.
   */
  private boolean makeRoom(Batch b, List<Ack> toComplete) throws InterruptedException, IOException {
    while (full(b)) {
      switch (s.overflow()) {
        case DROP_NEWEST -> {
          dropped(b.count(), "newest");
          toComplete.add(b.ack());
          return false;
        }
        case DROP_OLDEST -> {
          Chunk victim = null;
          if (sealed.size() > 1) { // the head may be in delivery: drop the one after it
            Chunk head = sealed.pollFirst();
            victim = sealed.pollFirst();
            sealed.addFirst(head);
          }
          if (victim == null) {
            victim = oldestOpen();
          }
          if (victim != null) {
            release(victim);
            victim.gone = true;
            sealedUnsynced.remove(victim);
            victim.close();
            victim.deleteFile();
            toComplete.addAll(victim.acks);
            toComplete.addAll(victim.unsynced);
            dropped(victim.events, "oldest");
            continue;
          }
          waitForRoom();
        }
        default -> {
          if (sealed.isEmpty() && !open.isEmpty()) {
            // nothing can free room but the open chunks themselves: deliver the oldest before its trigger
            sealLocked(open.values().iterator().next());
            continue;
          }
          waitForRoom();
        }
      }
    }
    return true;
  }

  private Chunk oldestOpen() {
    var it = open.values().iterator();
    if (!it.hasNext()) {
      return null;
    }
    Chunk c = it.next();
    it.remove();
    return c;
  }

  private boolean full(Batch b) {
    if (memoryBytes + diskBytes == 0) {
      return false; // a batch larger than the limit still goes through, alone
    }
    if (s.type() == BufferSettings.Type.FILE) {
      return diskBytes + b.length() > s.totalLimit();
    }
    if (memoryBytes + b.length() <= s.totalLimit()) {
      return false;
    }
    return dir == null || diskBytes + b.length() > s.spillLimit();
  }

  private void waitForRoom() throws InterruptedException {
    context.metrics().count("full_waits", 1);
    changed.await(100, TimeUnit.MILLISECONDS);
    if (context.stopping()) {
      throw new IllegalStateException("stopping while waiting for room in the buffer");
    }
  }

  private void dropped(long events, String which) {
    context.metrics().dropped(events);
    droppedSinceLog += events;
    long now = System.nanoTime();
    if (now - lastDropLogNanos > TimeUnit.SECONDS.toNanos(5)) {
      LOG.warn("{}, {}: buffer full; dropped {} of the {} events so far (overflow: {}; see the dropped counter)",
          context.taskName(), context.stepName(), droppedSinceLog, which,
          s.overflow().name().toLowerCase(java.util.Locale.ROOT));
      lastDropLogNanos = now;
      droppedSinceLog = 0;
    }
  }

  private Chunk newChunk(String tag, boolean spill) throws IOException {
    long now = System.nanoTime();
    if (s.type() == BufferSettings.Type.FILE) {
      return Chunk.onDisk(tag, now, dir.resolve(String.format("%012d.chunk", ++seq)), false);
    }
    if (spill) {
      context.metrics().count("spilled_chunks", 1);
      return Chunk.onDisk(tag, now, dir.resolve(String.format("%012d.chunk", ++seq)), true);
    }
    return Chunk.inMemory(tag, now);
  }

  /** Stops appending to {@code c} and queues it for delivery; one with unsynced acks is synced by the timer. */
  private void sealLocked(Chunk c) throws IOException {
    open.remove(c.tag, c);
    sealed.add(c);
    changed.signalAll();
    if (c.unsynced.isEmpty() && !c.syncing) {
      c.close(); // queued first: a failing close must not lose the chunk
    } else {
      sealedUnsynced.add(c); // the timer syncs and closes it (after the sync it may be doing now)
    }
  }

  private void release(Chunk c) {
    if (c.onDisk) {
      diskBytes -= c.bytes;
    } else {
      memoryBytes -= c.bytes;
    }
  }

  private void startFlusher() {
    String id = StepFiles.id(context);
    flusher = new Thread(this::flushLoop, "swak-flusher-" + id);
    flusher.setDaemon(true);
    flusher.start();
    timer = new Thread(this::timerLoop, "swak-buffer-timer-" + id);
    timer.setDaemon(true);
    timer.start();
  }

  /**
   * Seals chunks on their flush interval and syncs file chunks — sealed ones at once, open ones on the fsync
   * interval — even while delivery waits. The syncs run outside the lock: appending never waits for the disk.
   */
  private void timerLoop() {
    while (true) {
      List<SyncJob> jobs = new ArrayList<>();
      lock.lock();
      try {
        if (closing) {
          timerDone = true;
          changed.signalAll();
          return;
        }
        long wait = housekeeping(jobs);
        if (jobs.isEmpty()) {
          changed.await(wait, TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        markDone(false);
        return;
      } catch (IOException e) {
        LOG.error("{}, {}: cannot seal a chunk: {}", context.taskName(), context.stepName(), e.getMessage());
      } finally {
        lock.unlock();
      }
      if (!sync(jobs)) {
        context.sleep(Duration.ofSeconds(1));
      }
    }
  }

  /** A sync to run outside the lock: the acks it completes, taken from the chunk. */
  record SyncJob(Chunk chunk, List<Ack> acks, boolean sealed) { }

  /**
   * Takes the acks of the chunks to sync now: sealed ones, and open ones when {@code openToo}; the chunks are
   * marked as being synced until {@link #sync} has run. Takes the lock (the timer already holds it).
   */
  void takeSyncs(boolean openToo, List<SyncJob> jobs) {
    lock.lock();
    try {
      takeSyncsLocked(openToo, jobs);
    } finally {
      lock.unlock();
    }
  }

  private void takeSyncsLocked(boolean openToo, List<SyncJob> jobs) {
    for (Chunk c : List.copyOf(sealedUnsynced)) {
      if (!c.syncing) { // else taken again once that sync is over
        sealedUnsynced.remove(c);
        jobs.add(new SyncJob(c, takeUnsynced(c), true));
      }
    }
    if (openToo) {
      for (Chunk c : open.values()) {
        if (!c.unsynced.isEmpty() && !c.syncing) {
          jobs.add(new SyncJob(c, takeUnsynced(c), false));
        }
      }
    }
    jobs.forEach(j -> j.chunk().syncing = true);
  }

  private static List<Ack> takeUnsynced(Chunk c) {
    List<Ack> acks = List.copyOf(c.unsynced);
    c.unsynced.clear();
    return acks;
  }

  /**
   * Syncs and completes the acks; a sealed chunk's file is closed after. Returns false when a sync failed:
   * its acks are given back to be tried again (the data is not durable yet). Lock not held.
   */
  boolean sync(List<SyncJob> jobs) {
    boolean ok = true;
    for (SyncJob j : jobs) {
      try {
        if (j.chunk().sync()) {
          context.metrics().count("fsyncs", 1);
        }
        if (j.sealed()) {
          j.chunk().close();
        }
      } catch (IOException | RuntimeException e) {
        if (giveBack(j, e)) {
          ok = false;
          continue;
        }
      }
      synced(j.chunk());
      for (Ack a : j.acks()) {
        try {
          a.done();
        } catch (RuntimeException e) { // an input's bug must not stop the syncs of every other chunk
          LOG.error("{}, {}: completing an acknowledgement failed", context.taskName(), context.stepName(), e);
        }
      }
    }
    return ok;
  }

  private void synced(Chunk c) {
    lock.lock();
    try {
      c.syncing = false;
      if (sealedUnsynced.contains(c)) {
        changed.signalAll(); // sealed while it was being synced: the timer takes it again
      }
    } finally {
      lock.unlock();
    }
  }

  /** After a failed sync: false when the chunk is gone meanwhile (delivered or dropped, its file closed). */
  private boolean giveBack(SyncJob j, Exception e) {
    lock.lock();
    try {
      Chunk c = j.chunk();
      c.syncing = false;
      if (c.gone) {
        return false;
      }
      LOG.error("{}, {}: cannot sync the buffer: {}", context.taskName(), context.stepName(), e.getMessage());
      c.unsynced.addAll(0, j.acks());
      if (open.get(c.tag) != c && !sealedUnsynced.contains(c)) { // sealed, maybe while it was being synced
        sealedUnsynced.add(c);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void flushLoop() {
    int failures = 0;
    while (true) {
      Chunk c;
      lock.lock();
      try {
        while (sealed.isEmpty()) {
          if (closing) {
            flusherDone = true;
            changed.signalAll();
            return;
          }
          changed.await(500, TimeUnit.MILLISECONDS);
        }
        c = sealed.peekFirst();
      } catch (InterruptedException e) {
        flusherDone = true;
        return;
      } finally {
        lock.unlock();
      }
      try {
        deliver(c);
        failures = 0;
      } catch (Exception e) {
        if (context.stopping() || abandoned) {
          markDone(true); // what is left stays on disk, or unacknowledged for the input to send again
          return;
        }
        failures = backoff(++failures, e);
      }
    }
  }

  /** A thread that ends says so (under the lock), for close(). */
  private void markDone(boolean flusherThread) {
    lock.lock();
    try {
      if (flusherThread) {
        flusherDone = true;
      } else {
        timerDone = true;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private int backoff(int failures, Exception e) {
    LOG.error("{}, {}: delivering a chunk failed: {}; trying again", context.taskName(), context.stepName(),
        e.getMessage());
    context.sleep(Duration.ofMillis(Math.min(30_000, 500L << Math.min(failures, 6))));
    return failures;
  }

  private void deliver(Chunk c) throws Exception {
    List<Ack> upstream = c.holdsAcks ? List.copyOf(c.acks) : List.of();
    Ack delivered = () -> {
      c.deleteFile();
      lock.lock();
      try {
        c.gone = true;
        release(c);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      upstream.forEach(Ack::done);
    };
    Batch batch = c.toBatch(new OnceAck(delivered));
    next.emit(batch);
    lock.lock();
    try {
      sealed.remove(c);
      context.metrics().count("chunks_flushed", 1);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Seals chunks that are old enough and picks the file chunks to sync ({@code jobs}); returns how long
   * to wait (ns) before the next look. Called with the lock held.
   */
  private long housekeeping(List<SyncJob> jobs) throws IOException {
    long now = System.nanoTime();
    long wait = TimeUnit.MILLISECONDS.toNanos(500);
    long interval = s.flushInterval().toNanos();
    for (Chunk c : List.copyOf(open.values())) {
      if (interval > 0) {
        long due = c.createdNanos + interval - now;
        if (due <= 0) {
          sealLocked(c);
        } else {
          wait = Math.min(wait, due);
        }
      }
    }
    boolean openDue = false;
    if (s.fsync() == BufferSettings.Fsync.INTERVAL) {
      long due = lastSyncNanos + s.fsyncInterval().toNanos() - now;
      if (due <= 0) {
        openDue = true;
        lastSyncNanos = now;
        due = s.fsyncInterval().toNanos();
      }
      wait = Math.min(wait, due);
    }
    takeSyncs(openDue, jobs);
    return Math.max(wait, 1_000_000);
  }

  /** Flushes everything it can: seals open chunks, waits for the flusher to deliver them, syncs what is left. */
  @Override
  public void close() throws Exception {
    List<SyncJob> last = new ArrayList<>();
    lock.lock();
    try {
      for (Chunk c : List.copyOf(open.values())) {
        sealLocked(c);
      }
      closing = true;
      changed.signalAll();
      if (flusher != null) {
        long giveUp = System.nanoTime() + closeWait.toNanos();
        while (!flusherDone) {
          if (System.nanoTime() - giveUp > 0 && !abandoned) {
            // a stop cuts retries short by itself; a task restart does not: do not wait forever on an output
            abandoned = true;
            flusher.interrupt();
          }
          changed.await(100, TimeUnit.MILLISECONDS);
        }
      }
      while (timer != null && timer.isAlive() && !timerDone) { // it may be in a sync
        changed.await(100, TimeUnit.MILLISECONDS);
      }
      sealedUnsynced.forEach(c -> c.syncing = false); // nobody syncs any more (a timer that died included)
      takeSyncs(true, last);
      if (!sealed.isEmpty()) {
        long events = sealed.stream().mapToLong(c -> c.events).sum();
        LOG.warn("{}, {}: stopping with {} events undelivered ({})", context.taskName(), context.stepName(),
            events, s.type() == BufferSettings.Type.FILE ? "kept on disk for the next start"
                : "not acknowledged, so the input sends them again at the next start");
      }
    } finally {
      lock.unlock();
    }
    if (!sync(last)) {
      for (SyncJob j : last) { // not synced: acks stay undone (the input sends again), files are closed
        try {
          j.chunk().close();
        } catch (IOException e) {
          LOG.warn("{}, {}: cannot close {}: {}", context.taskName(), context.stepName(), j.chunk().file,
              e.getMessage());
        }
      }
    }
  }

  private static long seqOf(Path f) {
    String n = f.getFileName().toString();
    try {
      return Long.parseLong(n.substring(0, n.indexOf('.')));
    } catch (NumberFormatException e) {
      return 0;
    }
  }


  /** Runs its action once, however often it is called. */
  private static final class OnceAck implements Ack {
    private final Ack action;
    private boolean done;

    OnceAck(Ack action) {
      this.action = action;
    }

    @Override
    public synchronized void done() {
      if (!done) {
        done = true;
        action.done();
      }
    }
  }
}
