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
  void strAndBinHeadersMatchMsgpackCore() throws IOException {
    for (long n : SIZES) {
      if (n > Integer.MAX_VALUE) {
        continue;
      }
      int len = (int) n;
      assertThat(written(b -> MsgpackHeaders.str(b, 0, len))).as("str %d", len)
          .isEqualTo(packed(p -> p.packRawStringHeader(len)));
      assertThat(written(b -> MsgpackHeaders.bin(b, 0, len))).as("bin %d", len)
          .isEqualTo(packed(p -> p.packBinaryHeader(len)));
    }
  }

  @Test
  void unsignedIntegersMatchMsgpackCore() throws IOException {
    for (long v : SIZES) {
      assertThat(written(b -> MsgpackHeaders.uint(b, 0, v))).as("uint %d", v).isEqualTo(packed(p -> p.packLong(v)));
    }
    assertThatThrownBy(() -> MsgpackHeaders.uint(new byte[9], 0, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stringsCarryTheirBytes() throws IOException {
    byte[] s = "tag.näme".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(written(b -> MsgpackHeaders.str(b, 0, s))).isEqualTo(packed(p -> p.packString("tag.näme")));
  }

  private interface Writer {
    int write(byte[] b);
  }

  private interface Packing {
    void pack(MessageBufferPacker p) throws IOException;
  }

  /** Writes at offset 0 of a buffer with room to spare, and checks the returned end is where writing stopped. */
  private static byte[] written(Writer w) {
    byte[] b = new byte[64];
    Arrays.fill(b, (byte) 0x7f);
    int end = w.write(b);
    assertThat(b[end]).as("nothing written past the returned end").isEqualTo((byte) 0x7f);
    return Arrays.copyOf(b, end);
  }

  private static byte[] packed(Packing f) throws IOException {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      f.pack(p);
      return p.toByteArray();
    }
  }
}
