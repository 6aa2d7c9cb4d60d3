package io.swak.plugins.exec;

import io.swak.core.testing.InputContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * in.Exec in stream mode passes the input contract: the command is a real {@code tail -F} of a file the test
 * appends to. A command's output cannot be read again, so the input keeps no positions.
 */
@EnabledOnOs(OS.LINUX)
class ExecInputContractTest extends InputContract {

  @Override
  protected Source source(Path dir) throws Exception {
    Path file = dir.resolve("feed.log");
    Files.writeString(file, "");
    return new Source() {
      @Override
      public String step() {
        return "in.Exec: {command: \"tail -n +1 -F '" + file + "'\", mode: stream}";
      }

      @Override
      public void produce(long from, int n) throws Exception {
        StringBuilder s = new StringBuilder();
        for (long i = from; i < from + n; i++) {
          s.append("event ").append(i).append('\n');
        }
        Files.writeString(file, s, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      }

      @Override
      public boolean keepsPositions() {
        return false;
      }
    };
  }
}
