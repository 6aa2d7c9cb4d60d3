package io.swak.parsers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every parser on the bad inputs of the issue: nothing throws, everything is a result. */
class BadInputTest {

  private static final List<AllFormats.Sample> SAMPLES = AllFormats.samples();

  static Stream<AllFormats.Sample> samples() {
    return SAMPLES.stream();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void typicalLineIsOk(AllFormats.Sample s) {
    Lines.Parsed p = Lines.parse(s.parser(), s.line());
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().fields).isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everyCutOfTheTypicalLineIsAResult(AllFormats.Sample s) {
    byte[] line = s.line().getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut < line.length; cut++) {
      ParseResult r = Lines.parse(s.parser(), Arrays.copyOf(line, cut)).result();
      assertThat(r).isNotNull();
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void invalidUtf8IsPassedThroughOrReported(AllFormats.Sample s) {
    byte[] line = s.line().getBytes(StandardCharsets.UTF_8);
    for (byte bad : new byte[] {(byte) 0xFF, (byte) 0xC3, (byte) 0x80, (byte) 0xED, (byte) 0xF4}) {
      for (int at = 0; at < line.length; at++) {
        byte[] copy = line.clone();
        copy[at] = bad;
        assertThat(Lines.parse(s.parser(), copy).result()).isNotNull();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void tenMegabyteLines(AllFormats.Sample s) {
    byte[] line = s.line().getBytes(StandardCharsets.UTF_8);
    int mid = line.length / 2;
    byte[] big = new byte[line.length + (10 << 20)];
    System.arraycopy(line, 0, big, 0, mid);
    Arrays.fill(big, mid, mid + (10 << 20), (byte) 'x');
    System.arraycopy(line, mid, big, mid + (10 << 20), line.length - mid);
    assertThat(Lines.parse(s.parser(), big).result()).isNotNull();
    byte[] junk = new byte[10 << 20];
    Arrays.fill(junk, (byte) '{');
    assertThat(Lines.parse(s.parser(), junk).result()).isNotNull();
    Arrays.fill(junk, (byte) '"');
    assertThat(Lines.parse(s.parser(), junk).result()).isNotNull();
  }

  @Property(tries = 1000)
  void randomBytesNeverThrow(@ForAll("randomLines") byte[] line) {
    for (AllFormats.Sample s : SAMPLES) {
      assertThat(Lines.parse(s.parser(), line).result()).as(s.name()).isNotNull();
    }
  }

  @Property(tries = 1000)
  void mutatedLinesNeverThrow(@ForAll("mutations") Mutation m) {
    AllFormats.Sample s = SAMPLES.get(m.sample() % SAMPLES.size());
    byte[] line = m.apply(s.line().getBytes(StandardCharsets.UTF_8));
    assertThat(Lines.parse(s.parser(), line).result()).as(s.name()).isNotNull();
  }

  /** Random bytes, and random strings of the bytes that mean something to some format. */
  @Provide
  Arbitrary<byte[]> randomLines() {
    Arbitrary<byte[]> any = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<byte[]> syntax = Arbitraries.strings().withChars("{}[]\":,=\\ \t<>-0123456789.eE+tfnul:T Z[]/\u00e9")
        .ofMaxLength(200).map(t -> t.getBytes(StandardCharsets.UTF_8));
    return Arbitraries.oneOf(any, syntax);
  }

  record Mutation(int sample, int at, int kind, byte value) {
    byte[] apply(byte[] line) {
      int i = line.length == 0 ? 0 : Math.floorMod(at, line.length);
      return switch (kind) {
        case 0 -> { // replace a byte
          byte[] c = line.clone();
          if (c.length > 0) {
            c[i] = value;
          }
          yield c;
        }
        case 1 -> { // drop a byte
          byte[] c = new byte[Math.max(0, line.length - 1)];
          System.arraycopy(line, 0, c, 0, i);
          System.arraycopy(line, Math.min(i + 1, line.length), c, i, line.length - Math.min(i + 1, line.length));
          yield c;
        }
        case 2 -> { // insert a byte
          byte[] c = new byte[line.length + 1];
          System.arraycopy(line, 0, c, 0, i);
          c[i] = value;
          System.arraycopy(line, i, c, i + 1, line.length - i);
          yield c;
        }
        default -> Arrays.copyOf(line, i); // cut
      };
    }
  }

  @Provide
  Arbitrary<Mutation> mutations() {
    return Combinators.combine(Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 1000),
        Arbitraries.integers().between(0, 3), Arbitraries.of((byte) '"', (byte) '\\', (byte) '{', (byte) '}',
            (byte) '[', (byte) ']', (byte) ' ', (byte) ':', (byte) '=', (byte) 0xFF, (byte) 0xC3, (byte) '-',
            (byte) '<', (byte) '\t', (byte) 0)).as(Mutation::new);
  }
}
