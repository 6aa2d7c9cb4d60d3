package io.swak.plugins.mysql;

import io.swak.api.AckWindow;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Event;
import io.swak.api.Input;
import io.swak.api.StepContext;
import io.swak.api.Positions;
import io.swak.support.Pacer;
import io.swak.support.StepFiles;
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
  private Positions store;
  private Positions.Position position;
  private String posKey;
  /** The last id read (the next look starts after it); null until known (position file or the table). */
  private Long lastRead;
  private volatile AckWindow window;
  private Connection conn;
  private PreparedStatement select;
  private PreparedStatement max;
  private String idColumn;
  /** When the next look is: interval or schedule, at once after a full batch, a backoff after a failure. */
  private Pacer pacer;
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
    store = ctx.positions(o.posDir());
    lastRead = loadPosition();
    if (lastRead != null && window == null) {
      startWindow(lastRead);
    }
    pacer = new Pacer(o.interval(), o.schedule(), o.scheduleTimeZone(), ctx.clock());
  }

  @Override
  public Batch poll(Duration maxWait) {
    if (!pacer.await(context, maxWait)) {
      return null;
    }
    try {
      if (conn == null) {
        connect();
      }
      Batch b = read();
      if (failures > 0) {
        LOG.info("{}, {}: reading {} again", context.taskName(), context.stepName(), where);
        failures = 0;
      }
      if (full) {
        pacer.now();
      } else {
        pacer.done();
      }
      return b;
    } catch (SQLException | RuntimeException e) {
      failures++;
      context.metrics().errors(1);
      long backoff = Math.min(MAX_BACKOFF_NANOS, TimeUnit.SECONDS.toNanos(1) << Math.min(failures - 1, 5));
      LOG.warn("{}, {}: cannot read {}: {}; trying again in {} s", context.taskName(), context.stepName(), where,
          message(e), TimeUnit.NANOSECONDS.toSeconds(backoff));
      disconnect();
      pacer.after(Duration.ofNanos(backoff));
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
        savePosition();
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
        savePosition();
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

  private void startWindow(long start) {
    window = new AckWindow(start, () -> position.changed());
    position = store.track("position", () -> {
      AckWindow w = window;
      return w == null ? null : posKey() + " " + w.committed();
    });
  }

  /** Saves the position now (a first start, a reset table); a failure is logged, and the store tries again. */
  private void savePosition() {
    try {
      position.saveNow();
    } catch (IOException e) {
      context.metrics().errors(1);
      LOG.error("{}, {}: cannot save the position in {}: {}", context.taskName(), context.stepName(),
          store.directory(), e.getMessage());
    }
  }

  /** What the position belongs to: a position left by another table or id column is not used. */
  private String posKey() {
    if (posKey == null) {
      posKey = o.db() + "." + o.table() + "." + (o.idColumn() != null ? o.idColumn() : "*");
    }
    return posKey;
  }

  /**
   * The saved position; at the first start of the store, the position file of earlier versions
   * ({@code pos_file}, by default {@code <data_dir>/mysqltail/<task>-<step>.pos}), which is then deleted.
   */
  private Long loadPosition() throws IOException {
    String text = store.saved().get("position");
    Path legacy = null;
    if (text == null && store.firstStart()) {
      legacy = o.posFile() != null ? o.posFile()
          : context.dataDir().resolve("mysqltail").resolve(StepFiles.id(context) + ".pos");
      text = Files.exists(legacy) ? Files.readString(legacy, StandardCharsets.UTF_8) : null;
    }
    if (text == null) {
      return null;
    }
    String[] parts = text.trim().split(" ");
    if (parts.length == 2 && parts[0].equals(posKey())) {
      try {
        long p = Long.parseLong(parts[1]);
        if (legacy != null) {
          startWindow(p);
          savePosition();
          Files.deleteIfExists(legacy);
          LOG.info("{}, {}: took over the position {} from {}; it is kept in {} now", context.taskName(),
              context.stepName(), p, legacy, store.directory());
        }
        return p;
      } catch (NumberFormatException e) {
        // fall through: unreadable
      }
    }
    LOG.warn("{}, {}: the saved position in {} is not one of {} ({}); starting as at a first start",
        context.taskName(), context.stepName(), legacy != null ? legacy : store.directory(), posKey(), parts[0]);
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
    disconnect(); // the store saves the last position after the step closed
  }

  private static String message(Exception e) {
    return e.getMessage() != null ? e.getMessage().strip() : e.getClass().getSimpleName();
  }

}
