package io.swak.plugins.exec;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code in.Journald}: the systemd journal, followed through {@code journalctl -o json --follow} (no Java
 * library reads journal files; journalctl is the reader systemd keeps compatible), resuming after the cursor of
 * the last acknowledged entry.
 */
public final class JournaldPlugin extends Plugin<JournaldPlugin.Options> {

  /** journalctl's match syntax: FIELD=VALUE (field names are upper case, digits and _), or + between groups. */
  private static final Pattern MATCH = Pattern.compile("\\+|[A-Z0-9_]+=.*");
  private static final Pattern PRIORITY = Pattern.compile(
      "(emerg|alert|crit|err|warning|notice|info|debug|[0-7])(\\.\\.(emerg|alert|crit|err|warning|notice|info|debug|[0-7]))?");

  /** Options of in.Journald. */
  public record Options(
      @Option("Only entries of these systemd units (journalctl -u; a unit or a glob such as `ssh*`). Default: all.")
      List<String> units,
      @Option("Only entries of this priority or more urgent (emerg, alert, crit, err, warning, notice, info, debug "
          + "or 0-7), or a range such as `err..warning` (journalctl -p).")
      String priority,
      @Option("Journal matches as journalctl takes them: `FIELD=value` (several values of one field: any of them; "
          + "different fields: all), `+` between alternatives, e.g. [_COMM=sshd, +, _TRANSPORT=kernel].")
      List<String> matches,
      @Option("Read the journal files of this directory instead of the system's (journalctl --directory).")
      Path directory,
      @Option(value = "Read these journal files (journalctl --file; globs allowed); one file may be given as `file`.",
          aliases = {"file"})
      List<Path> files,
      @Option("Only these fields in the records (journalctl --output-fields; the time is always there). Default: "
          + "all.")
      List<String> fields,
      @Option(value = "At the very first start (no saved cursor): true = read the whole journal, false = only "
          + "entries added from now on.", defaultValue = "false")
      boolean readFromHead,
      @Option(value = "Key of MESSAGE in the records.", defaultValue = "message")
      String messageKey,
      @Option(value = "Tag of the events.", defaultValue = "journald")
      String tag,
      @Option(value = "The journalctl program.", defaultValue = "journalctl")
      String journalctl,
      @Option("Directory of the position store (the cursor of the last acknowledged entry). Default: a directory "
          + "under <data_dir>/positions named after what is read.")
      Path posDir,
      @Option(value = "Longest entry (one JSON line of journalctl) kept; a longer one is cut and kept as a "
          + "message (counted as lines_truncated).", defaultValue = "1MiB")
      DataSize maxEntrySize,
      @Option(value = "Entries read but not yet acknowledged; past it journalctl is not read until "
          + "acknowledgements come.", defaultValue = "8MiB")
      DataSize maxPendingSize,
      @Option(value = "Wait before starting journalctl again after it exited; doubles after each quick exit.",
          defaultValue = "1s")
      Duration restartWait,
      @Option(value = "Longest wait before a restart of journalctl.", defaultValue = "60s")
      Duration restartMaxWait) {

    public Options {
      units = units == null ? List.of() : List.copyOf(units);
      matches = matches == null ? List.of() : List.copyOf(matches);
      files = files == null ? List.of() : List.copyOf(files);
      fields = fields == null ? List.of() : List.copyOf(fields);
      for (String m : matches) {
        if (!MATCH.matcher(m).matches()) {
          throw new IllegalArgumentException("option `matches`: '" + m + "' is not FIELD=value (upper-case field "
              + "name) or +");
        }
      }
      if (priority != null && !PRIORITY.matcher(priority.toLowerCase(java.util.Locale.ROOT)).matches()) {
        throw new IllegalArgumentException("option `priority` must be a level (emerg, alert, crit, err, warning, "
            + "notice, info, debug, 0-7) or a range such as err..warning, got '" + priority + "'");
      }
      if (directory != null && !files.isEmpty()) {
        throw new IllegalArgumentException("options `directory` and `files` exclude each other: journalctl reads "
            + "one or the other");
      }
      ExecInputPlugin.Options.positive(restartWait, "restart_wait");
      ExecInputPlugin.Options.positive(restartMaxWait, "restart_max_wait");
      if (maxEntrySize != null && (maxEntrySize.bytes() < 1 || maxEntrySize.bytes() > Integer.MAX_VALUE - 16)) {
        throw new IllegalArgumentException("option `max_entry_size` must be more than 0 and less than 2GiB");
      }
      if (maxPendingSize != null && maxPendingSize.bytes() < 1) {
        throw new IllegalArgumentException("option `max_pending_size` must be more than 0");
      }
    }

    /** journalctl's arguments for what to read (no position). */
    List<String> selection() {
      List<String> a = new ArrayList<>();
      if (directory != null) {
        a.add("--directory=" + directory);
      }
      for (Path f : files) {
        a.add("--file=" + f);
      }
      for (String u : units) {
        a.add("--unit=" + u);
      }
      if (priority != null) {
        a.add("--priority=" + priority.toLowerCase(java.util.Locale.ROOT));
      }
      if (!fields.isEmpty()) {
        a.add("--output-fields=" + String.join(",", fields));
      }
      a.addAll(matches);
      return a;
    }
  }

  public JournaldPlugin() {
    super("in.Journald", "Follows the systemd journal (through journalctl), filtered by unit, priority and matches, "
        + "resuming after the cursor of the last acknowledged entry.", Options.class, JournaldInput::new,
        "in.Systemd");
  }

  @Override
  public Path positionDirectory(Options o) {
    return o.posDir();
  }

  /** What the cursor belongs to: the journal read and its filters (another filter is another position). */
  @Override
  public String positionSource(Options o) {
    return "in.Journald " + String.join(" ", o.selection());
  }
}
