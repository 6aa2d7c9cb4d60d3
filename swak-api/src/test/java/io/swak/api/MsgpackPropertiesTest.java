package io.swak.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.api.MsgpackCore.Entry;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;

/**
 * swak-api's msgpack code against msgpack-core as an independent encoder and decoder: what msgpack-core packs,
 * in every format (also the non-shortest ones other encoders write), MsgpackReader decodes to the same values;
 * what BatchBuilder packs is byte for byte what msgpack-core packed, and EntryReader decodes it as the
 * msgpack-core EntryReader did; garbage and truncations fail with MsgpackException and nothing else.
 */
class MsgpackPropertiesTest {

  // ---- msgpack written by msgpack-core's packer, every format ----

  /** A msgpack value to write with msgpack-core; {@code desc} is what a failure reports. */
  record Node(String desc, Writer writer) {
    interface Writer {
      void write(MessagePacker p) throws IOException;
    }

    byte[] bytes() {
      try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
        writer.write(p);
        return p.toByteArray();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public String toString() {
      return desc;
    }
  }

  private static Node raw(String desc, byte[] header, byte[] payload) {
    return new Node(desc, p -> p.writePayload(header).writePayload(payload));
  }

  /** {@code v} as {@code width} big-endian bytes after the type byte {@code type}. */
  private static byte[] header(int type, int width, long v) {
    byte[] b = new byte[1 + width];
    b[0] = (byte) type;
    for (int i = 0; i < width; i++) {
      b[1 + i] = (byte) (v >>> (8 * (width - 1 - i)));
    }
    return b;
  }

