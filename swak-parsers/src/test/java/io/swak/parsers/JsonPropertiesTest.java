package io.swak.parsers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * Random JSON objects, written by Jackson databind: both json engines report what databind reads back,
 * nested values through MsgpackWriter decoded by msgpack-core. And MsgpackWriter writes the very bytes
 * msgpack-core's packer writes.
 */
class JsonPropertiesTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final LineParser hand = new JsonLineParser();
  private final LineParser jackson = new JacksonJsonParser();

  @Property(tries = 400)
  void bothEnginesReadWhatDatabindWrote(@ForAll("objects") Map<String, Object> object) throws Exception {
    byte[] line = MAPPER.writeValueAsBytes(object);
    Object expected = normalized(MAPPER.readValue(line, Object.class));
    for (LineParser parser : List.of(hand, jackson)) {
      Lines.Parsed p = Lines.parse(parser, line);
      assertThat(p.result()).isEqualTo(ParseResult.OK);
      assertThat(p.map()).isEqualTo(expected);
    }
  }

  @Property(tries = 200)
  void prettyPrintedAndCutLinesNeverThrow(@ForAll("objects") Map<String, Object> object,
      @ForAll("cuts") double cutAt) throws Exception {
    byte[] line = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(object);
    assertThat(Lines.parse(hand, line).result()).isEqualTo(ParseResult.OK);
    int cut = (int) (line.length * cutAt);
    byte[] half = java.util.Arrays.copyOf(line, cut);
    ParseResult r = Lines.parse(hand, half).result();
    assertThat(r.kind()).isIn(ParseResult.Kind.MALFORMED, ParseResult.Kind.NO_MATCH);
  }

  @Property(tries = 400)
  void msgpackWriterWritesWhatMsgpackCoreWrites(@ForAll("values") Object value) throws Exception {
    MsgpackWriter mine = new MsgpackWriter(4);
    write(mine, value);
    MessageBufferPacker theirs = MessagePack.newDefaultBufferPacker();
    pack(theirs, value);
    assertThat(mine.toByteArray()).isEqualTo(theirs.toByteArray());
    assertThat(RecordingSink.decode(mine.bytes(), 0, mine.length())).isEqualTo(value);
  }

  @Provide
  Arbitrary<Double> cuts() {
    return Arbitraries.doubles().between(0, 0.999).ofScale(3);
  }

  @Provide
  Arbitrary<Map<String, Object>> objects() {
    return object(3);
  }

  @Provide
  Arbitrary<Object> values() {
    return value(3);
  }

  private static Arbitrary<Map<String, Object>> object(int depth) {
    return Arbitraries.maps(text(), value(depth - 1)).ofMaxSize(depth == 3 ? 10 : 5)
        .map(LinkedHashMap::new);
  }

  @SuppressWarnings("unchecked")
  private static Arbitrary<Object> value(int depth) {
    Arbitrary<Object> leaf = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, text().map(s -> (Object) s)),
        net.jqwik.api.Tuple.of(3, Arbitraries.longs().map(l -> (Object) l)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(-40, 300).map(i -> (Object) (long) i)),
        net.jqwik.api.Tuple.of(2, Arbitraries.doubles().map(d -> (Object) d)),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(true, false).map(b -> (Object) b)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(null)));
    if (depth <= 0) {
      return leaf;
    }
    Arbitrary<Object> list = value(depth - 1).list().ofMaxSize(6).map(l -> (Object) l);
    Arbitrary<Object> map = object(depth).map(m -> (Object) m);
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, leaf), net.jqwik.api.Tuple.of(1, list),
        net.jqwik.api.Tuple.of(1, map));
  }

  /** Text with escapes JSON needs, non-ASCII, and characters outside the BMP (surrogate pairs). */
  private static Arbitrary<String> text() {
    Arbitrary<String> plain = Arbitraries.strings().withCharRange('\u0000', '\u00ff')
        .withCharRange('\u0100', '\uD7FF').withCharRange('\uE000', '\uFFFD').ofMaxLength(40);
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, plain),
        net.jqwik.api.Tuple.of(1, plain.map(s -> s + "😀\"\\/" + s)),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().alpha().ofMinLength(32).ofMaxLength(300)));
  }

  /** What our parsers report for what databind reads: longs, doubles, big integers as digits. */
  private static Object normalized(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, e) -> out.put(k, normalized(e)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(e -> out.add(normalized(e)));
      return out;
    }
    if (v instanceof Integer i) {
      return (long) i;
    }
    if (v instanceof BigInteger b) {
      return b.bitLength() < 64 ? (Object) b.longValue() : b.toString();
    }
    return v;
  }

  private static void write(MsgpackWriter w, Object v) {
    if (v == null) {
      w.nil();
    } else if (v instanceof Boolean b) {
      w.bool(b);
    } else if (v instanceof Long l) {
      w.integer(l);
    } else if (v instanceof Double d) {
      w.real(d);
    } else if (v instanceof String s) {
      byte[] b = Lines.utf8(s);
      w.string(b, 0, b.length);
    } else if (v instanceof List<?> l) {
      int mark = w.openContainer();
      l.forEach(e -> write(w, e));
      w.closeArray(mark, l.size());
    } else if (v instanceof Map<?, ?> m) {
      if (m.size() % 2 == 0) {
        w.mapHeader(m.size()); // both ways of writing a header
      } else {
        int mark = w.openContainer();
        m.forEach((k, e) -> {
          write(w, k);
          write(w, e);
        });
        w.closeMap(mark, m.size());
        return;
      }
      m.forEach((k, e) -> {
        write(w, k);
        write(w, e);
      });
    } else {
      throw new AssertionError(v.getClass());
    }
  }

  private static void pack(MessageBufferPacker p, Object v) throws java.io.IOException {
    if (v == null) {
      p.packNil();
    } else if (v instanceof Boolean b) {
      p.packBoolean(b);
    } else if (v instanceof Long l) {
      p.packLong(l);
    } else if (v instanceof Double d) {
      p.packDouble(d);
    } else if (v instanceof String s) {
      byte[] b = Lines.utf8(s);
      p.packRawStringHeader(b.length);
      p.writePayload(b);
    } else if (v instanceof List<?> l) {
      p.packArrayHeader(l.size());
      for (Object e : l) {
        pack(p, e);
      }
    } else if (v instanceof Map<?, ?> m) {
      p.packMapHeader(m.size());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        pack(p, e.getKey());
        pack(p, e.getValue());
      }
    }
  }
}
