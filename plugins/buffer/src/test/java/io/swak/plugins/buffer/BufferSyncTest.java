package io.swak.plugins.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.api.BatchBuilder;
import io.swak.core.testing.TestContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file buffer's syncs, step by step on one thread: the timer takes a chunk's acks under the lock and
 * forces the file outside it, so the chunk can be sealed in between. What the threads would interleave is
 * done here in that order (no timer or flusher thread is started).
 */
class BufferSyncTest {

  @TempDir
  Path dir;
  final AtomicInteger acked = new AtomicInteger();
  TestContext context;

  @BeforeEach
  void context() {
    context = new TestContext(dir, Clock.systemUTC(), "task 1", "buffer");
  }

  Buffer buffer() throws Exception {
    Buffer b = new Buffer(new BufferSettings(BufferSettings.Type.FILE, dir.resolve("buf"), Duration.ZERO, 0, 1 << 20,
        1L << 30, 1L << 30, BufferSettings.Overflow.BLOCK, BufferSettings.Fsync.INTERVAL, Duration.ofHours(1)));
    b.start(context);
    b.accept(new BatchBuilder().add(1L, Map.of("n", 1)).build("t", acked::incrementAndGet), batch -> { });
    return b;
  }

  long fsyncs() {
    return context.count("fsyncs");
  }

  @Test
  void aChunkSealedWhileItsSyncIsUnderWayIsStillForcedBeforeItsAckCompletes() throws Exception {
    Buffer b = buffer();
    List<Buffer.SyncJob> held = new ArrayList<>();
    b.takeSyncs(true, held); // the timer took the open chunk's ack; its force() has not run yet
    assertThat(held).hasSize(1);
    b.close(); // a stop seals the chunk meanwhile (its file must stay open for that sync)
    assertThat(fsyncs()).isEqualTo(1); // close() synced it, as nothing else would any more
    b.sync(held);
    assertThat(acked).hasValue(1);
  }

  @Test
  void aSealedChunkIsSyncedOnceItsSyncOnTheWayIsDone() throws Exception {
    Buffer b = buffer();
    List<Buffer.SyncJob> held = new ArrayList<>();
    b.takeSyncs(true, held);
    b.accept(new BatchBuilder().add(2L, Map.of("n", 2)).build("t", acked::incrementAndGet), batch -> { });
    List<Buffer.SyncJob> meanwhile = new ArrayList<>();
    b.takeSyncs(true, meanwhile);
    assertThat(meanwhile).isEmpty(); // one sync of a chunk at a time
    b.sync(held);
    assertThat(acked).hasValue(1);
    assertThat(fsyncs()).isEqualTo(1);
    List<Buffer.SyncJob> next = new ArrayList<>();
    b.takeSyncs(true, next);
    b.sync(next);
    assertThat(acked).hasValue(2);
    assertThat(fsyncs()).isEqualTo(2);
    b.close();
  }
}
