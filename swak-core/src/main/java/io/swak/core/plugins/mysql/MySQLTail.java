package io.swak.core.plugins.mysql;

import io.swak.api.AckWindow;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Event;
import io.swak.api.Input;
import io.swak.api.StepContext;
import io.swak.core.plugins.DurableFiles;
import io.swak.core.plugins.StepFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails a table by its growing id column: every look reads {@code SELECT * … WHERE id > last ORDER BY id
 * LIMIT batch_rows}, one batch per look. The position saved in {@code pos_file} is the last id whose batch was
 * acknowledged (an {@link AckWindow}), so a restart resends what was read but not yet delivered and never
 * skips a row. A server that is down or a table that does not exist yet is logged and tried again with
 * backoff (1 s doubling to 30 s); the input never gives up.
 *
 * <p>Rows must get their ids in commit order (autocommit inserts, as log tables have): a transaction that
 * commits a smaller id after a larger one was read is not seen — the same limit as every id-tracking
 * reader (Logstash's jdbc input, Fluentd's mysql inputs).
 */
final class MySQLTail implements Input {

  private static final Logger LOG = LoggerFactory.getLogger("swak.mysqltail");
  private static final long SAVE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** A batch ends here even before batch_rows (rows with large BLOBs): the heap is 256 MiB by default. */
  static final long MAX_BATCH_BYTES = 16L << 20;
  /** Rows the driver fetches at a time, instead of the whole result: what a batch does not take is not held. */
  private static final int FETCH_ROWS = 100;

  private final MySQLTailPlugin.Options o;
  private final String tag;
  private final String where;
  private final BatchBuilder builder = new BatchBuilder();
  private StepContext context;
  private Path posFile;
  private String posKey;
  /** The last id read (the next look starts after it); null until known (position file or the table). */
  private Long lastRead;
  private AckWindow window;
  private long saved = Long.MIN_VALUE;
  private long savedAtNanos;
  private Connection conn;
  private PreparedStatement select;
  private PreparedStatement max;
  private String idColumn;
  private long nextLookNanos;
  /** The last look filled a batch (rows or bytes): more may be waiting, so the next look comes at once. */
  private boolean full;
  private int failures;

  MySQLTail(MySQLTailPlugin.Options options) {
    this.o = options;
    this.tag = options.tagOrDefault();
    this.where = "`" + options.db() + "`.`" + options.table() + "` at " + options.ip() + ":" + options.port();
  }

  @Override
  public void start(StepContext ctx) throws IOException {
    this.context = ctx;
    posFile = o.posFile() != null ? o.posFile()
        : ctx.dataDir().resolve("mysqltail").resolve(StepFiles.id(ctx) + ".pos");
    Files.createDirectories(posFile.toAbsolutePath().getParent());
    lastRead = loadPosition();
    if (lastRead != null) {
      startWindow(lastRead);
    }
    nextLookNanos = System.nanoTime();
  }

  @Override
  public Batch poll(Duration maxWait) {
    long wait = nextLookNanos - System.nanoTime();
    if (wait > 0) {
      context.sleep(Duration.ofNanos(Math.min(wait, maxWait.toNanos())));
      if (nextLookNanos - System.nanoTime() > 0) {
        saveIfDue(false);
        return null;
      }
    }
    saveIfDue(false);
    try {
      if (conn == null) {
        connect();
      }
      Batch b = read();
      if (failures > 0) {
        LOG.info("{}, {}: reading {} again", context.taskName(), context.stepName(), where);
        failures = 0;
      }
      nextLookNanos = System.nanoTime() + (full ? 0 : o.interval().toNanos());
      return b;
    } catch (SQLException | RuntimeException e) {
      failures++;
      context.metrics().errors(1);
      long backoff = Math.min(MAX_BACKOFF_NANOS, TimeUnit.SECONDS.toNanos(1) << Math.min(failures - 1, 5));
      LOG.warn("{}, {}: cannot read {}: {}; trying again in {} s", context.taskName(), context.stepName(), where,
          message(e), TimeUnit.NANOSECONDS.toSeconds(backoff));
      disconnect();
      nextLookNanos = System.nanoTime() + backoff;
      return null;
    }
  }

