package io.swak.plugins.filetail;

import io.swak.core.testing.InputContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** in.FileTail passes the input contract: lines appended to a followed file, checkpoints in the runtime's store. */
class FileTailInputContractTest extends InputContract {

  @Override
  protected Source source(Path dir) throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path file = logs.resolve("app.log");
    return new Source() {
      @Override
      public String step() {
        return "in.FileTail: {path: \"" + logs + "/*.log\", read_from_head: true}";
      }

      @Override
      public void produce(long from, int n) throws Exception {
        StringBuilder b = new StringBuilder();
        for (long i = from; i < from + n; i++) {
          b.append("event ").append(i).append(" of the contract\n");
        }
        Files.writeString(file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }

      @Override
      public boolean keepsPositions() {
        return true;
      }
    };
  }
}
