package io.swak.plugins.exec;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.StepMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A running command whose standard output is read as lines into batches, the part in.Exec (both modes) and
 * in.Journald share. A reader thread splits stdout into lines (one longer than {@code maxLine} bytes keeps its
 * first {@code maxLine} bytes, the rest up to its line end is skipped, and it is counted as
 * {@code lines_truncated}) and hands each to the {@link Decoder}, which appends its entries to the pending
 * batch; the task thread {@link #take takes} what is pending as a batch.
 *
 * <p>Backpressure: the pending bytes plus the bytes of batches taken but not yet acknowledged stay under
 * {@code maxPending}; past that the reader stops reading, the pipe fills and the command blocks in its
 * write, so memory stays bounded however fast it writes and however slow the outputs are. A second thread
 * drains stderr, keeping its last {@code maxStderr} bytes for the run's summary and failures.
 */
final class ProcessLines implements AutoCloseable {

  /** Turns one line (no line end) into entries; called on the reader thread while the pending batch is locked. */
  interface Decoder {
    void line(byte[] b, int off, int len, BatchBuilder into);
  }

  /** How a run ended. {@code exitCode} is 128 + the signal for a process killed by a signal. */
  record Exit(int exitCode, boolean timedOut, long durationNanos, String stderr, boolean stderrCut, long lines) { }

  /** A batch is taken once this much is pending, or LINGER after its first line: batches, not a line each. */
  static final long BATCH_BYTES = 256 * 1024;
  private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /** The most a batch holds: the reader waits for the task to take it (a line may go past it). */
  static final long MAX_BATCH_BYTES = 1024 * 1024;

  private static final ScheduledExecutorService TIMEOUTS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "swak-exec-timeouts");
    t.setDaemon(true);
    return t;
  });

  private final Process process;
  private final Decoder decoder;
  private final int maxLine;
  private final long maxPending;
  private final StepMetrics metrics;
  private final long startNanos = System.nanoTime();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();
  private final Condition data = lock.newCondition();
  private final BatchBuilder pending = new BatchBuilder();
  private final StderrTail stderr;
  private final Thread reader;
  private long inFlight;
  private long lines;
  private boolean closed;
  private volatile boolean timedOut;
  private volatile Exit exit;
  private volatile IOException readFailure;

  /** Starts reading {@code process}'s stdout and stderr on two threads named after {@code name}. */
  ProcessLines(String name, Process process, Decoder decoder, int maxLine, long maxPending, int maxStderr,
      StepMetrics metrics) {
    this.process = process;
    this.decoder = decoder;
    this.maxLine = maxLine;
    this.maxPending = maxPending;
    this.metrics = metrics;
    this.stderr = new StderrTail(process.getErrorStream(), maxStderr, name + " stderr");
    this.reader = new Thread(this::read, name + " stdout");
    reader.setDaemon(true);
    reader.start();
  }

  long pid() {
    return process.pid();
  }

  /** Kills the command's process group after {@code timeout} unless it ended by then; the exit says so. */
  void timeout(Duration timeout) {
    TIMEOUTS.schedule(() -> {
      if (process.isAlive()) {
        timedOut = true;
        Processes.kill(process, Duration.ZERO);
      }
    }, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * What is pending as one batch tagged {@code tag}, waiting at most {@code maxWait} for a first line; null when
   * nothing came. {@code ack} is asked under the lock, so it sees the decoder's state at the batch's end (a
   * journal cursor); the batch's acknowledgement completes it and frees the batch's bytes for the reader.
   */
  Batch take(Duration maxWait, String tag, Supplier<Ack> ack) throws InterruptedException {
    lock.lock();
    try {
      long waitNanos = maxWait.toNanos();
      while (pending.count() == 0 && exit == null && waitNanos > 0) {
        waitNanos = data.awaitNanos(waitNanos);
      }
      if (pending.count() == 0) {
        return null;
      }
      // more lines are on their way at a high rate: gather them for a moment instead of a batch per line
      long lingerEnd = System.nanoTime() + LINGER_NANOS;
      for (long left = LINGER_NANOS; left > 0 && exit == null && !closed && pending.sizeBytes() < BATCH_BYTES
          && pending.sizeBytes() + inFlight < maxPending; left = lingerEnd - System.nanoTime()) {
        data.awaitNanos(left);
      }
      long bytes = pending.sizeBytes();
      inFlight += bytes;
      Ack upstream = ack.get();
      AtomicBoolean once = new AtomicBoolean();
      Batch b = pending.build(tag, () -> {
        if (once.compareAndSet(false, true)) {
          release(bytes);
          upstream.done();
        }
      });
      room.signalAll();
      return b;
    } finally {
      lock.unlock();
    }
  }

  private void release(long bytes) {
    lock.lock();
    try {
      inFlight -= bytes;
      room.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** True once the command exited and every line it wrote was taken. */
  boolean finished() {
    if (exit == null) {
      return false;
    }
    lock.lock();
    try {
      return pending.count() == 0;
    } finally {
      lock.unlock();
    }
  }

  /** How the command ended, null while it runs (or its output is still being read). */
  Exit exit() {
    return exit;
  }

  /** A failure reading stdout (not the command's own), null when none. */
  IOException readFailure() {
    return readFailure;
  }

  /** Bytes pending or taken and not yet acknowledged (for tests and gauges). */
  long unacknowledgedBytes() {
    lock.lock();
    try {
      return inFlight + pending.sizeBytes();
    } finally {
      lock.unlock();
    }
  }

  private byte[] line;
  private int len;

  private void read() {
    byte[] buf = new byte[64 * 1024];
    line = new byte[Math.min(maxLine, 64 * 1024)];
    boolean cutting = false; // skipping the rest of a line longer than maxLine
    try (InputStream in = process.getInputStream()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        int start = 0;
        while (start < n) {
          int end = start;
          while (end < n && buf[end] != '\n') {
            end++;
          }
          boolean complete = end < n;
          if (!cutting && !add(buf, start, end - start)) {
            truncated();
            emit();
            cutting = !complete; // the rest of this line is skipped
          } else if (!cutting && complete) {
            emit();
          }
          if (complete) {
            cutting = false;
            len = 0;
          }
          start = end + 1;
        }
      }
      if (!cutting && len > 0) {
        emit(); // the last line had no line end
      }
    } catch (IOException e) {
      if (!closed) {
        readFailure = e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      finish();
    }
  }

  /** Appends {@code n} bytes to the line; false (with maxLine bytes kept) when they do not fit. */
  private boolean add(byte[] src, int off, int n) {
    int take = Math.min(n, maxLine - len);
    if (len + take > line.length) {
      line = java.util.Arrays.copyOf(line, Math.min(maxLine, Math.max(len + take, line.length * 2)));
    }
    System.arraycopy(src, off, line, len, take);
    len += take;
    return take == n;
  }

  private void truncated() {
    metrics.count("lines_truncated", 1);
  }

  /** Hands the line read to the decoder, waiting while too much is unacknowledged; empties the line. */
  private void emit() throws InterruptedException {
    int n = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
    len = 0;
    if (n == 0) {
      return;
    }
    lock.lockInterruptibly();
    try {
      while (!closed && (pending.sizeBytes() + inFlight >= maxPending || pending.sizeBytes() >= MAX_BATCH_BYTES)) {
        room.await(); // backpressure: the command blocks once the pipe is full
      }
      if (closed) {
        return;
      }
      decoder.line(line, 0, n, pending);
      lines++;
      if (pending.count() == 1 || pending.sizeBytes() >= BATCH_BYTES) {
        data.signalAll(); // the first line of a batch, or a full one: not a wake-up per line
      }
    } finally {
      lock.unlock();
    }
  }

  private void finish() {
    int code;
    try {
      process.waitFor();
      code = process.exitValue();
      stderr.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = -1;
    }
    lock.lock();
    try {
      exit = new Exit(code, timedOut, System.nanoTime() - startNanos, stderr.text(), stderr.cut(), lines);
      data.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Kills the command's group (TERM, then KILL after {@code grace}) and stops reading. */
  void kill(Duration grace) {
    lock.lock();
    try {
      closed = true;
      room.signalAll();
    } finally {
      lock.unlock();
    }
    Processes.kill(process, grace);
  }

  /** Kills the command when it still runs (with a grace of 2 s) and waits for the reader to end. */
  @Override
  public void close() {
    kill(Duration.ofSeconds(2));
    try {
      reader.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last bytes of a stream, read on a thread of its own so the command never blocks on a full stderr. */
  static final class StderrTail {
    private final byte[] ring;
    private final Thread thread;
    private long total;

    StderrTail(InputStream in, int max, String name) {
      this.ring = new byte[Math.max(0, max)];
      this.thread = new Thread(() -> drain(in), name);
      thread.setDaemon(true);
      thread.start();
    }

    private void drain(InputStream in) {
      byte[] buf = new byte[8192];
      try (in) {
        for (int n; (n = in.read(buf)) > 0; ) {
          synchronized (this) {
            for (int i = 0; i < n && ring.length > 0; i++) {
              ring[(int) ((total + i) % ring.length)] = buf[i];
            }
            total += n;
          }
        }
      } catch (IOException e) {
        // the process is gone: what was read is kept
      }
    }

    void join() throws InterruptedException {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    }

    /** True when more was written than kept. */
    synchronized boolean cut() {
      return total > ring.length;
    }

    /** What was kept, blanks at the ends stripped. */
    synchronized String text() {
      int n = (int) Math.min(total, ring.length);
      byte[] b = new byte[n];
      long from = total - n;
      for (int i = 0; i < n; i++) {
        b[i] = ring[(int) ((from + i) % ring.length)];
      }
      String s = new String(b, java.nio.charset.StandardCharsets.UTF_8);
      return s.strip();
    }
  }
}
