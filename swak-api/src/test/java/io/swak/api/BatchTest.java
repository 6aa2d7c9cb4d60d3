package io.swak.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessagePack;

class BatchTest {

  @Test
  void recordsSurviveEncodingWithNanosecondTimes() {
    Map<String, Object> rec = new LinkedHashMap<>();
    rec.put("s", "한국어 ✓");
    rec.put("i", -7L);
    rec.put("big", 1234567890123L);
    rec.put("d", 0.5);
    rec.put("b", true);
    rec.put("n", null);
    rec.put("l", List.of(1L, "two"));
    rec.put("m", Map.of("k", "v"));
    long t = 1_704_164_645_123_456_789L;
    Batch b = new BatchBuilder().add(t, rec).add(t + 1, Map.of("x", 1L)).build("app.test", Ack.NONE);

    assertThat(b.count()).isEqualTo(2);
    List<Event> events = b.events();
    assertThat(events.get(0).timeNanos()).isEqualTo(t);
    assertThat(events.get(0).record()).isEqualTo(rec);
    assertThat(events.get(1)).isEqualTo(new Event("app.test", t + 1, Map.of("x", 1L)));
  }

  @Test
  void messageFastPathEqualsTheGeneralEncoding() {
    byte[] line = "GET / 200".getBytes(StandardCharsets.UTF_8);
    Batch fast = new BatchBuilder().addMessage(5_000_000_001L, BatchBuilder.key("message"), line, 0, line.length)
        .build("t", Ack.NONE);
    Batch slow = new BatchBuilder().add(5_000_000_001L, Map.of("message", "GET / 200")).build("t", Ack.NONE);
    assertThat(fast.data()).isEqualTo(slow.data());
  }

  @Test
  void messageWithASecondFieldAndMixedWithPlainMessagesEqualsTheGeneralEncoding() {
    byte[] line = "GET / 200".getBytes(StandardCharsets.UTF_8);
    byte[] key = BatchBuilder.key("message");
    byte[] file = "/var/log/a.log".getBytes(StandardCharsets.UTF_8);
    Batch fast = new BatchBuilder()
        .addMessage(7L, key, line, 0, line.length, BatchBuilder.key("path"), file)
        .addMessage(7L, key, line, 0, 3) // same time and key, one field: the shared prefix must change
        .build("t", Ack.NONE);
    Map<String, Object> two = new java.util.LinkedHashMap<>();
    two.put("message", "GET / 200");
    two.put("path", "/var/log/a.log");
    Batch slow = new BatchBuilder().add(7L, two).add(7L, Map.of("message", "GET")).build("t", Ack.NONE);
    assertThat(fast.data()).isEqualTo(slow.data());
  }

