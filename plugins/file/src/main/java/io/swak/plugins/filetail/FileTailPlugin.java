package io.swak.plugins.filetail;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.parsers.LineRecords;
import io.swak.parsers.ParserOptions;
import io.swak.support.Multiline;
import io.swak.support.MultilinePreset;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** {@code in.FileTail}: follows log files by identity and emits one event per line. */
public final class FileTailPlugin extends Plugin<FileTailPlugin.Options> {

  /** What to do with a line longer than {@code max_line_size}. */
  public enum LongLines { TRUNCATE, SKIP }

  /** Options of in.FileTail. */
  public record Options(
      @Option(value = "File(s) to follow: a path, a glob (`*` within a directory, `**` across directories) or a "
          + "list of them.", required = true, aliases = {"paths"})
      List<String> path,
      @Option(value = "Globs of files never to follow (a pattern without `/` matches the file name).",
          aliases = {"exclude_path"})
      List<String> exclude,
      @Option(value = "Directory of the checkpoints (one journal for every followed file). Default: a directory "
          + "under <data_dir>/positions named after `path`, so renaming or moving the task keeps it; changing `path` "
          + "starts new checkpoints unless pos_dir is set.", aliases = {"pos_file_dir"})
      Path posDir,
      @Option(value = "Files that exist at the very first start: true = read from the beginning, false = only new "
          + "lines. Files that appear later are always read from the beginning.", defaultValue = "false")
      boolean readFromHead,
      @Option(value = "Charset of the files (utf-8, cp949, euc-kr, shift_jis, gbk, utf-16le, …); lines are converted "
          + "to UTF-8 once, when read.", defaultValue = "utf-8", aliases = {"from_encoding"})
      Charset encoding,
      @Option(value = "Tag of the events; `*` is replaced by the file's path with `/` turned into `.` "
          + "(tag app.* + /var/log/a.log = app.var.log.a.log).", defaultValue = "tail.*")
      String tag,
      @Option(value = "When set, each record also gets the file's path under this key (Fluent Bit's path_key, Vector's "
          + "file_key), e.g. `file`: out.File's `${record.file.path}` / `${record.file.name}` then write each line under "
          + "its source file's name, on this host or at a collector.", aliases = {"file_key"})
      String pathKey,
      @Option("When set, each record also gets this machine's host name under this key, e.g. `host` (out.File's "
          + "`${record.host}` at a collector).")
      String hostKey,
      @Option(value = "Key of the line in each record.", defaultValue = "message", aliases = {"key"})
      String messageKey,
      @Option("Joins lines into one event: `start` is a regex matching the first line of an event (or `preset`: java, "
          + "python, go); other lines are appended to it, or with `continue` only the lines matching that regex. "
          + "`flush_timeout` (default 1s) emits an event when no further line came. An event is bounded by "
          + "max_line_size. The multiline step does the same on events of any input.")
      MultilineOptions multiline,
      @Option(value = "Longest line kept; see long_lines.", defaultValue = "1MiB", aliases = {"buffer_max_size"})
      DataSize maxLineSize,
      @Option(value = "Lines longer than max_line_size: truncate (keep the first max_line_size bytes) or skip. Both "
          + "are counted and logged.", defaultValue = "truncate")
      LongLines longLines,
      @Option(value = "How long a rotated or deleted file stays open after its last new line (it is always read to "
          + "its end first).", defaultValue = "5s")
      Duration rotateWait,
      @Option(value = "How often the globs are scanned again. File system notifications report new and changed "
          + "files at once; the scan is the safety net (and the only way on file systems without notifications, "
          + "e.g. NFS: lower it there).", defaultValue = "60s")
      Duration refreshInterval,
      @Option(value = "Most files held open at once; others are reopened when they change.", defaultValue = "1024")
      int maxOpenFiles,
      @Option(value = "Bytes read from a file at a time; also about the largest batch.", defaultValue = "256KiB",
          aliases = {"buffer_chunk_size"})
      DataSize readBufferSize,
      @Option(value = "Lines that arrive a few at a time wait up to this long for more, gathered over every file of "
          + "the same tag, before they go on as one batch (many files growing slowly then cost a batch per interval, "
          + "not one per write); a file read in bulk goes on block by block at once. 0 = every read at once.",
          defaultValue = "200ms")
      Duration flushInterval,
      @Option("Parses each line (each joined multiline event) once, from the bytes read, by a parser of the parse "
          + "step: " + ParserOptions.FORMATS + "; the record is the fields found (and path_key). A line that does "
          + "not parse gets the on_error outcome (keep: {message_key: line}), counted as parse_errors and no_match "
          + "or malformed.")
      String format,
      @Option(value = "the parser's options, on_error, into, keep_original", inline = true)
      ParserOptions parsing) {

    public Options {
      if (path != null && (path.isEmpty() || path.stream().anyMatch(p -> p == null || p.isBlank()))) {
        throw new IllegalArgumentException("option `path` is empty: give a file, a glob or a list of them");
      }
      if (tag != null && tag.isBlank()) {
        throw new IllegalArgumentException("option `tag` is empty");
      }
      if (messageKey != null && messageKey.isEmpty()) {
        throw new IllegalArgumentException("option `message_key` is empty");
      }
      if (maxLineSize != null && maxLineSize.bytes() < 1) {
        throw new IllegalArgumentException("option `max_line_size` must be at least 1 byte");
      }
      if (readBufferSize != null && (readBufferSize.bytes() < 4096 || readBufferSize.bytes() > (64L << 20))) {
        throw new IllegalArgumentException("option `read_buffer_size` must be between 4KiB and 64MiB, got "
            + readBufferSize);
      }
      if (maxOpenFiles < 1) {
        throw new IllegalArgumentException("option `max_open_files` must be at least 1, got " + maxOpenFiles);
      }
      if (refreshInterval != null && refreshInterval.toMillis() < 10) {
        throw new IllegalArgumentException("option `refresh_interval` must be at least 10ms");
      }
      if (parsing == null) {
        parsing = ParserOptions.NONE;
      }
      if (format != null) {
        String rejected = parsing.check(format);
        if (rejected != null) {
          throw new IllegalArgumentException("format: " + rejected);
        }
      } else if (parsing.anyGiven()) {
        throw new IllegalArgumentException("regex, types, columns, delimiter, time_key, time_format, time_zone, "
            + "time_keep, keep_original, on_error and into are options of a `format` (e.g. format: regex): give one");
      }
    }

    /** The parser of `format`, or null for plain lines; one per in.FileTail (its thread). */
    LineRecords lineRecords() {
      return format == null ? null : new LineRecords(format, parsing, messageKey);
    }

    /** UTF-8 (or plain ASCII) files pass their bytes through untouched. */
    boolean passThrough() {
      return encoding.equals(StandardCharsets.UTF_8) || encoding.equals(StandardCharsets.US_ASCII);
    }
  }

