package io.swak.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.api.BatchBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** The byte-level msgpack → JSON transcoder against Jackson reading what it wrote. */
class MsgpackJsonTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static String json(byte[] msgpack) throws IOException {
    JsonBytes j = new JsonBytes();
    int end = MsgpackJson.value(msgpack, 0, msgpack.length, j);
    assertThat(end).as("position after the value").isEqualTo(msgpack.length);
    assertThat(MsgpackJson.skip(msgpack, 0, msgpack.length)).isEqualTo(msgpack.length);
    return new String(j.buf, 0, j.len, StandardCharsets.UTF_8);
  }

  static byte[] pack(Object v) throws IOException {
    return BatchBuilder.packValue(v);
  }

  @Property(tries = 300)
  void anyValueBecomesTheJsonOfItsValue(@ForAll("values") Object v) throws IOException {
    JsonNode written = JSON.readTree(json(pack(v)));
    assertThat(written).isEqualTo(JSON.readTree(JSON.writeValueAsString(expected(v))));
  }

  /** What the JSON should hold: bytes as base64 strings, NaN and infinities as strings. */
  private static Object expected(Object v) {
    if (v instanceof byte[] b) {
      return Base64.getEncoder().encodeToString(b);
    }
    if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return d.toString();
    }
    if (v instanceof Map<?, ?> m) {
      java.util.LinkedHashMap<Object, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, x) -> out.put(k, expected(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      return l.stream().map(MsgpackJsonTest::expected).toList();
    }
    return v;
  }

  @Provide
  Arbitrary<Object> values() {
    Arbitrary<Object> scalar = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(80).map(s -> (Object) s),
        Arbitraries.strings().withChars("\"\\\n\t\u0001é한 ab").ofMaxLength(40).map(s -> (Object) s),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.integers().between(-40, 300).map(i -> (Object) (long) i),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, true, false).map(o -> (Object) o),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(20).map(b -> (Object) b),
        Arbitraries.just(null));
    return Arbitraries.recursive(() -> scalar,
        inner -> Arbitraries.oneOf(
            inner.list().ofMaxSize(20).map(l -> (Object) l),
            Arbitraries.maps(Arbitraries.strings().ofMaxLength(10), inner).ofMaxSize(20).map(m -> (Object) m)),
        0, 3);
  }

  @Test
  void bigUnsignedIntegersAndFloat32AndNonStringKeys() throws IOException {
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packMapHeader(3);
    p.packString("u64");
    p.packBigInteger(new java.math.BigInteger("18446744073709551615"));
    p.packString("f32");
    p.packFloat(1.5f);
    p.packInt(7); // a key that is not a string
    p.packString("seven");
    assertThat(json(p.toByteArray())).isEqualTo("{\"u64\":18446744073709551615,\"f32\":1.5,\"7\":\"seven\"}");
  }

  @Test
  void aValueCutShortIsAnErrorNotALine() throws IOException {
    byte[] whole = pack(Map.of("message", "hello world"));
    for (int cut = 1; cut < whole.length; cut++) {
      byte[] part = Arrays.copyOf(whole, cut);
      int end = cut;
      assertThatThrownBy(() -> MsgpackJson.value(part, 0, end, new JsonBytes())).isInstanceOf(IOException.class);
      // the same, with the array longer than the entries: the bound is the end given, not the array's
      assertThatThrownBy(() -> MsgpackJson.value(whole, 0, end, new JsonBytes())).isInstanceOf(IOException.class);
    }
    assertThatThrownBy(() -> MsgpackJson.value(new byte[] {(byte) 0xc1}, 0, 1, new JsonBytes()))
        .hasMessageContaining("unknown msgpack type byte 0xc1");
  }

  @Test
  void stringFieldFindsTheMessageWithoutDecodingTheRest() throws IOException {
    byte[] rec = pack(new java.util.LinkedHashMap<>(Map.of("message", "the line")));
    long f = MsgpackJson.stringField(rec, 0, rec.length, "message".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(rec, (int) (f >>> 32), (int) f, StandardCharsets.UTF_8)).isEqualTo("the line");
    assertThat(MsgpackJson.stringField(rec, 0, rec.length, "other".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
  }
}
