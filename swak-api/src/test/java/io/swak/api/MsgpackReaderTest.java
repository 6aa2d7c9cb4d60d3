package io.swak.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class MsgpackReaderTest {

  private static byte[] pack(Packing f) throws IOException {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      f.pack(p);
      return p.toByteArray();
    }
  }

  private interface Packing {
    void pack(MessageBufferPacker p) throws IOException;
  }

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Test
  void scalarsOfEveryFormat() throws IOException {
    byte[] b = pack(p -> p.packNil().packBoolean(true).packBoolean(false).packLong(5).packLong(-5).packLong(200)
        .packLong(60_000).packLong(4_000_000_000L).packLong(Long.MAX_VALUE).packLong(-100).packLong(-1000)
        .packLong(-100_000).packLong(Long.MIN_VALUE).packFloat(1.5f).packDouble(-2.25));
    MsgpackReader r = new MsgpackReader(b);
    assertThat(r.nextType()).isEqualTo(MsgpackReader.Type.NIL);
    r.readNil();
    assertThat(r.nextType()).isEqualTo(MsgpackReader.Type.BOOLEAN);
    assertThat(r.readBoolean()).isTrue();
    assertThat(r.readBoolean()).isFalse();
    for (long v : new long[] {5, -5, 200, 60_000, 4_000_000_000L, Long.MAX_VALUE, -100, -1000, -100_000,
        Long.MIN_VALUE}) {
      assertThat(r.nextType()).isEqualTo(MsgpackReader.Type.INTEGER);
      assertThat(r.readLong()).isEqualTo(v);
    }
    assertThat(r.nextType()).isEqualTo(MsgpackReader.Type.FLOAT);
    assertThat(r.readDouble()).isEqualTo(1.5);
    assertThat(r.readDouble()).isEqualTo(-2.25);
    assertThat(r.hasNext()).isFalse();
    assertThat(r.position()).isEqualTo(b.length).isEqualTo(r.end());
  }

  @Test
  void uint64AboveLongMaxIsAnErrorForReadLongAndExactOtherwise() throws IOException {
    BigInteger big = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    byte[] b = pack(p -> p.packBigInteger(big));
    MsgpackReader r = new MsgpackReader(b);
    assertThatThrownBy(r::readLong).isInstanceOf(MsgpackException.class)
        .hasMessageContaining("18446744073709551615").hasMessageContaining("at offset 0");
    assertThat(r.position()).isZero(); // a failed read moves nothing
    assertThat(r.readBigInteger()).isEqualTo(big);
    r.position(0);
    assertThat(r.readDouble()).isEqualTo(big.doubleValue());
    r.position(0);
    assertThat(r.readValue()).isEqualTo(big.doubleValue());
    byte[] small = pack(p -> p.packBigInteger(BigInteger.valueOf(7)));
    assertThat(new MsgpackReader(small).readValue()).isEqualTo(7L);
    assertThat(new MsgpackReader(bytes(0xcf, 0, 0, 0, 0, 0, 0, 0, 9)).readValue()).isEqualTo(9L); // wide uint64
    assertThat(new MsgpackReader(bytes(0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe)).readBigInteger())
        .isEqualTo(BigInteger.valueOf(-2));
  }

  @Test
  void readDoubleTakesIntegersAndReadLongRefusesFloats() throws IOException {
    MsgpackReader r = new MsgpackReader(pack(p -> p.packLong(-3).packLong(1L << 40).packDouble(1.0)));
    assertThat(r.readDouble()).isEqualTo(-3.0);
    assertThat(r.readDouble()).isEqualTo(0x1p40);
    assertThatThrownBy(r::readLong).isInstanceOf(MsgpackException.class).hasMessageContaining("expected an integer")
        .hasMessageContaining("float64");
  }

  @Test
  void stringBytesCanBeUsedInPlace() throws IOException {
    String s = "héllo wörld, a string long enough for str8";
    byte[] b = concat(bytes(0x01, 0x02), pack(p -> p.packString(s).packString("")));
    MsgpackReader r = new MsgpackReader(b, 2, b.length - 2);
    assertThat(r.position()).isEqualTo(2);
    assertThat(r.nextType()).isEqualTo(MsgpackReader.Type.STRING);
    int n = r.readStringLength();
    assertThat(n).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    assertThat(new String(r.data(), r.position(), n, StandardCharsets.UTF_8)).isEqualTo(s);
    r.skip(n);
    assertThat(r.readString()).isEmpty();
    assertThat(r.hasNext()).isFalse();
    r.position(2);
    assertThat(r.readString()).isEqualTo(s);
    assertThatThrownBy(() -> r.position(1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.position(b.length + 1)).isInstanceOf(IllegalArgumentException.class);
    r.skip(1);
    assertThatThrownBy(() -> r.skip(1)).isInstanceOf(MsgpackException.class);
  }

  @Test
  void invalidUtf8DecodesWithReplacementCharacters() {
    byte[] bad = {(byte) 0xff, 'a', (byte) 0xc3, (byte) 0xed, (byte) 0xa0, (byte) 0x80};
    byte[] b = concat(bytes(0xa0 | bad.length), bad);
    assertThat(new MsgpackReader(b).readString()).isEqualTo(new String(bad, StandardCharsets.UTF_8));
    assertThat(new MsgpackReader(b).readValue()).isEqualTo(new String(bad, StandardCharsets.UTF_8));
  }

  @Test
  void binariesAndExtensions() throws IOException {
    byte[] b = pack(p -> {
      p.packBinaryHeader(3).writePayload(new byte[] {1, 2, 3});
      p.packExtensionTypeHeader((byte) -5, 4).writePayload(new byte[] {9, 8, 7, 6});
      p.packExtensionTypeHeader((byte) 3, 300).writePayload(new byte[300]);
    });
    MsgpackReader r = new MsgpackReader(b);
    assertThat(r.nextType()).isEqualTo(MsgpackReader.Type.BINARY);
    assertThat(r.readBinaryLength()).isEqualTo(3);
    r.skip(3);
    assertThat(r.nextType()).isEqualTo(MsgpackReader.Type.EXTENSION);
    assertThat(r.readExtensionHeader()).isEqualTo(4);
    assertThat(r.extensionType()).isEqualTo((byte) -5);
    assertThat(Arrays.copyOfRange(r.data(), r.position(), r.position() + 4)).containsExactly(9, 8, 7, 6);
    r.skip(4);
    assertThat(r.readExtensionHeader()).isEqualTo(300);
    assertThat(r.extensionType()).isEqualTo((byte) 3);
    r.skip(300);
    assertThat(r.hasNext()).isFalse();
    r.position(0);
    assertThat(r.readBinary()).containsExactly(1, 2, 3);
    assertThat((byte[]) r.readValue()).containsExactly(9, 8, 7, 6);
  }

  @Test
  void containersDecodeInOrderWithKeysAsText() throws IOException {
    byte[] b = pack(p -> {
      p.packMapHeader(6);
      p.packString("z").packArrayHeader(2).packLong(1).packString("two");
      p.packString("a").packMapHeader(1).packString("k").packNil();
      p.packLong(7).packString("int key");
      p.packBinaryHeader(2).writePayload("bk".getBytes(StandardCharsets.UTF_8)).packString("bin key");
      p.packDouble(1.5).packBoolean(true);
      p.packNil().packLong(-1);
    });
    Object v = new MsgpackReader(b).readValue();
    assertThat(v).isInstanceOf(java.util.LinkedHashMap.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) v;
    assertThat(m.keySet()).containsExactly("z", "a", "7", "bk", "1.5", "null");
    assertThat(m.get("z")).isEqualTo(List.of(1L, "two"));
    assertThat(m.get("a")).isEqualTo(java.util.Collections.singletonMap("k", null));
    assertThat(m.get("1.5")).isEqualTo(true);
    assertThat(new MsgpackReader(b).readMap()).isEqualTo(m);
    MsgpackReader r = new MsgpackReader(b);
    assertThat(r.readMapHeader()).isEqualTo(6);
    assertThat(r.readString()).isEqualTo("z");
    assertThat(r.readArrayHeader()).isEqualTo(2);
    r.position(0);
    r.skipValue();
    assertThat(r.hasNext()).isFalse();
    assertThatThrownBy(() -> new MsgpackReader(pack(p -> p.packArrayHeader(0))).readMap())
        .isInstanceOf(MsgpackException.class).hasMessageContaining("expected a map, got fixarray");
  }

  @Test
  void timesInEveryFormTheForwardProtocolAllows() throws IOException {
    byte[] b = pack(p -> {
      p.packExtensionTypeHeader((byte) 0, 8).writePayload(bytes(0, 0, 0, 9, 0, 0, 0, 1)); // fixext 8
      p.writePayload(bytes(0xc7, 8, 0, 0xff, 0xff, 0xff, 0xff, 0x3b, 0x9a, 0xc9, 0xff)); // ext 8 of 8 bytes
      p.packLong(10).packDouble(1.5).packFloat(0.25f);
    });
    MsgpackReader r = new MsgpackReader(b);
    assertThat(r.readTime()).isEqualTo(9_000_000_001L);
    assertThat(r.readTime()).isEqualTo(4_294_967_295_999_999_999L);
    assertThat(r.readTime()).isEqualTo(10_000_000_000L);
    assertThat(r.readTime()).isEqualTo(1_500_000_000L);
    assertThat(r.readTime()).isEqualTo(250_000_000L);
    byte[] wrongExt = pack(p -> p.packExtensionTypeHeader((byte) 1, 8).writePayload(new byte[8]));
    assertThatThrownBy(() -> new MsgpackReader(wrongExt).readTime()).isInstanceOf(MsgpackException.class)
        .hasMessageContaining("ext type 1 of 8 bytes");
    byte[] wrongSize = pack(p -> p.packExtensionTypeHeader((byte) 0, 4).writePayload(new byte[4]));
    assertThatThrownBy(() -> new MsgpackReader(wrongSize).readTime()).isInstanceOf(MsgpackException.class)
        .hasMessageContaining("ext type 0 of 4 bytes");
    assertThatThrownBy(() -> new MsgpackReader(pack(p -> p.packString("now"))).readTime())
        .isInstanceOf(MsgpackException.class).hasMessageContaining("time must be EventTime or a number");
    byte[] cut = Arrays.copyOf(pack(p -> p.packExtensionTypeHeader((byte) 0, 8).writePayload(new byte[8])), 9);
    assertThatThrownBy(() -> new MsgpackReader(cut).readTime()).isInstanceOf(MsgpackException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void theRangeIsTheLimitNotTheArray() throws IOException {
    byte[] b = pack(p -> p.packString("abcdef").packLong(1));
    // only the first 4 bytes belong to the reader: the string runs past its end
    MsgpackReader r = new MsgpackReader(b, 0, 4);
    assertThatThrownBy(r::readString).isInstanceOf(MsgpackException.class).hasMessageContaining("truncated")
        .hasMessageContaining("at offset 0");
    assertThatThrownBy(r::readValue).isInstanceOf(MsgpackException.class);
    assertThatThrownBy(r::skipValue).isInstanceOf(MsgpackException.class);
    MsgpackReader empty = new MsgpackReader(b, 7, 0);
    assertThat(empty.hasNext()).isFalse();
    assertThatThrownBy(empty::nextType).isInstanceOf(MsgpackException.class).hasMessageContaining("at offset 7");
    assertThatThrownBy(() -> new MsgpackReader(b, 5, 10)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void neverUsedTypeByteAndWrongTypesAreReported() {
    MsgpackReader r = new MsgpackReader(bytes(0xc1));
    assertThatThrownBy(r::nextType).isInstanceOf(MsgpackException.class).hasMessageContaining("0xc1");
    assertThatThrownBy(r::readValue).isInstanceOf(MsgpackException.class).hasMessageContaining("0xc1");
    assertThatThrownBy(r::skipValue).isInstanceOf(MsgpackException.class).hasMessageContaining("0xc1");
    MsgpackReader s = new MsgpackReader(bytes(0xa1, 'x'));
    assertThatThrownBy(s::readLong).isInstanceOf(MsgpackException.class);
    assertThatThrownBy(s::readBoolean).isInstanceOf(MsgpackException.class);
    assertThatThrownBy(s::readNil).isInstanceOf(MsgpackException.class);
    assertThatThrownBy(s::readArrayHeader).isInstanceOf(MsgpackException.class);
    assertThatThrownBy(s::readMapHeader).isInstanceOf(MsgpackException.class);
    assertThatThrownBy(s::readExtensionHeader).isInstanceOf(MsgpackException.class);
    assertThatThrownBy(s::readDouble).isInstanceOf(MsgpackException.class);
    assertThat(s.position()).isZero();
    assertThat(s.readBinary()).containsExactly('x'); // a str read as a binary, as msgpack-core allows
  }

  /** Headers that claim 2^32-1 elements or bytes: each fails at once, without allocating or looping. */
  @Test
  void lyingHeadersFailFast() {
    int[][] liars = {
        {0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0}, // array32
        {0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0}, // map32
        {0xdb, 0xff, 0xff, 0xff, 0xff, 'a', 'b'}, // str32
        {0xc6, 0xff, 0xff, 0xff, 0xff, 1, 2}, // bin32
        {0xc9, 0xff, 0xff, 0xff, 0xff, 0, 1, 2}, // ext32
        {0xdc, 0xff, 0xff, 0xc0}, // array16
        {0x9f, 0xdd, 0xff, 0xff, 0xff, 0xff}, // a liar inside a fixarray
    };
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      for (int[] liar : liars) {
        byte[] b = bytes(liar);
        assertThatThrownBy(() -> new MsgpackReader(b).readValue()).isInstanceOf(MsgpackException.class)
            .hasMessageContaining("truncated");
        assertThatThrownBy(() -> new MsgpackReader(b).skipValue()).isInstanceOf(MsgpackException.class)
            .hasMessageContaining("truncated");
      }
      assertThatThrownBy(() -> new MsgpackReader(bytes(liars[0])).readArrayHeader())
          .isInstanceOf(MsgpackException.class).hasMessageContaining("4294967295 elements");
      assertThatThrownBy(() -> new MsgpackReader(bytes(liars[1])).readMapHeader())
          .isInstanceOf(MsgpackException.class).hasMessageContaining("4294967295 pairs");
      assertThatThrownBy(() -> new MsgpackReader(bytes(liars[2])).readStringLength())
          .isInstanceOf(MsgpackException.class);
      assertThatThrownBy(() -> new MsgpackReader(bytes(liars[4])).readExtensionHeader())
          .isInstanceOf(MsgpackException.class);
      // a million-element header over a million bytes of arrays that each claim 15 more: fails, and fast
      byte[] many = new byte[1 << 20];
      Arrays.fill(many, (byte) 0x9f);
      many[0] = (byte) 0xdd;
      many[1] = 0;
      many[2] = 0x0f;
      assertThatThrownBy(() -> new MsgpackReader(many).skipValue()).isInstanceOf(MsgpackException.class);
    });
  }

  @Test
  void deepNestingNeverOverflowsTheStack() {
    int depth = 100_000;
    byte[] arrays = new byte[depth + 1];
    Arrays.fill(arrays, (byte) 0x91);
    arrays[depth] = (byte) 0xc0;
    MsgpackReader r = new MsgpackReader(arrays);
    r.skipValue();
    assertThat(r.position()).isEqualTo(arrays.length);
    assertThatThrownBy(() -> new MsgpackReader(arrays).readValue()).isInstanceOf(MsgpackException.class)
        .hasMessageContaining("nested deeper than " + MsgpackReader.MAX_DEPTH);
    byte[] maps = new byte[2 * depth + 1];
    for (int i = 0; i < depth; i++) {
      maps[2 * i] = (byte) 0x81;
      maps[2 * i + 1] = (byte) 0xa0; // key ""
    }
    maps[2 * depth] = 1;
    new MsgpackReader(maps).skipValue();
    assertThatThrownBy(() -> new MsgpackReader(maps).readValue()).isInstanceOf(MsgpackException.class);
    // maps as keys: the recursion goes through the keys
    byte[] keys = new byte[depth + 1];
    Arrays.fill(keys, (byte) 0x81);
    assertThatThrownBy(() -> new MsgpackReader(keys).readValue()).isInstanceOf(MsgpackException.class);
    assertThatThrownBy(() -> new MsgpackReader(keys).skipValue()).isInstanceOf(MsgpackException.class)
        .hasMessageContaining("truncated");
    byte[] unterminated = Arrays.copyOf(arrays, depth);
    assertThatThrownBy(() -> new MsgpackReader(unterminated).skipValue()).isInstanceOf(MsgpackException.class);
  }

  @Test
  void maxDepthContainersDecodeAndOneMoreDoesNot() {
    int max = MsgpackReader.MAX_DEPTH;
    byte[] ok = new byte[max + 1];
    Arrays.fill(ok, (byte) 0x91);
    ok[max] = 7;
    Object v = new MsgpackReader(ok).readValue();
    for (int i = 0; i < max; i++) {
      v = ((List<?>) v).get(0);
    }
    assertThat(v).isEqualTo(7L);
    byte[] deeper = new byte[max + 2];
    Arrays.fill(deeper, (byte) 0x91);
    deeper[max + 1] = 7;
    assertThatThrownBy(() -> new MsgpackReader(deeper).readValue()).isInstanceOf(MsgpackException.class);
  }
}
