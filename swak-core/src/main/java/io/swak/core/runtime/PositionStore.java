package io.swak.core.runtime;

import io.swak.api.Positions;
import io.swak.support.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's store of one input's positions: a journal, {@code positions.log}, of lines
 * {@code <crc32c> +<key>\t<value>} (a value set) and {@code <crc32c> -<key>} (a key forgotten), replayed
 * at start, last line per key winning. A saver thread appends what changed about once a second — one
 * append and one fdatasync for all changed keys, whatever their number (one file per key cost a write,
 * a sync and a rename each: 500 files that each changed every second meant 500 of each per second) —
 * and rewrites the journal as a snapshot (temp file, sync, rename, directory sync) when it has grown to
 * several times what is live. A crash leaves a valid prefix: a torn last line fails its checksum and is
 * cut off at the next start.
 *
 * <p>One running input per store, held by a lock on {@code .lock}.
 */
public final class PositionStore implements Positions, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("swak.positions");
  public static final String JOURNAL = "positions.log";
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]{1,200}");
  /**
   * The journal format this release reads. Format 1 has no header; a later one starts the journal with the
   * checksummed line {@code =format N}, which this release recognises and refuses instead of taking the journal for
   * damage (it would have cut it off and read every source again from where it starts).
   */
  static final int FORMAT = 1;
  private static final String FORMAT_LINE = "=format ";
  /** How often a changed position is saved. */
  static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** The pace of the saver while a position asked to be saved soon. */
  private static final long SOON_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long MIN_COMPACT_BYTES = 256 << 10;

  private final Path dir;
  private final Path journal;
  private volatile Map<String, String> saved;
  private final Map<String, String> live = new HashMap<>();
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
  private final Set<Tracked> active = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<String> forgotten = new ConcurrentLinkedQueue<>();
  private final Object wake = new Object();
  private final FileChannel lockChannel;
  private final FileLock lock;
  private FileChannel out;
  private long journalBytes;
  private long liveBytes;
  private boolean firstStart;
  private volatile boolean soon;
  /** Nanoseconds of the saver's pace; a test steps it. */
  LongSupplier clock = System::nanoTime;
  /** Lines appended to the journal since its last sync. */
  private boolean unsynced;
  private volatile boolean closing;
  private Thread saver;
  private volatile IOException lastError;

  private PositionStore(Path dir, FileChannel lockChannel, FileLock lock) throws IOException {
    this.dir = dir;
    this.journal = dir.resolve(JOURNAL);
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.firstStart = !Files.exists(journal);
    this.saved = Collections.unmodifiableMap(replay());
    live.putAll(saved);
    for (Map.Entry<String, String> e : live.entrySet()) {
      liveBytes += line(true, e.getKey(), e.getValue()).length;
    }
  }

  /**
   * Takes {@code dir} (created if needed; {@code source} is written beside for people) and reads what is
   * saved there; fails when another running input holds it.
   */
  public static PositionStore open(Path dir, String source) throws IOException {
    Files.createDirectories(dir);
    FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      ch.close();
      throw new IOException("the positions in " + dir + " are used by another running input (another task or "
          + "agent reads the same source): give one of them its own position directory");
    }
    try {
      PositionStore s = new PositionStore(dir, ch, l);
      if (source != null) {
        Path about = dir.resolve("SOURCE");
        if (!Files.exists(about)) {
          Files.writeString(about, source + "\n", StandardCharsets.UTF_8);
        }
      }
      return s;
    } catch (IOException | RuntimeException e) {
      l.release();
      ch.close();
      throw e;
    }
  }

  /**
   * What is saved in {@code dir} now, read without taking the store (a running input may hold it): for
   * tests and tools. Empty when nothing is saved.
   */
  public static Map<String, String> read(Path dir) throws IOException {
    Path j = dir.resolve(JOURNAL);
    Map<String, String> m = new LinkedHashMap<>();
    if (!Files.exists(j)) {
      return m;
    }
    scan(Files.readAllBytes(j), m);
    return m;
  }

  /** Applies the lines of {@code b} to {@code m} up to the first that fails its checksum; returns where that is. */
  private static int scan(byte[] b, Map<String, String> m) {
    int p = 0;
    while (p < b.length) {
      int nl = indexOf(b, (byte) '\n', p);
      if (nl < 0 || !apply(b, p, nl, m)) {
        break;
      }
      p = nl + 1;
    }
    return p;
  }

  /** Reads the journal; a line that fails its checksum ends what is valid, and the rest is cut off. */
  private Map<String, String> replay() throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    Files.deleteIfExists(dir.resolve(JOURNAL + ".tmp")); // a snapshot cut short: the journal is intact
    if (!Files.exists(journal)) {
      return m;
    }
    byte[] b = Files.readAllBytes(journal);
    int format = format(b);
    if (format > FORMAT) {
      throw new IOException(journal + " was written by a newer swak (positions format " + format + ", this release "
          + "reads format " + FORMAT + "): nothing was read or changed. Run the release that wrote it (swak upgrade, or "
          + "swak rollback to undo a rollback), or give this input another pos_dir");
    }
    int p = scan(b, m);
    journalBytes = p;
    if (p < b.length) {
      int nl = indexOf(b, (byte) '\n', p);
      if (nl < 0 || nl == b.length - 1) {
        LOG.info("{}: the last save was cut short by a crash; using the {} positions saved before it", journal,
            m.size());
      } else {
        LOG.warn("{}: damaged at byte {} ({} bytes dropped); the positions before it are used, and what the rest "
            + "pointed to is read again", journal, p, b.length - p);
      }
      try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE)) {
        ch.truncate(p);
        ch.force(true);
      }
    }
    return m;
  }

  /** The format its first line names when it is a checksummed {@code =format N}; else 1 (no header). */
  private static int format(byte[] b) {
    int nl = indexOf(b, (byte) '\n', 0);
    if (nl < 0 || !checksummed(b, 0, nl)) {
      return FORMAT;
    }
    String body = new String(b, 9, nl - 9, StandardCharsets.UTF_8);
    if (!body.startsWith(FORMAT_LINE)) {
      return FORMAT;
    }
    try {
      return Integer.parseInt(body.substring(FORMAT_LINE.length()).trim());
    } catch (NumberFormatException e) {
      return FORMAT;
    }
  }

  private static boolean checksummed(byte[] b, int from, int nl) {
    if (nl - from < 10 || b[from + 8] != ' ') {
      return false;
    }
    long crc;
    try {
      crc = Long.parseLong(new String(b, from, 8, StandardCharsets.US_ASCII), 16);
    } catch (NumberFormatException e) {
      return false;
    }
    CRC32C c = new CRC32C();
    c.update(b, from + 9, nl - from - 9);
    return c.getValue() == crc;
  }

  private static boolean apply(byte[] b, int from, int nl, Map<String, String> m) {
    if (!checksummed(b, from, nl)) {
      return false;
    }
    String body = new String(b, from + 9, nl - from - 9, StandardCharsets.UTF_8);
    if (body.startsWith(FORMAT_LINE)) {
      return true; // the header of a format this release reads
    }
    if (body.charAt(0) == '-') {
      m.remove(body.substring(1));
      return true;
    }
    int tab = body.indexOf('\t');
    if (body.charAt(0) != '+' || tab < 0) {
      return false;
    }
    m.put(body.substring(1, tab), unescape(body.substring(tab + 1)));
    return true;
  }

  private static int indexOf(byte[] b, byte x, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  static byte[] line(boolean put, String key, String value) {
    String body = put ? "+" + key + "\t" + escape(value) : "-" + key;
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    CRC32C c = new CRC32C();
    c.update(bytes);
    byte[] head = String.format("%08x ", c.getValue()).getBytes(StandardCharsets.US_ASCII);
    byte[] l = new byte[head.length + bytes.length + 1];
    System.arraycopy(head, 0, l, 0, head.length);
    System.arraycopy(bytes, 0, l, head.length, bytes.length);
    l[l.length - 1] = '\n';
    return l;
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static String unescape(String v) {
    if (v.indexOf('\\') < 0) {
      return v;
    }
    StringBuilder b = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch == '\\' && i + 1 < v.length()) {
        char n = v.charAt(++i);
        b.append(n == 'n' ? '\n' : n);
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }

  @Override
  public boolean firstStart() {
    return firstStart;
  }

  @Override
  public Map<String, String> saved() {
    return saved;
  }

  @Override
  public Path directory() {
    return dir;
  }

  @Override
  public Position track(String key, Supplier<String> value) {
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("position key '" + key + "': use letters, digits, . _ - (1 to 200)");
    }
    Tracked t = new Tracked(key, value);
    Tracked old = tracked.put(key, t);
    if (old != null) {
      old.gone = true;
      active.remove(old);
    }
    t.changed();
    return t;
  }

  @Override
  public void forget(String key) {
    Tracked t = tracked.get(key);
    if (t != null) {
      t.forget();
    } else {
      forgotten.add(key);
    }
  }

  @Override
  public int migrate(Path legacy) throws IOException {
    if (!firstStart || legacy == null || !Files.isDirectory(legacy)) {
      return 0;
    }
    boolean inPlace = Files.isSameFile(legacy, dir);
    boolean started = Files.exists(legacy.resolve("started"));
    Map<String, String> taken = new LinkedHashMap<>();
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(legacy, "*.pos")) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        String key = name.substring(0, name.length() - 4);
        if (KEY.matcher(key).matches()) {
          taken.put(key, Files.readString(p, StandardCharsets.UTF_8));
          files.add(p);
        }
      }
    }
    if (taken.isEmpty() && !started) {
      return 0;
    }
    synchronized (this) {
      for (Map.Entry<String, String> e : taken.entrySet()) {
        append(line(true, e.getKey(), e.getValue()));
        live.put(e.getKey(), e.getValue());
      }
      sync();
      firstStart = false;
    }
    Map<String, String> all = new LinkedHashMap<>(saved);
    all.putAll(taken);
    saved = Collections.unmodifiableMap(all);
    if (inPlace) {
      for (Path p : files) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(legacy.resolve("started"));
      LOG.info("{}: {} positions of the earlier layout (one file each) are now kept in {}", dir, taken.size(), JOURNAL);
    } else {
      Path moved = legacy.resolveSibling(legacy.getFileName() + ".migrated");
      Files.move(legacy, moved, StandardCopyOption.REPLACE_EXISTING);
      LOG.info("took over {} positions from {} (kept as {}); they are now in {}", taken.size(), legacy, moved, dir);
    }
    return taken.size();
  }

  /** Starts saving in the background. */
  public void start() {
    saver = new Thread(this::saveLoop, "swak-positions-" + dir.getFileName());
    saver.setDaemon(true);
    saver.start();
  }

  private void saveLoop() {
    while (!closing) {
      synchronized (wake) {
        try {
          wake.wait(Math.max(1, (soon ? SOON_NANOS : INTERVAL_NANOS) / 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      }
      if (!closing) {
        saveRound(false);
      }
    }
  }

  /**
   * Appends every position whose value changed (each at most once an interval, unless {@code all}) and
   * syncs once. Returns how many changed positions are left unsaved.
   */
  synchronized int saveRound(boolean all) {
    soon = false;
    long now = clock.getAsLong();
    List<Tracked> done = new ArrayList<>();
    List<long[]> versions = new ArrayList<>();
    int left = 0;
    try {
      String gone;
      while ((gone = forgotten.poll()) != null) {
        if (live.remove(gone) != null && !tracked.containsKey(gone)) {
          append(line(false, gone, ""));
        }
      }
      for (Tracked t : List.copyOf(active)) {
        long version = t.version;
        if (t.gone) {
          active.remove(t);
          continue;
        }
        if (!all && t.savedValue != null && now - t.savedAtNanos < INTERVAL_NANOS && !t.busy(now)) {
          left++;
          continue;
        }
        String v = t.value.get();
        if (v != null && !v.equals(live.get(t.key))) {
          append(line(true, t.key, v));
          live.put(t.key, v);
        }
        t.pending = v;
        done.add(t);
        versions.add(new long[] {version});
      }
      sync();
      lastError = null;
      for (int i = 0; i < done.size(); i++) {
        Tracked t = done.get(i);
        if (t.pending != null) {
          t.savedValue = t.pending;
        }
        t.savedAtNanos = now;
        if (t.busy(now)) {
          soon = true; // the saver stays at the quick pace while a key is busy
        }
        settle(t, versions.get(i)[0]);
      }
      if (firstStart && left == 0) {
        firstStart = false; // the journal exists now: the next start is not a first start
      }
      compactIfLarge();
    } catch (IOException e) {
      if (lastError == null) {
        LOG.error("cannot save positions in {}: {} — retrying; after a restart some data may be read again", dir,
            e.getMessage());
      }
      lastError = e;
      left += done.size();
    }
    return left;
  }

  /** Leaves the active set unless the value changed again meanwhile (then it stays for the next round). */
  private void settle(Tracked t, long versionSeen) {
    active.remove(t);
    t.inActiveSet = false;
    if (t.version != versionSeen && !t.gone) {
      t.activate();
    }
  }

  private void append(byte[] l) throws IOException {
    if (out == null) {
      out = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
      DurableFiles.syncDirectory(dir);
    }
    ByteBuffer b = ByteBuffer.wrap(l);
    while (b.hasRemaining()) {
      out.write(b);
    }
    journalBytes += l.length;
    unsynced = true;
  }

  private void sync() throws IOException {
    if (out == null && firstStart) {
      append(new byte[0]); // creates the journal: its existence says a start happened
    }
    if (out != null && unsynced) {
      out.force(false);
      unsynced = false;
    }
  }

  /** Rewrites the journal as one line per live position once it holds mostly old values. */
  private void compactIfLarge() throws IOException {
    long liveNow = 0;
    List<byte[]> lines = new ArrayList<>(live.size());
    if (journalBytes < MIN_COMPACT_BYTES) {
      return;
    }
    for (Map.Entry<String, String> e : live.entrySet()) {
      byte[] l = line(true, e.getKey(), e.getValue());
      lines.add(l);
      liveNow += l.length;
    }
    liveBytes = liveNow;
    if (journalBytes < 8 * liveBytes) {
      return;
    }
    Path tmp = dir.resolve(JOURNAL + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (byte[] l : lines) {
        ByteBuffer b = ByteBuffer.wrap(l);
        while (b.hasRemaining()) {
          ch.write(b);
        }
      }
      ch.force(true);
    }
    if (out != null) {
      out.close();
      out = null;
    }
    Files.move(tmp, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    DurableFiles.syncDirectory(dir);
    journalBytes = liveBytes;
  }

  /** Stops the saver and saves every changed position (for at most 5 s), then lets go of the store. */
  @Override
  public void close() {
    closing = true;
    if (saver != null) {
      synchronized (wake) {
        wake.notifyAll();
      }
      try {
        saver.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    int left = saveRound(true);
    if (left > 0) {
      LOG.warn("{} positions in {} could not be saved; their newest data will be read again", left, dir);
    }
    try {
      if (out != null) {
        out.close();
      }
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      // the lock goes with the process anyway
    }
  }

  /** One tracked key. */
  private final class Tracked implements Position {
    final String key;
    final Supplier<String> value;
    volatile long version;
    volatile boolean inActiveSet;
    volatile boolean gone;
    /** When {@link #saveSoon} was last called. */
    volatile long soonAtNanos = clock.getAsLong() - INTERVAL_NANOS;

    /**
     * Asked to be saved soon within the last interval: saved at every quick round while it changes, so the end of a
     * burst (the last acknowledgements after the last "soon") is saved within ~0.1 s, not up to a second later; a
     * file that only trickles never asks soon and keeps the one save an interval.
     */
    boolean busy(long now) {
      return now - soonAtNanos < INTERVAL_NANOS;
    }
    String savedValue;
    String pending;
    long savedAtNanos;

    Tracked(String key, Supplier<String> value) {
      this.key = key;
      this.value = value;
    }

    @Override
    public void changed() {
      version++;
      if (!inActiveSet) {
        activate();
      }
    }

    void activate() {
      inActiveSet = true;
      boolean wasIdle = active.isEmpty();
      active.add(this);
      if (wasIdle) {
        synchronized (wake) {
          wake.notifyAll(); // the saver sleeps a whole interval while nothing changes
        }
      }
    }

    @Override
    public void saveSoon() {
      soonAtNanos = clock.getAsLong();
      boolean saverAtQuickPace = PositionStore.this.soon;
      PositionStore.this.soon = true;
      changed();
      if (!saverAtQuickPace) {
        synchronized (wake) {
          wake.notifyAll(); // the saver may sleep a whole interval: "soon" must not wait for it
        }
      }
    }

    @Override
    public void saveNow() throws IOException {
      changed();
      saveRound(true);
      IOException e = lastError;
      if (e != null) {
        throw e;
      }
    }

    @Override
    public void forget() {
      gone = true;
      active.remove(this);
      if (tracked.remove(key, this)) {
        forgotten.add(key);
      }
    }
  }
}
