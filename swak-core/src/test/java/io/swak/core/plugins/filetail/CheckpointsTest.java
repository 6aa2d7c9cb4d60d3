package io.swak.core.plugins.filetail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swak.api.Ack;
import io.swak.api.AckWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {

  private static final FileIdentity ID = new FileIdentity("803-1f");

  @Test
  void savesOnlyTheAcknowledgedPrefix(@TempDir Path dir) throws IOException {
    Checkpoints c = new Checkpoints(dir, 1_000_000_000L);
    assertThat(c.open()).isEmpty();
    assertThat(c.firstStart()).isTrue();
    AckWindow w = new AckWindow(0);
    c.track(ID, w, new Fingerprint(5, 0xabc), "/var/log/a.log", -1);
    Ack first = w.add(100);
    Ack second = w.add(200);
    second.done(); // out of order: must not move past the first batch
    c.closeWithin(1_000_000_000L);
    assertThat(saved(dir).offset()).isZero();

    c = new Checkpoints(dir, 1_000_000_000L);
    Map<FileIdentity, Checkpoints.Saved> loaded = c.open();
    assertThat(c.firstStart()).isFalse(); // a round completed: later files are new
    assertThat(loaded.get(ID)).isEqualTo(new Checkpoints.Saved(0, new Fingerprint(5, 0xabc), "/var/log/a.log"));
    c.track(ID, w, new Fingerprint(5, 0xabc), "/var/log/a.log", 0);
    first.done();
    c.closeWithin(1_000_000_000L);
    assertThat(saved(dir).offset()).isEqualTo(200);
  }

  @Test
  void aLeftoverTempFileAndAnUnreadableCheckpointAreSetAside(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("803-1f.pos"), "offset=42\nfingerprint=3:1\npath=/x\n");
    Files.writeString(dir.resolve("803-1f.pos.tmp"), "offs"); // a save cut short by kill -9
    Files.writeString(dir.resolve("803-20.pos"), "garbage");
    Checkpoints c = new Checkpoints(dir, 1_000_000_000L);
    Map<FileIdentity, Checkpoints.Saved> loaded = c.open();
    assertThat(loaded).containsOnlyKeys(ID);
    assertThat(loaded.get(ID).offset()).isEqualTo(42);
    assertThat(dir.resolve("803-1f.pos.tmp")).doesNotExist();
    assertThat(dir.resolve("803-20.pos")).doesNotExist();
    c.closeWithin(0);
  }

  @Test
  void forgettingAFileDeletesItsCheckpoint(@TempDir Path dir) throws IOException {
    Checkpoints c = new Checkpoints(dir, 1_000_000_000L);
    c.open();
    Checkpoints.Entry e = c.track(ID, new AckWindow(7), Fingerprint.EMPTY, "/x", -1);
    c.saveChanged(Long.MAX_VALUE, false);
    assertThat(dir.resolve("803-1f.pos")).exists();
    c.forget(e);
    assertThat(dir.resolve("803-1f.pos")).doesNotExist();
    c.closeWithin(0);
  }

  @Test
  void onePosDirBelongsToOneInput(@TempDir Path dir) throws IOException {
    Checkpoints a = new Checkpoints(dir, 1_000_000_000L);
    a.open();
    Checkpoints b = new Checkpoints(dir, 1_000_000_000L);
    assertThatThrownBy(b::open).hasMessageContaining("is used by another running in.FileTail");
    a.closeWithin(0);
    Checkpoints again = new Checkpoints(dir, 1_000_000_000L);
    again.open(); // free again once the first one closed
    again.closeWithin(0);
  }

  private static Checkpoints.Saved saved(Path dir) throws IOException {
    return Checkpoints.parse(Files.readString(dir.resolve("803-1f.pos")));
  }
}
