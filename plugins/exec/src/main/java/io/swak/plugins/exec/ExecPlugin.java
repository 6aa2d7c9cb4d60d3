package io.swak.plugins.exec;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.support.LineFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code out.Exec}: the seed's "save the stream to a temporary file, let a separate process handle it and take
 * its result back as a temporary file". Like Fluentd's out_exec it hands the program a file, and like
 * exec_filter it sends on what the program returns, so the step is a stage, not an output.
 */
public final class ExecPlugin extends Plugin<ExecPlugin.Options> {

  /** Options of out.Exec. */
  public record Options(
      @Option(value = "Command line to run for each batch, split into words with '…', \"…\" and \\ as in a shell "
          + "(no shell runs it: no pipes, globs or variables). Two arguments are appended: the file holding the "
          + "batch and the file to write the result to (one JSON object or text line per event).", required = true)
      String cmd,
      @Option(value = "How events are written to the input file: json, text, raw or record (see out.Stdout).",
          defaultValue = "json")
      LineFormat.Kind format,
      @Option(value = "Field written by format raw.", defaultValue = "message")
      String messageKey,
      @Option("Tag of the result events; default: the tag of the batch that went in.")
      String tag,
      @Option(value = "Kill the command (and the processes it started) when it runs longer than this; the batch "
          + "is then retried, like a failed run.", defaultValue = "60s")
      Duration timeout,
      @Option(value = "Largest result file read back; a bigger one fails the run like a non-zero exit (the "
          + "results are held in memory while they are sent on).", defaultValue = "32MiB")
      DataSize maxResultSize) {

    public Options {
      if (cmd != null) {
        words(cmd);
      }
      if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
        throw new IllegalArgumentException("option `timeout` must be more than 0, e.g. 60s");
      }
      if (maxResultSize != null && maxResultSize.bytes() < 1) {
        throw new IllegalArgumentException("option `max_result_size` must be more than 0");
      }
      if (tag != null && tag.isBlank()) {
        throw new IllegalArgumentException("option `tag` is empty: leave it out to keep the batch's tag");
      }
    }

    /** The program and its arguments. */
    public List<String> command() {
      return words(cmd);
    }
  }

  public ExecPlugin() {
    super("out.Exec", "Runs a command on each batch (written to a temp file) and sends on the events it writes "
        + "back.", Options.class, Exec::new);
  }

  /**
   * Splits a command line into words as a POSIX shell does for quoting, without running a shell: blanks
   * separate words; inside '…' everything is literal; inside "…" a backslash escapes only {@code "} and
   * {@code \}; elsewhere a backslash takes the next character literally.
   *
   * @throws IllegalArgumentException for an empty line, an unclosed quote or a trailing backslash
   */
  static List<String> words(String line) {
    return words(line, "cmd");
  }

  /** The same for the option named {@code option} (in error messages). */
  static List<String> words(String line, String option) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'' || c == '"') {
        int close = i + 1;
        for (; close < line.length() && line.charAt(close) != c; close++) {
          char q = line.charAt(close);
          if (c == '"' && q == '\\' && close + 1 < line.length()
              && (line.charAt(close + 1) == '"' || line.charAt(close + 1) == '\\')) {
            q = line.charAt(++close);
          }
          w.append(q);
        }
        if (close >= line.length()) {
          throw new IllegalArgumentException("option `" + option + "` has an unclosed " + c + " quote: " + line);
        }
        i = close;
        inWord = true;
      } else if (c == '\\') {
        if (++i >= line.length()) {
          throw new IllegalArgumentException("option `" + option + "` ends with a lone backslash: " + line);
        }
        w.append(line.charAt(i));
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          out.add(w.toString());
          w.setLength(0);
          inWord = false;
        }
      } else {
        w.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      out.add(w.toString());
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("option `" + option + "` is empty: give the program to run, e.g. "
          + option + ": \"/usr/bin/r /etc/detect_abuse.r\"");
    }
    return out;
  }
}
