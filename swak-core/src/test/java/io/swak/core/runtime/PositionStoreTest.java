package io.swak.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swak.api.Ack;
import io.swak.api.AckWindow;
import io.swak.api.Positions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PositionStoreTest {

  @Test
  void savesOnlyTheAcknowledgedPrefixAndResumesFromIt(@TempDir Path dir) throws IOException {
    PositionStore s = PositionStore.open(dir, "test source");
    assertThat(s.firstStart()).isTrue();
    assertThat(s.saved()).isEmpty();
    AtomicReference<Positions.Position> p = new AtomicReference<>();
    AckWindow w = new AckWindow(0, () -> p.get().changed());
    p.set(s.track("a", () -> "offset " + w.committed()));
    Ack first = w.add(100);
    Ack second = w.add(200);
    second.done(); // out of order: must not move past the first batch
    s.close();

    s = PositionStore.open(dir, "test source");
    assertThat(s.firstStart()).isFalse(); // a round completed: the next start is no first start
    assertThat(s.saved()).containsEntry("a", "offset 0");
    p.set(s.track("a", () -> "offset " + w.committed()));
    first.done();
    s.close();
    assertThat(PositionStore.open(dir, null).saved()).containsEntry("a", "offset 200");
    assertThat(Files.readString(dir.resolve("SOURCE"))).isEqualTo("test source\n");
  }

  @Test
  void theSaverThreadSavesWhatChangedWithoutAClose(@TempDir Path dir) throws Exception {
    PositionStore s = PositionStore.open(dir, null);
    s.start();
    AtomicReference<String> value = new AtomicReference<>("1");
    Positions.Position p = s.track("k", value::get);
    org.awaitility.Awaitility.await().until(() -> journal(dir).contains("+k\t1"));
    value.set("2");
    p.saveSoon();
    org.awaitility.Awaitility.await().until(() -> journal(dir).contains("+k\t2"));
    // not closed: what a kill -9 leaves is what the next start reads
    assertThat(reopenedCopy(dir).saved()).containsEntry("k", "2");
    s.close();
  }

  /**
   * A key that asked to be saved soon stays at the quick pace for an interval: the end of a burst (the last
   * acknowledgements, without a saveSoon of their own) is saved within a round, not an interval later.
   */
  @Test
  void aBusyKeyIsSavedEveryRoundForAnIntervalAfterItsLastSaveSoon(@TempDir Path dir) throws IOException {
    PositionStore s = PositionStore.open(dir, null);
    AtomicLong now = new AtomicLong(0);
    s.clock = now::get;
    AtomicReference<String> value = new AtomicReference<>("1");
    Positions.Position p = s.track("k", value::get);
    assertThat(s.saveRound(false)).isZero();
    value.set("2");
    p.changed();
    assertThat(s.saveRound(false)).as("a quiet key waits for its interval").isEqualTo(1);
    p.saveSoon(); // a MiB acknowledged
    assertThat(s.saveRound(false)).isZero();
    for (String v : new String[] {"3", "4"}) { // the last acknowledgements of the burst
      now.addAndGet(TimeUnit.MILLISECONDS.toNanos(300));
      value.set(v);
      p.changed();
      assertThat(s.saveRound(false)).as("a round within an interval of the saveSoon").isZero();
      assertThat(journal(dir)).contains("+k\t" + v);
    }
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500)); // 1.1 s after the saveSoon, 0.5 s after the last save
    value.set("5");
    p.changed();
    assertThat(s.saveRound(false)).as("then the interval again").isEqualTo(1);
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
    assertThat(s.saveRound(false)).as("an interval after the last save").isZero();
    assertThat(journal(dir)).contains("+k\t5");
    s.close();
  }

  @Test
  void aTornLastLineIsCutOffAndDamageInTheMiddleEndsTheValidPart(@TempDir Path dir) throws IOException {
    PositionStore s = PositionStore.open(dir, null);
    s.track("a", () -> "one\ntwo"); // values may hold newlines
    s.track("b", () -> "2");
    s.close();
    Path j = dir.resolve(PositionStore.JOURNAL);
    long good = Files.size(j);
    Files.write(j, "1234abcd +c\tpartial".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND); // kill -9
    s = PositionStore.open(dir, null);
    assertThat(s.saved()).containsOnlyKeys("a", "b").containsEntry("a", "one\ntwo");
    assertThat(Files.size(j)).isEqualTo(good);
    s.close();

    byte[] b = Files.readAllBytes(j);
    b[3] ^= 1; // the checksum of the first line no longer matches: nothing after it is trusted
    Files.write(j, b);
    s = PositionStore.open(dir, null);
    assertThat(s.saved()).isEmpty();
    s.close();
  }

  @Test
  void aJournalOfANewerFormatIsRefusedWithWhatToDoAndLeftAsItIs(@TempDir Path dir) throws IOException {
    PositionStore s = PositionStore.open(dir, null);
    s.track("a", () -> "1");
    s.close();
    Path j = dir.resolve(PositionStore.JOURNAL);
    // what a later release would write, found by this one after a rollback
    byte[] newer = (header("=format 2") + "a line this release cannot read\n").getBytes(StandardCharsets.UTF_8);
    Files.write(j, newer);
    assertThatThrownBy(() -> PositionStore.open(dir, null)).isInstanceOf(IOException.class)
        .hasMessageContaining("written by a newer swak (positions format 2, this release reads format 1)")
        .hasMessageContaining("nothing was read or changed", "swak rollback", "pos_dir");
    assertThat(Files.readAllBytes(j)).as("not cut off as damage").isEqualTo(newer);
    // the header of the format this release reads is read past, and the store was not left locked
    Files.write(j, (header("=format 1") + new String(PositionStore.line(true, "a", "7"), StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.UTF_8));
    s = PositionStore.open(dir, null);
    assertThat(s.saved()).containsOnlyKeys("a").containsEntry("a", "7");
    s.close();
  }

  private static String header(String body) {
    java.util.zip.CRC32C c = new java.util.zip.CRC32C();
    c.update(body.getBytes(StandardCharsets.UTF_8));
    return String.format("%08x %s\n", c.getValue(), body);
  }

  @Test
  void forgottenKeysStayForgotten(@TempDir Path dir) throws IOException {
    PositionStore s = PositionStore.open(dir, null);
    Positions.Position a = s.track("a", () -> "1");
    s.track("b", () -> "2");
    s.saveRound(true);
    a.forget();
    s.forget("b");
    s.close();
    assertThat(PositionStore.open(dir, null).saved()).isEmpty();
  }

  @Test
  void aLargeJournalIsRewrittenAsOneLinePerKey(@TempDir Path dir) throws IOException {
    PositionStore s = PositionStore.open(dir, null);
    AtomicReference<String> v = new AtomicReference<>();
    Positions.Position p = s.track("busy", v::get);
    s.track("idle", () -> "x");
    for (int i = 0; i < 20_000; i++) {
      v.set("offset=" + i);
      p.changed();
      s.saveRound(true);
    }
    s.close();
    assertThat(Files.size(dir.resolve(PositionStore.JOURNAL))).isLessThan(300 << 10);
    assertThat(PositionStore.open(dir, null).saved()).containsEntry("busy", "offset=19999").containsEntry("idle", "x");
  }

  @Test
  void oneStoreBelongsToOneInput(@TempDir Path dir) throws IOException {
    PositionStore a = PositionStore.open(dir, null);
    assertThatThrownBy(() -> PositionStore.open(dir, null)).hasMessageContaining("used by another running input");
    a.close();
    PositionStore.open(dir, null).close(); // free again once the first one closed
  }

  @Test
  void keysAreFileNameSafe(@TempDir Path dir) throws IOException {
    PositionStore s = PositionStore.open(dir, null);
    assertThatThrownBy(() -> s.track("a/b", () -> "1")).isInstanceOf(IllegalArgumentException.class);
    s.close();
  }

  @Test
  void theOneFilePerKeyLayoutOfEarlierVersionsIsTakenOverOnce(@TempDir Path tmp) throws IOException {
    Path old = Files.createDirectories(tmp.resolve("filetail/task-1"));
    Files.writeString(old.resolve("803-1f.pos"), "offset=42\nfingerprint=3:1\npath=/x\n");
    Files.writeString(old.resolve("started"), "");
    PositionStore s = PositionStore.open(tmp.resolve("positions/x"), null);
    assertThat(s.migrate(old)).isEqualTo(1);
    assertThat(s.firstStart()).isFalse();
    assertThat(s.saved()).containsEntry("803-1f", "offset=42\nfingerprint=3:1\npath=/x\n");
    assertThat(old).doesNotExist();
    assertThat(tmp.resolve("filetail/task-1.migrated")).isDirectory();
    s.close();
    PositionStore again = PositionStore.open(tmp.resolve("positions/x"), null);
    assertThat(again.saved()).containsKey("803-1f");
    assertThat(again.migrate(old)).isZero();
    again.close();
  }

  @Test
  void anEarlierLayoutInTheStoresOwnDirectoryIsConvertedInPlace(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("803-1f.pos"), "offset=7\nfingerprint=3:1\npath=/x\n");
    Files.writeString(dir.resolve("started"), "");
    PositionStore s = PositionStore.open(dir, null);
    assertThat(s.migrate(dir)).isEqualTo(1);
    assertThat(dir.resolve("803-1f.pos")).doesNotExist();
    s.close();
    assertThat(PositionStore.open(dir, null).saved()).containsEntry("803-1f", "offset=7\nfingerprint=3:1\npath=/x\n");
  }

  private static String journal(Path dir) throws IOException {
    Path j = dir.resolve(PositionStore.JOURNAL);
    return Files.exists(j) ? Files.readString(j) : "";
  }

  /** What a new start would read, without taking the lock of the running store: a copy of its directory. */
  private static PositionStore reopenedCopy(Path dir) throws IOException {
    Path copy = Files.createTempDirectory("positions-copy");
    Files.copy(dir.resolve(PositionStore.JOURNAL), copy.resolve(PositionStore.JOURNAL));
    return PositionStore.open(copy, null);
  }
}
