package io.swak.support;

import java.util.regex.Pattern;

/**
 * The start patterns of common multi-line events, for {@code multiline: {preset: …}}: each matches a line that
 * begins a new event — any line that is not a known continuation of a stack trace — so an exception is joined to
 * the log line that reported it.
 */
public enum MultilinePreset {

  /**
   * Java: continuations are indented frames ({@code \tat …}, {@code \t... 3 more}), {@code Caused by:},
   * {@code Suppressed:}, {@code ... N common frames omitted} and the exception's own line
   * ({@code java.lang.IllegalStateException: …}, {@code com.x.MyError}).
   */
  JAVA("^(?![\\t ]|$|Caused by:|Suppressed:|\\.\\.\\. \\d+ (?:more|common frames omitted)"
      + "|(?:[a-zA-Z_$][\\w$]*\\.)+[\\w$]*(?:Exception|Error|Throwable)\\b(?::|$))"),

  /**
   * Python: continuations are {@code Traceback (most recent call last):}, indented lines, blank lines, the
   * chaining sentences between tracebacks and the final {@code ValueError: …} line.
   */
  PYTHON("^(?![\\t ]|$|Traceback \\(most recent call last\\):|During handling of the above exception"
      + "|The above exception was the direct cause|(?:[A-Za-z_]\\w*\\.)*[A-Za-z_]\\w*(?:Error|Exception|Warning"
      + "|Exit|Interrupt|Iteration)\\b(?::|$))"),

  /**
   * Go: a {@code panic:} starts an event; continuations are blank lines, {@code goroutine N [state]:},
   * tab-indented file lines, function lines ({@code main.main()}, {@code created by …}), {@code [signal …}
   * and {@code exit status N}.
   */
  GO("^(?![\\t ]|$|goroutine \\d+ \\[|created by |\\[signal |exit status \\d+$|[\\w.\\-/*()\\[\\]]+\\(.*\\)$)");

  private final Pattern start;

  MultilinePreset(String start) {
    this.start = Pattern.compile(start);
  }

  /** The regex of a line that starts an event. */
  public Pattern start() {
    return start;
  }
}
