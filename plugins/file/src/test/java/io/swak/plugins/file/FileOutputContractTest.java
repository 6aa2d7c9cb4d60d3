package io.swak.plugins.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.core.testing.OutputContract;
import io.swak.core.testing.SmallDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** out.File passes the output contract; "broken" is a real full disk (a small tmpfs). */
class FileOutputContractTest extends OutputContract {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  protected Destination destination(Path dir) throws Exception {
    SmallDisk disk = SmallDisk.mount(dir, 4096);
    Path out = disk.dir().resolve("events.jsonl");
    return new Destination() {
      @Override
      public String step() {
        return "out.File: {path: \"" + out + "\"}";
      }

      @Override
      public List<Long> received() throws Exception {
        List<Long> seqs = new ArrayList<>();
        if (Files.exists(out)) {
          for (String line : Files.readAllLines(out)) {
            JsonNode n = JSON.readTree(line); // a torn line fails here
            seqs.add(n.path("record").path("seq").asLong(-1));
          }
        }
        return seqs;
      }

      @Override
      public boolean breakDown() throws Exception {
        disk.fill();
        return true;
      }

      @Override
      public void repair() throws Exception {
        disk.free();
      }

      @Override
      public void close() throws Exception {
        disk.close();
      }
    };
  }
}
