package io.swak.support;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The send timeout of a blocking socket (out.Fluentd, out.Tcp), whose writes have no timeout of their own: a write
 * marks when it started, and a check on the watchdog thread gives up on one older than the timeout (the owner closes
 * the socket, which ends the write). A timer scheduled and cancelled per write woke that thread several times a
 * batch and cost ~5% of the CPU at 2 M lines/s; the check runs every quarter of the timeout instead, so a stuck
 * write fails between 1 and 1.25 times the timeout after it started.
 */
public final class SendGuard {

  /** Socket work that may block. */
  public interface Io {
    void run() throws IOException;
  }

  private final ScheduledExecutorService watchdog;
  private final Consumer<String> onTimeout;
  private final Runnable onCheck;
  private volatile long busySince;
  private volatile long limitNanos;
  private volatile boolean timedOut;
  private ScheduledFuture<?> check;

  /**
   * @param onTimeout closes the socket, with the reason: called on the watchdog thread
   * @param onCheck also run at each check (null: nothing), e.g. to look for overdue acknowledgements
   */
  public SendGuard(ScheduledExecutorService watchdog, Consumer<String> onTimeout, Runnable onCheck) {
    this.watchdog = watchdog;
    this.onTimeout = onTimeout;
    this.onCheck = onCheck;
  }

  /** Runs {@code io} under {@code timeout}: past it the socket is closed and this fails with a timeout. */
  public void run(Duration timeout, Io io) throws IOException {
    long limit = timeout.toNanos();
    if (check == null || limit != limitNanos) {
      if (check != null) {
        check.cancel(false);
      }
      limitNanos = limit;
      long every = Math.max(5, timeout.toMillis() / 4);
      check = watchdog.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }
    busySince = System.nanoTime() | 1; // never 0 while busy
    try {
      io.run();
    } catch (IOException e) {
      throw timedOut ? timeout(timeout) : e;
    } finally {
      busySince = 0;
    }
  }

  /** Stops the checks (the socket is closed). */
  public void cancel() {
    if (check != null) {
      check.cancel(false);
    }
  }

  private void check() {
    long since = busySince;
    if (since != 0 && System.nanoTime() - since > limitNanos) {
      timedOut = true;
      onTimeout.accept(timeout(Duration.ofNanos(limitNanos)).getMessage());
    }
    if (onCheck != null) {
      onCheck.run();
    }
  }

  private static SocketTimeoutException timeout(Duration timeout) {
    return new SocketTimeoutException("the server did not take the data within send_timeout (" + timeout.toMillis()
        + " ms)");
  }
}