  /** The {@code multiline} block. */
  public record MultilineOptions(
      @Option(value = Multiline.DOC_START, aliases = {"firstline", "format_firstline"})
      Pattern start,
      @Option(value = Multiline.DOC_CONTINUATION, aliases = {"continue", "cont"})
      Pattern continuation,
      @Option(Multiline.DOC_PRESET)
      MultilinePreset preset,
      @Option(value = "Emit the event being joined when no line came for this long.", defaultValue = "1s",
          aliases = {"flush_interval"})
      Duration flushTimeout) {

    public MultilineOptions {
      start = Multiline.startPattern(start, preset, "multiline");
    }
  }

  public FileTailPlugin() {
    super("in.FileTail", "Follows log files (globs, rotation by rename and copytruncate, checkpoints acknowledged "
        + "end to end, any charset, multiline).", Options.class, FileTail::new, "in.tail");
  }

  @Override
  public Path positionDirectory(Options o) {
    return o.posDir();
  }

  /** What the checkpoints belong to: the path patterns, in the order given. */
  @Override
  public String positionSource(Options o) {
    return "in.FileTail " + String.join(" ", o.path());
  }

  @Override
  public String validate(Options o) {
    if (o.encoding() != null && LineEncoder.newline(o.encoding()) == null) {
      return "encoding `" + o.encoding().name() + "` cannot be followed line by line: use a charset without a byte "
          + "order mark, e.g. utf-16le or utf-16be instead of utf-16";
    }
    if (o.format() != null && o.hostKey() != null) {
      return "host_key is not added to lines that `format` parses: use a parse step after in.FileTail with "
          + "host_key here, or a modify step ({set: {host: ...}}) after the format";
    }
    return null;
  }
}
