package io.swak.plugins.fluentd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.swak.api.BatchBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** The one-pass record scan agrees with the general scanner on records, their cuts, and garbage. */
class ForwardScannerPropertiesTest {

  static Arbitrary<Object> scalars() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(30).map(s -> (Object) s),
        Arbitraries.longs().map(l -> (Object) l), Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b), Arbitraries.just(null));
  }

  /**
   * The record scan (one pass over flat fields, the general walk from the first nested one) agrees with the
   * general scanner on every record and every cut of it: the same end, or INCOMPLETE for a cut one.
   */
  @Provide
  Arbitrary<Map<String, Object>> recordsWithLongValues() {
    // strings and binaries across the fixstr / str8 / str16 and bin8 / bin16 boundaries, beside the rest
    Arbitrary<Object> value = Arbitraries.oneOf(scalars(), scalars().list().ofMaxSize(2).map(l -> (Object) l),
        Arbitraries.strings().ofMinLength(25).ofMaxLength(300).map(v -> (Object) v),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(v -> (Object) v));
    return Arbitraries.maps(Arbitraries.strings().ofMinLength(1).ofMaxLength(40), value).ofMaxSize(17)
        .map(m -> new LinkedHashMap<>(m));
  }

  @Property(tries = 300)
  void recordScanAgreesWithTheGeneralScanner(@ForAll("recordsWithLongValues") Map<String, Object> record)
      throws Exception {
    byte[] bytes = BatchBuilder.packValue(record);
    var buf = Unpooled.wrappedBuffer(bytes);
    long[] stack = new long[FrameScanner.MAX_DEPTH + 1];
    for (int cut = 0; cut <= bytes.length; cut++) {
      int fast = FrameScanner.mapEnd(buf, 0, cut, 1L << 40, stack);
      int general = FrameScanner.valueEnd(buf, 0, cut, 1L << 40, stack);
      assertThat(fast).as("cut at %d of %d", cut, bytes.length).isEqualTo(general);
    }
  }

  @Property(tries = 500)
  void recordScanOfGarbageEndsOrFailsAsTheGeneralScannerDoes(@ForAll @Size(max = 64) byte[] garbage) {
    var buf = Unpooled.wrappedBuffer(garbage);
    long[] stack = new long[FrameScanner.MAX_DEPTH + 1];
    assertThat(outcome(() -> FrameScanner.mapEnd(buf, 0, garbage.length, 1L << 40, stack)))
        .isEqualTo(outcome(() -> FrameScanner.valueEnd(buf, 0, garbage.length, 1L << 40, stack)));
  }

  /** The end a scan returns, or the kind of error it throws. */
  private static Object outcome(java.util.function.IntSupplier scan) {
    try {
      return scan.getAsInt();
    } catch (ForwardProtocolException e) {
      return e.getClass();
    }
  }

}
