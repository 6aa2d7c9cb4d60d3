package io.swak.plugins.mysql;

import io.swak.core.testing.InputContract;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** in.MySQLTail passes the input contract against a real MariaDB: rows inserted into a table. */
@EnabledOnOs(value = OS.LINUX, architectures = "amd64")
class MySQLTailInputContractTest extends InputContract {

  @Override
  protected Source source(Path dir) throws Exception {
    String db = "c" + id.replace("-", "").substring(0, 12);
    try (Connection c = SharedMariaDb.connect(""); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + db);
      st.execute("CREATE TABLE " + db + ".events (id BIGINT AUTO_INCREMENT PRIMARY KEY, seq BIGINT, msg TEXT)");
    }
    int port = SharedMariaDb.port();
    return new Source() {
      @Override
      public String step() {
        return "in.MySQLTail: {ip: 127.0.0.1, port: " + port + ", db: " + db + ", table: events, interval: 50ms, "
            + "batch_rows: 50, from_beginning: true}";
      }

      @Override
      public void produce(long from, int n) throws Exception {
        StringBuilder s = new StringBuilder("INSERT INTO events (seq, msg) VALUES ");
        for (long i = from; i < from + n; i++) {
          s.append(i > from ? "," : "").append('(').append(i).append(", 'event ").append(i).append("')");
        }
        try (Connection c = SharedMariaDb.connect(db); Statement st = c.createStatement()) {
          st.execute(s.toString());
        }
      }

      @Override
      public boolean keepsPositions() {
        return true;
      }
    };
  }
}
