package io.swak.support.condition;

import java.util.List;
import java.util.Objects;

/**
 * A test on an event — its tag, time and record — as a step's {@code when:} or {@code match:} writes it, or a route
 * branch's. Compiled once when the configuration loads: {@link #expression} throws IllegalArgumentException with the
 * expression library's own message (and where in the text), {@link #match} with what is wrong with a pattern.
 *
 * <p>Evaluation never throws: a field that is missing, a path into a value that is not a map or a comparison of
 * values of the wrong types makes the condition false and is reported as {@link #ERROR}, for the caller to count.
 * Thread-safe: a condition may be evaluated from several threads (a buffer's flusher runs the steps after it).
 *
 * <p>Only {@link #expression} uses the expression library (Commons JEXL); a configuration without expressions never
 * loads its classes.
 */
public abstract class Condition {

  /** The event matches. */
  public static final int TRUE = 1;
  /** The event does not match. */
  public static final int FALSE = 0;
  /** The condition could not be evaluated on this event (missing field, wrong type): treated as false. */
  public static final int ERROR = -1;

  /** The condition as written, for messages and to compare configurations. */
  public abstract String text();

  /**
   * The answer for every event of a batch with this tag when the condition reads the tag only (a {@link #match},
   * an expression on {@code tag}): {@link #TRUE}, {@link #FALSE} or {@link #ERROR}; else null, and each event is
   * tested with {@link #test}.
   */
  public abstract Integer byTag(String tag);

  /**
   * Tests one event: the record is the msgpack map at {@code d[recordStart, recordEnd)}, read only as far as the
   * condition needs. {@link #TRUE}, {@link #FALSE} or {@link #ERROR} (see {@link #lastError}).
   */
  public abstract int test(String tag, long timeNanos, byte[] d, int recordStart, int recordEnd);

  /** Why the last evaluation that returned {@link #ERROR} failed, in words; null when none failed. */
  public abstract String lastError();

  /**
   * An expression on {@code record}, {@code tag} and {@code time} in the syntax of Commons JEXL, e.g.
   * {@code record.status >= 500 && tag.startsWith("web.")}.
   *
   * @throws IllegalArgumentException with the library's message when it is not a valid expression
   */
  public static Condition expression(String text) {
    return new ExpressionCondition(text);
  }

  /**
   * Tag patterns as Fluentd and Fluent Bit match tags: {@code *} is one part of the tag (between dots), {@code **}
   * any number of parts including none; an event matches when any pattern matches its tag.
   */
  public static Condition match(List<String> patterns) {
    return new TagMatch(patterns);
  }

  /** Both conditions ({@code when:} and {@code match:} on one step); either may be null. */
  public static Condition both(Condition a, Condition b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return new Both(a, b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Condition c && c.getClass() == getClass() && c.text().equals(text());
  }

  @Override
  public int hashCode() {
    return text().hashCode();
  }

  @Override
  public String toString() {
    return text();
  }

  /** {@code match:} and {@code when:} together: the tag is tested first, so most batches never reach the record. */
  private static final class Both extends Condition {
    private final Condition a;
    private final Condition b;

    Both(Condition a, Condition b) {
      this.a = Objects.requireNonNull(a);
      this.b = Objects.requireNonNull(b);
    }

    @Override
    public String text() {
      return a.text() + " and " + b.text();
    }

    @Override
    public Integer byTag(String tag) {
      Integer x = a.byTag(tag);
      Integer y = b.byTag(tag);
      if (x != null && x != TRUE) {
        return x;
      }
      if (y != null && y != TRUE) {
        return y;
      }
      return x != null && y != null ? TRUE : null;
    }

    @Override
    public int test(String tag, long timeNanos, byte[] d, int recordStart, int recordEnd) {
      int x = a.test(tag, timeNanos, d, recordStart, recordEnd);
      return x != TRUE ? x : b.test(tag, timeNanos, d, recordStart, recordEnd);
    }

    @Override
    public String lastError() {
      return b.lastError() != null ? b.lastError() : a.lastError();
    }
  }
}
