package io.swak.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class EntryReaderTest {

  @Test
  void recordBoundsLetACallerCopyTheRecordAsBytes() throws IOException {
    Map<String, Object> rec = new LinkedHashMap<>();
    rec.put("message", "GET / 200");
    rec.put("n", List.of(1L, 2L));
    Batch b = new BatchBuilder().add(1_000_000_002L, rec).add(3, Map.of("k", "v")).build("t", Ack.NONE);
    byte[] padded = new byte[b.length() + 7];
    System.arraycopy(b.data(), 0, padded, 5, b.length());
    try (EntryReader r = new EntryReader(padded, 5, b.length())) {
      assertThat(r.hasNext()).isTrue();
      r.next();
      assertThat(r.timeNanos()).isEqualTo(1_000_000_002L);
      assertThat(r.recordStart()).isEqualTo(5 + 11); // absolute: past the 11-byte entry head
      assertThat(r.position()).isEqualTo(11); // relative to the offset, as before
      byte[] raw = r.rawRecord();
      assertThat(raw).isEqualTo(BatchBuilder.packValue(rec));
      assertThat(r.recordEnd() - r.recordStart()).isEqualTo(raw.length);
      assertThat(new MsgpackReader(padded, r.recordStart(), r.recordEnd() - r.recordStart()).readValue())
          .isEqualTo(rec);
      assertThat(r.record()).isEqualTo(rec); // the bounds leave the record readable
      assertThatThrownBy(r::record).isInstanceOf(IllegalStateException.class);
      assertThat(r.position()).isEqualTo(11 + raw.length);
      r.next(); // without hasNext
      assertThat(r.timeNanos()).isEqualTo(3);
      assertThat(r.rawRecord()).isEqualTo(BatchBuilder.packValue(Map.of("k", "v")));
      assertThat(r.hasNext()).isFalse();
    }
  }

  @Test
  void unreadRecordsAreSkipped() throws IOException {
    BatchBuilder bb = new BatchBuilder();
    for (int i = 0; i < 50; i++) {
      bb.add(i, Map.of("i", (long) i, "nested", Map.of("l", List.of("x", Map.of()))));
    }
    Batch b = bb.build("t", Ack.NONE);
    try (EntryReader r = new EntryReader(b.data(), 0, b.length())) {
      int n = 0;
      while (r.hasNext()) {
        r.next();
        assertThat(r.timeNanos()).isEqualTo(n);
        if (n % 3 == 0) {
          assertThat(r.record()).containsEntry("i", (long) n);
        } else if (n % 3 == 1) {
          r.recordEnd();
        }
        n++;
      }
      assertThat(n).isEqualTo(50);
      assertThat(r.position()).isEqualTo(b.length());
    }
  }

  @Test
  void fluentBitMetadataAndOtherTimeForms() throws IOException {
    byte[] bytes;
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      // [[EventTime, {metadata}], record], with the time as ext 8 rather than fixext 8
      p.packArrayHeader(2).packArrayHeader(2);
      p.writePayload(new byte[] {(byte) 0xc7, 8, 0, 0, 0, 0, 9, 0, 0, 0, 1});
      p.packMapHeader(1).packString("meta").packArrayHeader(1).packLong(1);
      p.packMapHeader(1).packString("k").packString("v");
      // [float time, record], and a map32 record as Fluent Bit writes them
      p.packArrayHeader(2).packDouble(2.5).writePayload(new byte[] {(byte) 0xdf, 0, 0, 0, 1});
      p.packString("a").packLong(1);
      // [[int time], record]
      p.packArrayHeader(2).packArrayHeader(1).packLong(7).packMapHeader(0);
      bytes = p.toByteArray();
    }
    try (EntryReader r = new EntryReader(bytes, 0, bytes.length)) {
      r.next();
      assertThat(r.timeNanos()).isEqualTo(9_000_000_001L);
      assertThat(r.record()).isEqualTo(Map.of("k", "v"));
      r.next();
      assertThat(r.timeNanos()).isEqualTo(2_500_000_000L);
      assertThat(r.record()).isEqualTo(Map.of("a", 1L));
      r.next();
      assertThat(r.timeNanos()).isEqualTo(7_000_000_000L);
      assertThat(r.hasNext()).isFalse();
    }
  }

  @Test
  void malformedEntriesAreMsgpackExceptions() throws IOException {
    byte[][] bad = {
        pack(p -> p.packArrayHeader(3).packLong(1).packMapHeader(0).packNil()), // [time, record, extra]
        pack(p -> p.packArrayHeader(1).packLong(1)), // [time]
        pack(p -> p.packArrayHeader(2).packArrayHeader(0).packMapHeader(0)), // [[], record]
        pack(p -> p.packArrayHeader(2).packString("t").packMapHeader(0)), // a string time
        pack(p -> p.packMapHeader(0)), // not an entry
        Arrays.copyOf(new BatchBuilder().add(1, Map.of("k", "v")).build("t", Ack.NONE).data(), 11), // no record
    };
    for (byte[] b : bad) {
      EntryReader r = new EntryReader(b, 0, b.length);
      assertThat(r.hasNext()).isTrue();
      assertThatThrownBy(r::next).as(Arrays.toString(b)).isInstanceOf(MsgpackException.class);
      assertThat(r.hasNext()).as("nothing is read after a malformed entry").isFalse();
      assertThatThrownBy(new Batch("tag", b, b.length, 1, Ack.NONE)::events).isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("corrupt batch of tag tag");
    }
    assertThatThrownBy(() -> new EntryReader(bad[0], 0, bad[0].length).next()).hasMessageContaining("array of 3");
    assertThatThrownBy(() -> new EntryReader(bad[2], 0, 3).next()).hasMessageContaining("empty [time, metadata]");

    byte[] notAMap = pack(p -> p.packArrayHeader(2).packLong(1).packString("rec").packArrayHeader(2).packLong(2)
        .packMapHeader(0));
    try (EntryReader r = new EntryReader(notAMap, 0, notAMap.length)) {
      r.next();
      assertThatThrownBy(r::record).isInstanceOf(MsgpackException.class).hasMessageContaining("record must be a map");
      assertThat(r.rawRecord()).containsExactly(0xa3, 'r', 'e', 'c');
      r.next(); // the record that did not decode is skipped
      assertThat(r.timeNanos()).isEqualTo(2_000_000_000L);
      assertThat(r.record()).isEmpty();
    }
  }

  @Test
  void aRecordThatDoesNotEndWithinTheDataEndsTheReading() throws IOException {
    byte[] b = new BatchBuilder().add(1, Map.of("k", "v")).add(2, Map.of("k", "value")).build("t", Ack.NONE).data();
    int cut = b.length - 2;
    try (EntryReader r = new EntryReader(b, 0, cut)) {
      r.next();
      assertThat(r.record()).isEqualTo(Map.of("k", "v"));
      r.next();
      assertThat(r.timeNanos()).isEqualTo(2);
      assertThatThrownBy(r::recordEnd).isInstanceOf(MsgpackException.class).hasMessageContaining("truncated");
      assertThatThrownBy(r::hasNext).isInstanceOf(MsgpackException.class);
      assertThat(r.hasNext()).isFalse();
    }
  }

  @Test
  void aDeeplyNestedRecordFailsToDecodeButCanBeSkipped() throws IOException {
    int depth = 100_000;
    byte[] deep = new byte[11 + 3 + depth + 1];
    int p = MsgpackHeaders.entryHead(deep, 0, 5);
    deep[p++] = (byte) 0x81;
    deep[p++] = (byte) 0xa1;
    deep[p++] = 'k';
    Arrays.fill(deep, p, p + depth, (byte) 0x91);
    deep[p + depth] = (byte) 0xc0;
    try (EntryReader r = new EntryReader(deep, 0, deep.length)) {
      r.next();
      assertThatThrownBy(r::record).isInstanceOf(MsgpackException.class);
      assertThat(r.recordEnd()).isEqualTo(deep.length);
      assertThat(r.hasNext()).isFalse();
    }
    assertThatThrownBy(new Batch("t", deep, deep.length, 1, Ack.NONE)::events)
        .isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void packValueWritesWhatMsgpackCoreWrote() throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("big", new java.math.BigInteger("18446744073709551615"));
    m.put("neg", new java.math.BigInteger("-9223372036854775808"));
    m.put("f", 1.25f);
    m.put("bd", new java.math.BigDecimal("0.1"));
    m.put("s", (short) -300);
    m.put("obj", java.time.Duration.ofSeconds(3));
    m.put("bin", new byte[300]);
    m.put("set", new java.util.TreeSet<>(List.of(3, 1, 2)));
    m.put("keys", Map.of(1, "one"));
    m.put("surrogate", "\ud800x");
    assertThat(BatchBuilder.packValue(m)).isEqualTo(MsgpackCore.packed(m));
  }

  @Test
  void aValueThatCannotBePackedAddsNothing() {
    BatchBuilder bb = new BatchBuilder().add(1, Map.of("a", 1L));
    long size = bb.sizeBytes();
    assertThatThrownBy(() -> bb.add(2, Map.of("x", java.math.BigInteger.ONE.shiftLeft(64))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BatchBuilder.packValue(java.math.BigInteger.ONE.shiftLeft(63).negate().subtract(
        java.math.BigInteger.ONE))).isInstanceOf(IllegalArgumentException.class);
    assertThat(bb.sizeBytes()).isEqualTo(size);
    assertThat(bb.count()).isEqualTo(1);
    assertThat(bb.add(3, Map.of("b", 2L)).build("t", Ack.NONE).events())
        .containsExactly(new Event("t", 1, Map.of("a", 1L)), new Event("t", 3, Map.of("b", 2L)));
  }

  private interface Packing {
    void pack(MessageBufferPacker p) throws IOException;
  }

  private static byte[] pack(Packing f) throws IOException {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      f.pack(p);
      return p.toByteArray();
    }
  }
}