  /** Connects, finds the id column and, at the very first start, where to begin. */
  private void connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", o.user());
    if (o.password() != null) {
      p.setProperty("password", o.password());
    }
    p.setProperty("connectTimeout", "10000");
    p.setProperty("socketTimeout", "60000");
    // the driver itself, not DriverManager: its service lookup would open every jar on the class path
    Connection c = new org.mariadb.jdbc.Driver().connect(
        "jdbc:mariadb://" + o.ip() + ":" + o.port() + "/" + o.db(), p);
    try {
      idColumn = o.idColumn() != null ? o.idColumn() : autoIncrementColumn(c);
      checkType(c, idColumn, "id_column", INTEGER_TYPES, "an integer column that grows with every row");
      if (o.timeColumn() != null) {
        checkType(c, o.timeColumn(), "time_column", TIME_TYPES, "a DATETIME, TIMESTAMP or DATE column");
      }
      String table = "`" + o.table() + "`";
      String id = "`" + idColumn + "`";
      max = c.prepareStatement("SELECT MAX(" + id + ") FROM " + table);
      if (lastRead == null) {
        long start = o.fromBeginning() ? 0 : largestId();
        lastRead = start;
        startWindow(start);
        saved = Long.MIN_VALUE; // not saved yet: a failed write is tried again with the next look
        savePosition(start);
        LOG.info("{}, {}: first start; reading {} after id {}", context.taskName(), context.stepName(), where, start);
      }
      select = c.prepareStatement("SELECT * FROM " + table + " WHERE " + id + " > ? ORDER BY " + id + " LIMIT ?");
      select.setFetchSize(FETCH_ROWS);
      conn = c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private static final Set<String> INTEGER_TYPES =
      Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint");
  private static final Set<String> TIME_TYPES = Set.of("datetime", "timestamp", "date");

  private long largestId() throws SQLException {
    try (ResultSet rs = max.executeQuery()) {
      rs.next();
      return rs.getLong(1); // 0 for an empty table
    }
  }

  /** A column of the wrong type would fail every look the same way: say what is wrong once it is known. */
  private void checkType(Connection c, String column, String option, Set<String> allowed, String needed)
      throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT DATA_TYPE FROM information_schema.COLUMNS "
        + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?")) {
      st.setString(1, o.db());
      st.setString(2, o.table());
      st.setString(3, column);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("table `" + o.table() + "` has no column `" + column + "` (" + option + ")");
        }
        String type = rs.getString(1).toLowerCase(Locale.ROOT);
        if (!allowed.contains(type)) {
          throw new SQLException(option + " `" + column + "` is " + type + "; it must be " + needed);
        }
      }
    }
  }

  private String autoIncrementColumn(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT COLUMN_NAME FROM information_schema.COLUMNS "
        + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND EXTRA LIKE '%auto_increment%'")) {
      st.setString(1, o.db());
      st.setString(2, o.table());
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("table `" + o.table() + "` does not exist or has no auto-increment column; "
              + "set `id_column` to a column that grows with every row");
        }
        return rs.getString(1);
      }
    }
  }

  private Batch read() throws SQLException {
    select.setLong(1, lastRead);
    select.setInt(2, o.batchRows());
    long last = lastRead;
    builder.clear(); // what a look that failed half-way left
    try (ResultSet rs = select.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      int n = md.getColumnCount();
      String[] names = new String[n + 1];
      int[] types = new int[n + 1];
      int[] precisions = new int[n + 1];
      int idIndex = 0;
      int timeIndex = 0;
      for (int i = 1; i <= n; i++) { // once per look, not per row
        names[i] = md.getColumnLabel(i);
        types[i] = md.getColumnType(i);
        precisions[i] = md.getPrecision(i);
        if (names[i].equalsIgnoreCase(idColumn)) {
          idIndex = i;
        }
        if (o.timeColumn() != null && names[i].equalsIgnoreCase(o.timeColumn())) {
          timeIndex = i;
        }
      }
      long readTime = context.nowNanos();
      while (builder.sizeBytes() < MAX_BATCH_BYTES && rs.next()) {
        Map<String, Object> record = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
          record.put(names[i], value(rs, i, types[i], precisions[i]));
        }
        last = rs.getLong(idIndex);
        builder.add(timeIndex == 0 ? readTime : time(rs, timeIndex, readTime), record);
      }
    }
    full = builder.count() >= o.batchRows() || builder.sizeBytes() >= MAX_BATCH_BYTES;
    if (builder.count() == 0) {
      if (lastRead > 0 && largestId() < lastRead) {
        // TRUNCATE or a new table: its ids start again below the position, and `id > last` would skip them
        LOG.warn("{}, {}: the largest id in {} is now below the last one read ({}): the table was emptied or "
            + "recreated; reading it from its first row", context.taskName(), context.stepName(), where, lastRead);
        context.metrics().count("table_resets", 1);
        lastRead = 0L;
        window.reset(0);
        savePosition(0);
      }
      return null;
    }
    lastRead = last;
    context.metrics().count("rows_read", builder.count());
    return builder.build(tag, window.add(last));
  }

  /** A column's value as msgpack knows it: numbers, strings, bytes, times as ISO-8601 text. */
  private static Object value(ResultSet rs, int i, int type, int precision) throws SQLException {
    Object v = switch (type) {
      case Types.BOOLEAN -> rs.getBoolean(i);
      case Types.BIT -> precision <= 1 ? rs.getBoolean(i) : rs.getLong(i); // BIT(n): its bits as a number
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER -> rs.getLong(i);
      case Types.BIGINT -> rs.getObject(i); // Long, or BigInteger for BIGINT UNSIGNED
      case Types.REAL -> Double.parseDouble(Float.toString(rs.getFloat(i))); // FLOAT 1.1 as 1.1, not 1.100000023841858
      case Types.FLOAT, Types.DOUBLE -> rs.getDouble(i);
      case Types.DECIMAL, Types.NUMERIC -> {
        BigDecimal d = rs.getBigDecimal(i);
        yield d == null ? null : d.toPlainString(); // as text: no digits lost
      }
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> rs.getBytes(i);
      case Types.DATE -> text(rs.getObject(i, LocalDate.class));
      case Types.TIME -> text(rs.getObject(i, LocalTime.class));
      case Types.TIMESTAMP -> text(rs.getObject(i, LocalDateTime.class));
      default -> rs.getString(i);
    };
    return rs.wasNull() ? null : v;
  }

  private static String text(Object t) {
    return t == null ? null : t.toString();
  }

  private static long time(ResultSet rs, int i, long fallback) throws SQLException {
    LocalDateTime t = rs.getObject(i, LocalDateTime.class);
    if (t == null) {
      return fallback;
    }
    return Event.epochNanos(t.atZone(ZoneId.systemDefault()).toInstant());
  }

  private void startWindow(long position) {
    window = new AckWindow(position);
    saved = position;
  }

  /** Saves the acknowledged position about once a second, and always when {@code now}. */
  private void saveIfDue(boolean now) {
    if (window == null) {
      return;
    }
    long committed = window.committed();
    if (committed != saved && (now || System.nanoTime() - savedAtNanos >= SAVE_EVERY_NANOS)) {
      savePosition(committed);
    }
  }

  /** Replaces the position file durably; a failure is logged, not thrown (the next look tries again). */
  private void savePosition(long position) {
    try {
      DurableFiles.replace(posFile, (posKey() + " " + position + "\n").getBytes(StandardCharsets.UTF_8));
      DurableFiles.syncDirectory(posFile.toAbsolutePath().getParent());
      saved = position;
      savedAtNanos = System.nanoTime();
    } catch (IOException e) {
      context.metrics().errors(1);
      LOG.error("{}, {}: cannot save the position to {}: {}", context.taskName(), context.stepName(), posFile,
          e.getMessage());
    }
  }

  /** What the position belongs to: a file left by another table or id column is not used. */
  private String posKey() {
    if (posKey == null) {
      posKey = o.db() + "." + o.table() + "." + (o.idColumn() != null ? o.idColumn() : "*");
    }
    return posKey;
  }

  private Long loadPosition() throws IOException {
    if (!Files.exists(posFile)) {
      return null;
    }
    String[] parts = Files.readString(posFile, StandardCharsets.UTF_8).trim().split(" ");
    if (parts.length == 2 && parts[0].equals(posKey())) {
      try {
        return Long.parseLong(parts[1]);
      } catch (NumberFormatException e) {
        // fall through: unreadable
      }
    }
    LOG.warn("{}, {}: {} is not a position of {} ({}); starting as at a first start", context.taskName(),
        context.stepName(), posFile, posKey(), parts[0]);
    return null;
  }

  private void disconnect() {
    if (conn != null) {
      try {
        conn.close();
      } catch (SQLException e) {
        // closing a broken connection: nothing to do
      }
      conn = null;
      select = null;
      max = null;
    }
  }

  @Override
  public void close() {
    saveIfDue(true);
    disconnect();
  }

  private static String message(Exception e) {
    return e.getMessage() != null ? e.getMessage().strip() : e.getClass().getSimpleName();
  }

}