  @Test
  void messageWithPrePackedExtraFieldsEqualsTheGeneralEncoding() {
    byte[] line = "GET / 200".getBytes(StandardCharsets.UTF_8);
    byte[] key = BatchBuilder.key("message");
    // {file: "/var/log/a.log", host: "web-1"} packed once for every line of the file
    byte[] extra = concat(BatchBuilder.packValue("file"), BatchBuilder.packValue("/var/log/a.log"),
        BatchBuilder.packValue("host"), BatchBuilder.packValue("web-1"));
    Batch fast = new BatchBuilder()
        .addMessageWith(7L, key, line, 0, line.length, extra, 2)
        .addMessage(7L, key, line, 0, 3) // same time and key, one field: the shared prefix must change
        .addMessageWith(7L, key, line, 0, line.length, extra, 2)
        .build("t", Ack.NONE);
    Map<String, Object> three = new java.util.LinkedHashMap<>();
    three.put("message", "GET / 200");
    three.put("file", "/var/log/a.log");
    three.put("host", "web-1");
    Batch slow = new BatchBuilder().add(7L, three).add(7L, Map.of("message", "GET")).add(7L, three)
        .build("t", Ack.NONE);
    assertThat(fast.data()).isEqualTo(slow.data());
    assertThatThrownBy(() -> new BatchBuilder().addMessageWith(7L, key, line, 0, 1, extra, 15))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void entriesUseEventTimeExtensionAsTheForwardProtocolDoes() {
    Batch b = new BatchBuilder().add(1_000_000_002L, Map.of()).build("t", Ack.NONE);
    // [fixarray 2][fixext8 type 0: sec=1, nsec=2][fixmap 0]
    assertThat(b.data()).containsExactly(0x92, 0xd7, 0x00, 0, 0, 0, 1, 0, 0, 0, 2, 0x80);
  }

  @Test
  void aBuiltBatchKeepsItsEventsWhileTheBuilderGoesOn() {
    BatchBuilder bb = new BatchBuilder();
    byte[] key = BatchBuilder.key("message");
    List<Batch> built = new java.util.ArrayList<>();
    // large and small batches in turn: none may change when the builder is reused
    for (int round = 0; round < 6; round++) {
      int lines = round % 2 == 0 ? 300 : 2;
      for (int i = 0; i < lines; i++) {
        byte[] line = ("round " + round + " line " + i + " " + "x".repeat(40)).getBytes(StandardCharsets.UTF_8);
        bb.addMessage(1_000_000_000L * round, key, line, 0, line.length);
      }
      built.add(bb.build("t" + round, Ack.NONE));
    }
    for (int round = 0; round < 6; round++) {
      Batch b = built.get(round);
      List<Event> events = b.events();
      assertThat(events).hasSize(round % 2 == 0 ? 300 : 2);
      for (int i = 0; i < events.size(); i++) {
        assertThat(events.get(i).record()).isEqualTo(Map.of("message", "round " + round + " line " + i + " "
            + "x".repeat(40)));
      }
    }
  }

  @Test
  void clearForgetsWhatWasAddedAndTheTimeHelpersAgree() {
    BatchBuilder bb = new BatchBuilder();
    bb.add(1L, Map.of("n", 1L));
    bb.clear();
    bb.add(2L, Map.of("n", 2L));
    Batch b = bb.build("t", Ack.NONE);
    assertThat(b.events()).containsExactly(new Event("t", 2L, Map.of("n", 2L)));
    assertThat(Event.epochNanos(java.time.Instant.ofEpochSecond(1_700_000_000L, 123_456_789)))
        .isEqualTo(1_700_000_000_123_456_789L);
  }

  @Test
  void mergingBatchesKeepsEveryEntry() {
    BatchBuilder bb = new BatchBuilder();
    Batch a = bb.add(1, Map.of("a", 1L)).build("t", Ack.NONE);
    Batch c = bb.add(2, Map.of("c", 2L)).add(3, Map.of("c", 3L)).build("t", Ack.NONE);
    Batch merged = bb.addAll(a).addAll(c).build("t", Ack.NONE);
    assertThat(merged.count()).isEqualTo(3);
    assertThat(merged.events()).extracting(Event::timeNanos).containsExactly(1L, 2L, 3L);
  }

  @Test
  void fluentBitMetadataEntriesAndIntegerTimesDecode() throws Exception {
    var p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(2).packArrayHeader(2).packExtensionTypeHeader((byte) 0, 8)
        .writePayload(new byte[] {0, 0, 0, 9, 0, 0, 0, 1});
    p.packMapHeader(0).packMapHeader(1).packString("k").packString("v");
    p.packArrayHeader(2).packLong(10).packMapHeader(0);
    byte[] bytes = p.toByteArray();
    Batch b = new Batch("t", bytes, bytes.length, 2, Ack.NONE);
    assertThat(b.events()).extracting(Event::timeNanos).containsExactly(9_000_000_001L, 10_000_000_000L);
    assertThat(b.events().get(0).record()).isEqualTo(Map.of("k", "v"));
  }

  @Test
  void garbageIsReportedNotSilentlyDecoded() {
    byte[] junk = {(byte) 0x93, 1, 2, 3};
    Batch b = new Batch("t", junk, junk.length, 1, Ack.NONE);
    assertThatThrownBy(b::events).isInstanceOf(UncheckedIOException.class).hasMessageContaining("corrupt batch");
  }
}
