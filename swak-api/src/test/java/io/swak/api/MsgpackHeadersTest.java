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
      MsgpackReader in = new MsgpackReader(head);
      assertThat(in.readArrayHeader()).isEqualTo(2);
      assertThat(in.readTime()).as("time %d", t).isEqualTo(t);
      try (var core = MessagePack.newDefaultUnpacker(head)) { // and as msgpack-core reads it
        assertThat(core.unpackArrayHeader()).isEqualTo(2);
        var h = core.unpackExtensionTypeHeader();
        assertThat(h.getType()).isZero();
        byte[] payload = core.readPayload(h.getLength());
        long sec = java.nio.ByteBuffer.wrap(payload).getInt() & 0xffffffffL;
        long ns = java.nio.ByteBuffer.wrap(payload, 4, 4).getInt() & 0xffffffffL;
        assertThat(sec * 1_000_000_000L + ns).isEqualTo(t);
      }
    }
  }

  private static final long[] INTEGERS = {0, 1, 31, 32, 127, 128, 255, 256, 65_535, 65_536, (1L << 32) - 1,
      1L << 32, Long.MAX_VALUE, -1, -31, -32, -33, -127, -128, -129, -32_767, -32_768, -32_769, Integer.MIN_VALUE,
      Integer.MIN_VALUE - 1L, Long.MIN_VALUE};

  @Test
  void integersMatchMsgpackCore() throws IOException {
    for (long v : INTEGERS) {
      assertThat(written((b, p) -> MsgpackHeaders.integer(b, p, v))).as("integer %d", v)
          .isEqualTo(packed(p -> p.packLong(v)));
    }
    for (long bits : new long[] {Long.MIN_VALUE, -1, -2, Long.MAX_VALUE, 0}) {
      java.math.BigInteger unsigned = new java.math.BigInteger(Long.toUnsignedString(bits));
      byte[] w = written((b, p) -> MsgpackHeaders.uint64(b, p, bits));
      assertThat(w).hasSize(9);
      try (var in = MessagePack.newDefaultUnpacker(w)) {
        assertThat(in.unpackBigInteger()).isEqualTo(unsigned);
      }
      if (bits < 0) { // where it is the shortest form, msgpack-core writes the same
        assertThat(w).isEqualTo(packed(p -> p.packBigInteger(unsigned)));
      }
    }
  }

  @Test
  void scalarsAndContainerHeadersMatchMsgpackCore() throws IOException {
    for (double d : new double[] {0.0, -0.0, 1.5, Double.NaN, Double.MAX_VALUE, Double.MIN_VALUE,
        Double.NEGATIVE_INFINITY, Double.longBitsToDouble(0x7ff0000000000123L)}) {
      assertThat(written((b, p) -> MsgpackHeaders.float64(b, p, d))).as("float64 %s", d)
          .isEqualTo(packed(p -> p.packDouble(d)));
    }
    assertThat(written((b, p) -> MsgpackHeaders.bool(b, p, true))).isEqualTo(packed(p -> p.packBoolean(true)));
    assertThat(written((b, p) -> MsgpackHeaders.bool(b, p, false))).isEqualTo(packed(p -> p.packBoolean(false)));
    assertThat(written(MsgpackHeaders::nil)).isEqualTo(packed(p -> p.packNil()));
    for (long n : SIZES) {
      if (n > Integer.MAX_VALUE) {
        continue;
      }
      int len = (int) n;
      assertThat(written((b, p) -> MsgpackHeaders.array(b, p, len))).as("array %d", len)
          .isEqualTo(packed(p -> p.packArrayHeader(len)));
      assertThat(written((b, p) -> MsgpackHeaders.map(b, p, len))).as("map %d", len)
          .isEqualTo(packed(p -> p.packMapHeader(len)));
    }
    for (int n : new int[] {15, 16}) { // the fix forms end at 15, not at 31 as fixstr does
      assertThat(written((b, p) -> MsgpackHeaders.array(b, p, n))).isEqualTo(packed(p -> p.packArrayHeader(n)));
    }
    assertThatThrownBy(() -> MsgpackHeaders.array(new byte[9], 0, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MsgpackHeaders.map(new byte[9], 0, -1)).isInstanceOf(IllegalArgumentException.class);
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
