package io.swak.plugins.mysql;

import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.support.Schedule;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.regex.Pattern;

/** {@code in.MySQLTail}: the rows added to a MySQL or MariaDB table, as a stream. */
public final class MySQLTailPlugin extends Plugin<MySQLTailPlugin.Options> {

  /** Names put into SQL (quoted with backticks): plain identifiers only. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_$]{1,64}");

  /** Options of in.MySQLTail. */
  public record Options(
      @Option(value = "Server address.", defaultValue = "127.0.0.1", aliases = {"host"})
      String ip,
      @Option(value = "Server port.", defaultValue = "3306")
      int port,
      @Option(value = "Database.", required = true, aliases = {"database"})
      String db,
      @Option(value = "Table whose new rows are read.", required = true)
      String table,
      @Option(value = "User to log in as.", defaultValue = "root", aliases = {"username"})
      String user,
      @Option("Password of `user` (never logged). Default: none.")
      String password,
      @Option("Integer column that is unique and grows with every new row (an auto-increment key). Default: "
          + "the table's auto-increment column.")
      String idColumn,
      @Option("DATETIME/TIMESTAMP column that gives each event its time (read in the agent's time zone). "
          + "Default: the time the row was read.")
      String timeColumn,
      @Option(value = "How often to look for new rows (sooner while a look finds a full batch).",
          defaultValue = "1s")
      Duration interval,
      @Option("Look on a cron schedule instead of every interval: a cron line (5 fields, or 6 with seconds first), "
          + "@hourly/@daily…, or `N seconds`. A look that fills a batch still goes on at once until the new rows are read.")
      Schedule schedule,
      @Option("Time zone of `schedule`. Default: the system's.")
      ZoneId scheduleTimeZone,
      @Option(value = "Most rows read at a time (one batch).", defaultValue = "1000")
      int batchRows,
      @Option(value = "At the very first start: true = read the rows already in the table, false = only rows "
          + "added later.", defaultValue = "false")
      boolean fromBeginning,
      @Option("Directory of the position store (the last acknowledged id). Default: a directory under "
          + "<data_dir>/positions named after the server, database and table, so renaming or moving the task keeps it.")
      Path posDir,
      @Option("Position file of earlier versions (default <data_dir>/mysqltail/<task>-<step>.pos): read once, at the "
          + "first start of the position store, then deleted.")
      Path posFile,
      @Option("Tag of the events. Default: mysql.<db>.<table>.")
      String tag) {

    public Options {
      for (String[] n : new String[][] {{"db", db}, {"table", table}, {"id_column", idColumn},
          {"time_column", timeColumn}}) {
        if (n[1] != null && !NAME.matcher(n[1]).matches()) {
          throw new IllegalArgumentException("option `" + n[0] + "` must be a plain name (letters, digits, _ or $; "
              + "at most 64), got `" + n[1] + "`");
        }
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("option `port` must be 1 to 65535, got " + port);
      }
      if (batchRows < 1) {
        throw new IllegalArgumentException("option `batch_rows` must be at least 1, got " + batchRows);
      }
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("option `interval` must be more than 0");
      }
    }

    /** Without the password: a record prints every component. */
    @Override
    public String toString() {
      return "in.MySQLTail " + user + "@" + ip + ":" + port + "/" + db + "." + table;
    }

    /** The tag of the events. */
    String tagOrDefault() {
      return tag != null ? tag : "mysql." + db + "." + table;
    }
  }

  @Override
  public Path positionDirectory(Options o) {
    return o.posDir();
  }

  /** What the position belongs to: the server, database and table (and the id column when named). */
  @Override
  public String positionSource(Options o) {
    return "in.MySQLTail mysql://" + o.ip() + ":" + o.port() + "/" + o.db() + "." + o.table()
        + (o.idColumn() != null ? " id " + o.idColumn() : "");
  }

  public MySQLTailPlugin() {
    super("in.MySQLTail", "Streams the rows added to a MySQL or MariaDB table (new auto-increment ids), "
        + "resuming after the last acknowledged row.", Options.class, MySQLTail::new, "in.MariaDBTail");
  }
}
