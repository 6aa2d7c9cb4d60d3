package io.swak.plugins.exec;

import io.swak.core.testing.InputContract;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * in.Journald passes the input contract on a real journal file: entries appended by systemd-journal-remote,
 * followed by the machine's journalctl, the cursor of the last acknowledged entry kept in the runtime's store.
 */
@EnabledOnOs(OS.LINUX)
class JournaldInputContractTest extends InputContract {

  @Override
  protected Source source(Path dir) throws Exception {
    Journal.journalctl();
    Journal.remote();
    Journal journal = new Journal(Files.createDirectories(dir.resolve("journal")).resolve("contract.journal"));
    return new Source() {
      @Override
      public String step() {
        return "in.Journald: {file: \"" + journal.file + "\", read_from_head: true}";
      }

      @Override
      public void produce(long from, int n) throws Exception {
        journal.appendEvents(from, n);
      }

      @Override
      public boolean keepsPositions() {
        return true;
      }
    };
  }
}