  private static Arbitrary<Long> longs() {
    return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-300, 300),
        Arbitraries.longs().between(-70_000, 70_000), Arbitraries.longs().between(-(1L << 33), 1L << 33));
  }

  private static Arbitrary<byte[]> byteArrays(int max) {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
  }

  static Arbitrary<Node> scalars() {
    Arbitrary<Node> nil = Arbitraries.just(new Node("nil", MessagePacker::packNil));
    Arbitrary<Node> bool = Arbitraries.of(true, false).map(b -> new Node("bool " + b, p -> p.packBoolean(b)));
    Arbitrary<Node> shortestInt = longs().map(v -> new Node("int " + v, p -> p.packLong(v)));
    // every integer format with any bits: int8..int64 and uint8..uint64, whatever the value needs
    Arbitrary<Node> wideInt = Combinators.combine(Arbitraries.of(0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3),
        Arbitraries.longs()).as((t, v) -> {
          int width = 1 << ((t - 0xcc) & 3);
          return raw(String.format("0x%x %x", t, v), header(t, width, v), new byte[0]);
        });
    Arbitrary<Node> uint64 = Arbitraries.bigIntegers().between(BigInteger.ONE.shiftLeft(63),
        BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)).map(v -> new Node("uint64 " + v,
            p -> p.packBigInteger(v)));
    Arbitrary<Node> float32 = Arbitraries.oneOf(Arbitraries.floats(), Arbitraries.integers().map(Float::intBitsToFloat),
        Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE))
        .map(f -> new Node("float32 " + f, p -> p.packFloat(f)));
    Arbitrary<Node> float64 = Arbitraries.oneOf(Arbitraries.doubles(),
        Arbitraries.longs().map(Double::longBitsToDouble),
        Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0d, Double.MIN_VALUE))
        .map(d -> new Node("float64 " + d, p -> p.packDouble(d)));
    Arbitrary<Node> string = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.strings().all().ofMaxLength(40)),
        Tuple.of(1, Arbitraries.strings().all().ofMinLength(80).ofMaxLength(300)),
        Tuple.of(1, Arbitraries.strings().ofMinLength(520).ofMaxLength(700))) // msgpack-core's encoder path
        .map(s -> new Node("str " + s.length() + " chars", p -> p.packString(s)));
    Arbitrary<Node> rawString = byteArrays(300).map(b -> new Node("str of " + b.length + " random bytes",
        p -> p.packRawStringHeader(b.length).writePayload(b)));
    Arbitrary<Node> wideString = Combinators.combine(Arbitraries.of(0xd9, 0xda, 0xdb), byteArrays(40))
        .as((t, b) -> raw(String.format("0x%x of %d bytes", t, b.length),
            header(t, 1 << (t - 0xd9), b.length), b));
    Arbitrary<Node> bin = byteArrays(300).map(b -> new Node("bin " + b.length,
        p -> p.packBinaryHeader(b.length).writePayload(b)));
    Arbitrary<Node> wideBin = Combinators.combine(Arbitraries.of(0xc4, 0xc5, 0xc6), byteArrays(40))
        .as((t, b) -> raw(String.format("0x%x of %d bytes", t, b.length),
            header(t, 1 << (t - 0xc4), b.length), b));
    Arbitrary<Node> ext = Combinators.combine(Arbitraries.bytes(), byteArrays(20))
        .as((t, b) -> new Node("ext " + t + " of " + b.length, // fixext 1..16 and ext 8
            p -> p.packExtensionTypeHeader(t, b.length).writePayload(b)));
    Arbitrary<Node> wideExt = Combinators.combine(Arbitraries.of(0xc7, 0xc8, 0xc9), Arbitraries.bytes(),
        byteArrays(20)).as((t, type, b) -> {
          byte[] h = Arrays.copyOf(header(t, 1 << (t - 0xc7), b.length), 2 + (1 << (t - 0xc7)));
          h[h.length - 1] = type;
          return raw(String.format("0x%x type %d of %d bytes", t, type, b.length), h, b);
        });
    Arbitrary<Node> eventTime = Combinators.combine(Arbitraries.longs().between(0, 0xffffffffL),
        Arbitraries.longs().between(0, 0xffffffffL)).as((s, ns) -> new Node("EventTime " + s + "." + ns,
            p -> p.packExtensionTypeHeader((byte) 0, 8).writePayload(header(0, 8, (s << 32) | ns), 1, 8)));
    return Arbitraries.frequencyOf(Tuple.of(1, nil), Tuple.of(1, bool), Tuple.of(4, shortestInt),
        Tuple.of(3, wideInt), Tuple.of(1, uint64), Tuple.of(2, float32), Tuple.of(2, float64), Tuple.of(5, string),
        Tuple.of(1, rawString), Tuple.of(1, wideString), Tuple.of(2, bin), Tuple.of(1, wideBin), Tuple.of(2, ext),
        Tuple.of(1, wideExt), Tuple.of(1, eventTime));
  }

  /** Map keys: mostly strings, and the other scalars a map key can be (their text is the key). */
  static Arbitrary<Node> keys() {
    Arbitrary<Node> str = Arbitraries.strings().all().ofMaxLength(10).map(s -> new Node("key " + s,
        p -> p.packString(s)));
    Arbitrary<Node> intArray = longs().list().ofMaxSize(3).map(l -> new Node("key " + l, p -> {
      p.packArrayHeader(l.size());
      for (long v : l) {
        p.packLong(v);
      }
    }));
    return Arbitraries.frequencyOf(Tuple.of(10, str), Tuple.of(3, scalars()), Tuple.of(1, intArray));
  }

  private static <T> Arbitrary<List<T>> sizes(Arbitrary<T> element) {
    return Arbitraries.frequencyOf(Tuple.of(15, element.list().ofMaxSize(4)),
        Tuple.of(1, element.list().ofMinSize(15).ofMaxSize(17)));
  }

  static Arbitrary<Node> containers(Arbitrary<Node> child) {
    Arbitrary<Node> array = Combinators.combine(Arbitraries.of(0, 0xdc, 0xdd), sizes(child)).as((t, items) -> {
      Node.Writer head = t == 0 ? p -> p.packArrayHeader(items.size())
          : p -> p.writePayload(header(t, t == 0xdc ? 2 : 4, items.size()));
      return new Node((t == 0 ? "array" : String.format("0x%x", t)) + items, p -> {
        head.write(p);
        for (Node n : items) {
          n.writer().write(p);
        }
      });
    });
    Arbitrary<Node> map = Combinators.combine(Arbitraries.of(0, 0xde, 0xdf),
        sizes(Combinators.combine(keys(), child).as(List::of))).as((t, pairs) -> {
          Node.Writer head = t == 0 ? p -> p.packMapHeader(pairs.size())
              : p -> p.writePayload(header(t, t == 0xde ? 2 : 4, pairs.size()));
          return new Node((t == 0 ? "map" : String.format("0x%x", t)) + pairs, p -> {
            head.write(p);
            for (List<Node> kv : pairs) {
              kv.get(0).writer().write(p);
              kv.get(1).writer().write(p);
            }
          });
        });
    return Arbitraries.frequencyOf(Tuple.of(2, array), Tuple.of(2, map), Tuple.of(1, child));
  }

  @Provide
  Arbitrary<Node> values() {
    return Arbitraries.recursive(MsgpackPropertiesTest::scalars, MsgpackPropertiesTest::containers, 0, 3);
  }

  /** {@code b} at offset {@code off} of a larger array, with more bytes after it (that the reader must not read). */
  private static byte[] padded(byte[] b, int off) {
    byte[] out = new byte[off + b.length + 16];
    Arrays.fill(out, (byte) 0x91); // a fixarray of 1: it would look like more data
    System.arraycopy(b, 0, out, off, b.length);
    return out;
  }

  /** The value a read returns, or the fact that it failed; a failure other than MsgpackException fails the test. */
  private static Object outcome(java.util.function.Supplier<Object> read) {
    try {
      return MsgpackCore.normal(read.get());
    } catch (MsgpackException e) {
      return Failed.FAILED;
    }
  }

  /** msgpack-core's outcome: any exception counts as a failure (its types are not ours). */
  private static Object coreOutcome(CoreRead read) {
    try {
      return MsgpackCore.normal(read.read());
    } catch (Exception e) {
      return Failed.FAILED;
    }
  }

  private interface CoreRead {
    Object read() throws Exception;
  }

  private enum Failed { FAILED }

  @Property(tries = 1000)
  void whatMsgpackCorePacksDecodesAsMsgpackCoreDecodesIt(@ForAll("values") Node node,
      @ForAll @IntRange(max = 5) int off) throws IOException {
    byte[] b = node.bytes();
    Object expected;
    try (MessageUnpacker in = MessagePack.newDefaultUnpacker(b)) {
      expected = MsgpackCore.normal(MsgpackCore.readValue(in, MsgpackCore.TRUSTED));
      assertThat(in.hasNext()).isFalse();
    }
    byte[] d = padded(b, off);
    MsgpackReader r = new MsgpackReader(d, off, b.length);
    assertThat(MsgpackCore.normal(r.readValue())).isEqualTo(expected);
    assertThat(r.position()).isEqualTo(off + b.length);
    assertThat(r.hasNext()).isFalse();
    r.position(off);
    r.skipValue();
    assertThat(r.position()).isEqualTo(off + b.length);
    // readTime accepts or refuses as the msgpack-core version did
    Object time = outcome(() -> new MsgpackReader(d, off, b.length).readTime());
    Object coreTime = coreOutcome(() -> {
      try (MessageUnpacker in = MessagePack.newDefaultUnpacker(b)) {
        return MsgpackCore.readTime(in, b.length);
      }
    });
    assertThat(time).isEqualTo(coreTime);
  }

  /** The larger formats, which random values are too small to reach: str32, bin32, array32, map16, map32. */
  @Example
  void theLargestFormatsDecodeAsMsgpackCoreDecodesThem() throws IOException {
    List<Node> big = List.of(
        new Node("str32", p -> p.packString("é".repeat(40_000))),
        new Node("bin32", p -> p.packBinaryHeader(70_000).writePayload(new byte[70_000])),
        new Node("array32", p -> {
          p.packArrayHeader(70_000);
          for (int i = 0; i < 70_000; i++) {
            p.packLong(i * 7919L);
          }
        }),
        new Node("map16 and map32", p -> {
          p.packArrayHeader(2).packMapHeader(300);
          for (int i = 0; i < 300; i++) {
            p.packString("k" + i).packLong(-i);
          }
          p.packMapHeader(66_000);
          for (int i = 0; i < 66_000; i++) {
            p.packLong(i).packString("v");
          }
        }),
        new Node("ext32", p -> p.packExtensionTypeHeader((byte) 9, 70_000).writePayload(new byte[70_000])));
    for (Node n : big) {
      byte[] b = n.bytes();
      try (MessageUnpacker in = MessagePack.newDefaultUnpacker(b)) {
        assertThat(MsgpackCore.normal(new MsgpackReader(b).readValue())).as(n.desc())
            .isEqualTo(MsgpackCore.normal(MsgpackCore.readValue(in, MsgpackCore.TRUSTED)));
      }
      MsgpackReader r = new MsgpackReader(b);
      r.skipValue();
      assertThat(r.hasNext()).isFalse();
    }
  }

  // ---- records packed by BatchBuilder ----

  static Arbitrary<Object> javaScalars() {
    Arbitrary<Object> big = Arbitraries.bigIntegers().between(BigInteger.ONE.shiftLeft(63).negate(),
        BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)).map(v -> v);
    Arbitrary<Object> other = Arbitraries.oneOf(Arbitraries.bigDecimals().map(v -> (Object) v),
        Arbitraries.longs().map(v -> (Object) new java.util.concurrent.atomic.AtomicLong(v)),
        Arbitraries.longs().map(v -> (Object) java.time.Duration.ofMillis(v)),
        Arbitraries.just(new Object() {
          @Override
          public String toString() {
            return "an object ✓";
          }
        }));
    return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.strings().all().ofMaxLength(30).map(v -> v)),
        Tuple.of(1, Arbitraries.strings().all().ofMinLength(250).ofMaxLength(700).map(v -> v)),
        Tuple.of(3, longs().map(v -> v)), Tuple.of(1, Arbitraries.integers().map(v -> v)),
        Tuple.of(1, Arbitraries.shorts().map(v -> v)), Tuple.of(1, Arbitraries.bytes().map(v -> v)),
        Tuple.of(2, Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(Double.NaN, -0d,
            Double.NEGATIVE_INFINITY)).map(v -> v)),
        Tuple.of(1, Arbitraries.floats().map(v -> v)), Tuple.of(1, Arbitraries.of(true, false).map(v -> v)),
        Tuple.of(1, Arbitraries.just(null)), Tuple.of(1, byteArrays(300).map(v -> v)), Tuple.of(1, big),
        Tuple.of(1, other));
  }

  static Arbitrary<Object> javaContainers(Arbitrary<Object> child) {
    Arbitrary<Object> list = sizes(child).map(l -> l);
    Arbitrary<Object> set = child.list().ofMaxSize(4).map(l -> new LinkedHashSet<>(l));
    Arbitrary<Object> map = sizes(Combinators.combine(Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(8)
        .map(k -> (Object) k), Arbitraries.integers().map(k -> (Object) k)), child).as(Arrays::asList))
        .map(pairs -> {
          Map<Object, Object> m = new LinkedHashMap<>();
          pairs.forEach(kv -> m.put(kv.get(0), kv.get(1)));
          return m;
        });
    return Arbitraries.frequencyOf(Tuple.of(2, list), Tuple.of(1, set), Tuple.of(2, map), Tuple.of(2, child));
  }

  @Provide
  Arbitrary<Map<String, Object>> records() {
    Arbitrary<Object> value = Arbitraries.recursive(MsgpackPropertiesTest::javaScalars,
        MsgpackPropertiesTest::javaContainers, 0, 3);
    return Arbitraries.frequencyOf(Tuple.of(9, Combinators.combine(Arbitraries.strings().all().ofMaxLength(12), value)
        .as(Arrays::asList).list().ofMaxSize(8)), Tuple.of(1, Combinators.combine(Arbitraries.strings().all()
        .ofMaxLength(12), value).as(Arrays::asList).list().ofMinSize(16).ofMaxSize(20))).map(pairs -> {
          Map<String, Object> m = new LinkedHashMap<>();
          pairs.forEach(kv -> m.put((String) kv.get(0), kv.get(1)));
          return m;
        });
  }

  /** One event for a batch: a general record, or (when {@code message} is set) a line through addMessage. */
  record Added(long timeNanos, Map<String, Object> record, byte[] message, String key, String key2, byte[] v2) {
    @Override
    public String toString() {
      return message == null ? "add(" + timeNanos + ", " + record + ")"
          : "addMessage(" + timeNanos + ", " + key + ", " + message.length + " bytes, " + key2 + ")";
    }
  }

  @Provide
  Arbitrary<List<Added>> events() {
    Arbitrary<Long> times = Arbitraries.oneOf(Arbitraries.longs().between(0, 4_294_967_295_999_999_999L),
        Arbitraries.of(0L, 1_700_000_000_123_456_789L));
    Arbitrary<Added> general = Combinators.combine(times, records())
        .as((t, r) -> new Added(t, r, null, null, null, null));
    Arbitrary<Added> line = Combinators.combine(times, byteArrays(300), Arbitraries.of("message", "log", "ключ"),
        Arbitraries.of(null, "path"), byteArrays(40)).as((t, m, k, k2, v2) -> new Added(t, null, m, k, k2, v2));
    return Arbitraries.frequencyOf(Tuple.of(3, general), Tuple.of(1, line)).list().ofMinSize(1).ofMaxSize(5);
  }

  private static Batch build(List<Added> events) {
    BatchBuilder b = new BatchBuilder();
    for (Added e : events) {
      if (e.message() == null) {
        b.add(e.timeNanos(), e.record());
      } else {
        b.addMessage(e.timeNanos(), BatchBuilder.key(e.key()), e.message(), 0, e.message().length,
            e.key2() == null ? null : BatchBuilder.key(e.key2()), e.v2());
      }
    }
    return b.build("t", Ack.NONE);
  }

  /** The batch as msgpack-core wrote it: each entry head, then the record from the msgpack-core packer. */
  private static byte[] packedByMsgpackCore(List<Added> events) throws IOException {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      for (Added e : events) {
        byte[] head = new byte[11];
        p.writePayload(head, 0, MsgpackHeaders.entryHead(head, 0, e.timeNanos()));
        if (e.message() == null) {
          MsgpackCore.packValue(p, e.record());
        } else {
          p.packMapHeader(e.key2() == null ? 1 : 2).packString(e.key());
          p.packRawStringHeader(e.message().length).writePayload(e.message());
          if (e.key2() != null) {
            p.packString(e.key2()).packRawStringHeader(e.v2().length).writePayload(e.v2());
          }
        }
      }
      return p.toByteArray();
    }
  }

  /** Entries as the new EntryReader reads them. */
  private static List<Entry> read(byte[] d, int off, int len) throws IOException {
    List<Entry> out = new ArrayList<>();
    try (EntryReader r = new EntryReader(d, off, len)) {
      while (r.hasNext()) {
        r.next();
        out.add(new Entry(r.timeNanos(), MsgpackCore.normal(r.record())));
      }
    }
    return out;
  }

  @Property(tries = 300)
  void batchesAreWhatMsgpackCoreWroteAndDecodeAsItDecodedThem(@ForAll("events") List<Added> events,
      @ForAll @IntRange(max = 3) int off) throws IOException {
    Batch batch = build(events);
    byte[] bytes = Arrays.copyOf(batch.data(), batch.length());
    assertThat(bytes).isEqualTo(packedByMsgpackCore(events));
    List<Entry> expected = MsgpackCore.entries(bytes, bytes.length);
    assertThat(expected).hasSize(events.size());
    assertThat(read(padded(bytes, off), off, bytes.length)).isEqualTo(expected);
    List<Entry> viaEvents = new ArrayList<>();
    for (Event e : batch.events()) {
      viaEvents.add(new Entry(e.timeNanos(), MsgpackCore.normal(e.record())));
    }
    assertThat(viaEvents).isEqualTo(expected);
    // raw records are the bytes of each record, which decode to it
    try (EntryReader r = new EntryReader(bytes, 0, bytes.length)) {
      int i = 0;
      while (r.hasNext()) {
        r.next();
        byte[] raw = r.rawRecord();
        assertThat(MsgpackCore.normal(new MsgpackReader(raw).readValue())).isEqualTo(expected.get(i++).record());
      }
    }
  }

  @Property(tries = 200)
  void truncatedBatchesGiveTheEntriesBeforeTheCutThenMsgpackException(@ForAll("events") List<Added> events,
      @ForAll @IntRange(max = 1000) int cutPermille) throws IOException {
    Batch batch = build(events);
    byte[] bytes = Arrays.copyOf(batch.data(), batch.length());
    List<Entry> all = MsgpackCore.entries(bytes, bytes.length);
    List<Integer> ends = new ArrayList<>();
    try (EntryReader r = new EntryReader(bytes, 0, bytes.length)) {
      while (r.hasNext()) {
        r.next();
        ends.add(r.recordEnd());
      }
    }
    int cut = (int) ((long) bytes.length * cutPermille / 1000);
    List<Entry> got = new ArrayList<>();
    boolean failed = false;
    try (EntryReader r = new EntryReader(bytes, 0, cut)) { // the bytes after the cut are there but not given
      while (r.hasNext()) {
        r.next();
        got.add(new Entry(r.timeNanos(), MsgpackCore.normal(r.record())));
      }
    } catch (MsgpackException e) {
      failed = true;
    }
    assertThat(all.subList(0, got.size())).isEqualTo(got);
    int complete = (int) ends.stream().filter(e -> e <= cut).count();
    assertThat(got).hasSize(complete);
    assertThat(failed).isEqualTo(cut != 0 && !ends.contains(cut));
  }

  // ---- garbage and truncations ----

  @Property(tries = 500)
  void cutValuesFailWithMsgpackException(@ForAll("values") Node node, @ForAll @IntRange(max = 1000) int cutPermille,
      @ForAll @IntRange(max = 3) int off) {
    byte[] b = node.bytes();
    // a proper prefix of a msgpack value is never a value: every cut must be reported
    int cut = (int) ((long) (b.length - 1) * cutPermille / 1000);
    byte[] data = padded(b, off); // the value's bytes go on after the cut: the reader must stop there
    assertThat(outcome(() -> new MsgpackReader(data, off, cut).readValue())).isEqualTo(Failed.FAILED);
    assertThat(outcome(() -> {
      new MsgpackReader(data, off, cut).skipValue();
      return "skipped";
    })).isEqualTo(Failed.FAILED);
  }

  @Property(tries = 3000)
  void garbageDecodesAsMsgpackCoreDecodesItOrFailsWithMsgpackException(@ForAll @Size(max = 200) byte[] garbage) {
    Object ours = outcome(() -> new MsgpackReader(garbage).readValue());
    Object core = coreOutcome(() -> {
      try (MessageUnpacker in = MessagePack.newDefaultUnpacker(garbage)) {
        return MsgpackCore.readValue(in, garbage.length);
      }
    });
    assertThat(ours).isEqualTo(core);
    // skipValue agrees on where the value ends
    Object skipped = outcome(() -> {
      MsgpackReader r = new MsgpackReader(garbage);
      r.skipValue();
      return r.position();
    });
    Object read = outcome(() -> {
      MsgpackReader r = new MsgpackReader(garbage);
      r.readValue();
      return r.position();
    });
    assertThat(skipped).isEqualTo(read);
  }

  @Property(tries = 500)
  void garbageEntriesFailOnlyWithMsgpackExceptionAndAsMsgpackCoreDid(@ForAll("garbageBatches") byte[] garbage)
      throws IOException {
    Object ours;
    try {
      ours = read(garbage, 0, garbage.length);
    } catch (MsgpackException e) {
      ours = Failed.FAILED;
    }
    Object core;
    try {
      core = MsgpackCore.entries(garbage, garbage.length);
    } catch (Exception e) {
      core = Failed.FAILED;
    }
    assertThat(ours).isEqualTo(core);
  }

  /** Random bytes, and batches with a few random bytes changed (which often still parse). */
  @Provide
  Arbitrary<byte[]> garbageBatches() {
    Arbitrary<byte[]> mutated = Combinators.combine(events(), Arbitraries.integers().between(0, Integer.MAX_VALUE)
        .list().ofMinSize(1).ofMaxSize(3), Arbitraries.bytes().list().ofSize(3)).as((ev, at, to) -> {
          Batch b = build(ev);
          byte[] d = Arrays.copyOf(b.data(), b.length());
          for (int i = 0; i < at.size() && d.length > 0; i++) {
            d[at.get(i) % d.length] = to.get(i);
          }
          return d;
        });
    Arbitrary<byte[]> headed = byteArrays(100).map(tail -> { // an entry head, so that the record is garbage
      byte[] d = new byte[11 + tail.length];
      MsgpackHeaders.entryHead(d, 0, 1);
      System.arraycopy(tail, 0, d, 11, tail.length);
      return d;
    });
    return Arbitraries.oneOf(byteArrays(200), mutated, headed);
  }

  /** Every read, on any bytes: a value or MsgpackException, and a failed read leaves the position alone. */
  @Property(tries = 1000)
  void everyReadOnGarbageReturnsOrThrowsMsgpackException(@ForAll @Size(max = 40) byte[] garbage,
      @ForAll @IntRange(max = 2) int off) {
    List<Function<MsgpackReader, Object>> reads = List.of(MsgpackReader::nextType, r -> {
      r.readNil();
      return null;
    }, MsgpackReader::readBoolean, MsgpackReader::readLong, MsgpackReader::readBigInteger,
        MsgpackReader::readDouble, MsgpackReader::readStringLength, MsgpackReader::readString,
        MsgpackReader::readBinaryLength, MsgpackReader::readBinary, MsgpackReader::readArrayHeader,
        MsgpackReader::readMapHeader, MsgpackReader::readExtensionHeader, MsgpackReader::readTime, r -> {
          r.skipValue();
          return null;
        }, MsgpackReader::readValue, MsgpackReader::readMap);
    int len = Math.max(0, garbage.length - off);
    for (Function<MsgpackReader, Object> read : reads) {
      MsgpackReader r = new MsgpackReader(garbage, Math.min(off, garbage.length), len);
      int at = r.position();
      try {
        read.apply(r);
        assertThat(r.position()).isBetween(at, r.end());
      } catch (MsgpackException e) {
        assertThat(r.position()).isEqualTo(at);
        assertThat(e.offset()).isBetween(at, r.end());
      }
    }
  }

  @Example
  void keysAndStringsDecodeTheirBytesAsNewStringDoes() {
    byte[] bad = {(byte) 0xf0, (byte) 0x9f, (byte) 0x98, 'x', (byte) 0x80, (byte) 0xc0, (byte) 0xaf};
    byte[] d = new byte[3 + 2 * bad.length];
    d[0] = (byte) 0x81;
    d[1] = (byte) (0xa0 | bad.length);
    System.arraycopy(bad, 0, d, 2, bad.length);
    d[2 + bad.length] = (byte) (0xa0 | bad.length);
    System.arraycopy(bad, 0, d, 3 + bad.length, bad.length);
    String s = new String(bad, StandardCharsets.UTF_8);
    assertThat(new MsgpackReader(d).readValue()).isEqualTo(Map.of(s, s));
  }
}
