package io.swak.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** The hand-written headers are byte for byte what msgpack-core writes, at every size boundary. */
class MsgpackHeadersTest {

  private static final long[] SIZES = {0, 1, 31, 32, 127, 128, 255, 256, 65_535, 65_536, 1L << 31, (1L << 32) - 1,
      1L << 32, Long.MAX_VALUE};

  @Test
  void fixedSizesMatchWhatMsgpackCoreWrites() throws IOException {
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packFloat(1f).packDouble(1d).packByte((byte) -100).packShort((short) -1000).packInt(-100_000)
        .packLong(-10_000_000_000L).packLong(200).packLong(60_000).packLong(4_000_000_000L)
        .packLong(Long.MAX_VALUE).packBigInteger(java.math.BigInteger.ONE.shiftLeft(63));
    for (int n : new int[] {1, 2, 4, 8, 16}) {
      p.packExtensionTypeHeader((byte) 1, n).writePayload(new byte[n]);
    }
    byte[] b = p.toByteArray();
    int values = 0;
    int at = 0;
    for (; at < b.length; values++) {
      at += MsgpackHeaders.fixedSize(b[at] & 0xff); // each step must land on the next value's type byte
    }
    assertThat(at).isEqualTo(b.length);
    assertThat(values).isEqualTo(16);
    assertThatThrownBy(() -> MsgpackHeaders.fixedSize(0xd9)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void strAndBinHeadersMatchMsgpackCore() throws IOException {
    for (long n : SIZES) {
      if (n > Integer.MAX_VALUE) {
        continue;
      }
      int len = (int) n;
      assertThat(written((b, p) -> MsgpackHeaders.str(b, p, len))).as("str %d", len)
          .isEqualTo(packed(p -> p.packRawStringHeader(len)));
      assertThat(written((b, p) -> MsgpackHeaders.bin(b, p, len))).as("bin %d", len)
          .isEqualTo(packed(p -> p.packBinaryHeader(len)));
    }
  }

  @Test
  void unsignedIntegersMatchMsgpackCore() throws IOException {
    for (long v : SIZES) {
      assertThat(written((b, p) -> MsgpackHeaders.uint(b, p, v))).as("uint %d", v)
          .isEqualTo(packed(p -> p.packLong(v)));
    }
    assertThatThrownBy(() -> MsgpackHeaders.uint(new byte[9], 0, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stringsCarryTheirBytes() throws IOException {
    byte[] s = "tag.näme".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(written((b, p) -> MsgpackHeaders.str(b, p, s))).isEqualTo(packed(p -> p.packString("tag.näme")));
  }

  @Test
  void entryHeadsCarryTheTimeToTheNanosecond() throws IOException {
    // EventTime seconds are an unsigned 32-bit number: 1970 to 2106
    for (long t : new long[] {0, 1, 999_999_999, 1_700_000_000_123_456_789L, 4_294_967_295_999_999_999L}) {
      byte[] head = written((b, p) -> MsgpackHeaders.entryHead(b, p, t));
      assertThat(head).hasSize(11);
      try (var in = MessagePack.newDefaultUnpacker(head)) {
        assertThat(in.unpackArrayHeader()).isEqualTo(2);
        assertThat(EntryReader.readTime(in)).as("time %d", t).isEqualTo(t);
      }
    }
  }

  private interface Writer {
    int write(byte[] b, int p);
  }

  private interface Packing {
    void pack(MessageBufferPacker p) throws IOException;
  }

  /**
   * Writes at offset 3 of a buffer with room to spare, and checks that nothing before it or past the returned
   * end was touched.
   */
  private static byte[] written(Writer w) {
    byte[] b = new byte[64];
    Arrays.fill(b, (byte) 0x7f);
    int end = w.write(b, 3);
    assertThat(Arrays.copyOf(b, 3)).as("nothing written before the offset").containsOnly((byte) 0x7f);
    assertThat(b[end]).as("nothing written past the returned end").isEqualTo((byte) 0x7f);
    return Arrays.copyOfRange(b, 3, end);
  }

  private static byte[] packed(Packing f) throws IOException {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      f.pack(p);
      return p.toByteArray();
    }
  }
}
