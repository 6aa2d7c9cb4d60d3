package io.swak.parsers;

/**
 * What became of one line. Bad input is a value, never an exception: the reasons are static text, so a
 * result costs no allocation and a caller can count them by identity.
 *
 * @param kind what happened
 * @param reason a short fixed text for a log message or a counter label; empty for a clean OK
 */
public record ParseResult(Kind kind, String reason) {

  public enum Kind {
    /** every field was reported */
    OK,
    /** the line is not in this format (a regex that did not match, a line that is not a JSON object) */
    NO_MATCH,
    /** the line starts as this format but breaks it (a JSON line cut in half, an unclosed quote) */
    MALFORMED
  }

  public static final ParseResult OK = new ParseResult(Kind.OK, "");
  /**
   * Every field was reported, but the time field did not parse: it was reported as a string field (even
   * without time_keep) and {@link FieldSink#time} was not called, so the event keeps the time it had.
   */
  public static final ParseResult OK_TIME_UNPARSED = new ParseResult(Kind.OK, "time did not parse");

  /** For the static constants of a parser; a reason is fixed text, never built from the input. */
  public static ParseResult noMatch(String reason) {
    return new ParseResult(Kind.NO_MATCH, reason);
  }

  public static ParseResult malformed(String reason) {
    return new ParseResult(Kind.MALFORMED, reason);
  }

  /** The fields were all reported (the time may still have failed: see {@link #OK_TIME_UNPARSED}). */
  public boolean ok() {
    return kind == Kind.OK;
  }

  @Override
  public String toString() {
    return reason.isEmpty() ? kind.name() : kind + ": " + reason;
  }
}
