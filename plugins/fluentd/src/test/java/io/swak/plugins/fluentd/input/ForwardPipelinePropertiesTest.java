package io.swak.plugins.fluentd.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Event;
import io.swak.core.testing.TestContext;
import io.swak.plugins.fluentd.protocol.ForwardDecoder;
import io.swak.plugins.fluentd.testing.WireMessages;
import io.swak.support.BatchQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Random, corrupted and truncated frames never escape the connection that sent them. */
class ForwardPipelinePropertiesTest {

  record Pipeline(EmbeddedChannel channel, BatchQueue queue, TestContext ctx) {
    List<Batch> drain() throws InterruptedException {
      List<Batch> out = new ArrayList<>();
      Batch b;
      while ((b = queue.poll(Duration.ZERO)) != null) {
        out.add(b);
        b.ack().done();
      }
      return out;
    }
  }

  static Pipeline pipeline(long maxFrame) {
    TestContext ctx = new TestContext();
    BatchQueue q = new BatchQueue(64 << 20);
    var shared = new ForwardConnection.Shared(new ForwardDecoder(8 << 20), q, ctx.metrics(), null, null, "s",
        Map.of(), () -> new byte[16], maxFrame, new AssemblyMemory(64 << 20));
    return new Pipeline(new EmbeddedChannel(new ForwardConnection(shared)), q, ctx);
  }

  @Property(tries = 300)
  void randomBytesNeverEscapeTheConnection(@ForAll @Size(max = 2000) byte[] garbage,
      @ForAll @IntRange(min = 1, max = 64) int readSize) throws Exception {
    Pipeline p = pipeline(1 << 20);
    for (int i = 0; i < garbage.length && p.channel().isOpen(); i += readSize) {
      p.channel().writeInbound(Unpooled.wrappedBuffer(garbage, i, Math.min(readSize, garbage.length - i)));
    }
    p.channel().checkException();
    p.drain().forEach(b -> assertThat(b.events()).hasSize(b.count()));
    p.channel().finishAndReleaseAll();
    assertThat(p.ctx().count("protocol_errors")).isLessThanOrEqualTo(1);
  }

  static Arbitrary<Object> scalars() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(30).map(s -> (Object) s),
        Arbitraries.longs().map(l -> (Object) l), Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b), Arbitraries.just(null));
  }

  @Provide
  Arbitrary<Map<String, Object>> records() {
    Arbitrary<Object> scalar = scalars();
    Arbitrary<Object> nested = scalar.list().ofMaxSize(3).map(l -> (Object) l);
    return Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
        Arbitraries.oneOf(scalar, nested)).ofMaxSize(5).map(m -> new LinkedHashMap<>(m));
  }

  @Provide
  Arbitrary<List<Batch>> batches() {
    Arbitrary<Batch> one = Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10),
        records().list().ofMinSize(1).ofMaxSize(5)).as((tag, recs) -> {
          BatchBuilder b = new BatchBuilder();
          long t = 1_700_000_000_000_000_000L;
          for (Map<String, Object> r : recs) {
            b.add(t++, r);
          }
          return b.build(tag, Ack.NONE);
        });
    return one.list().ofMinSize(1).ofMaxSize(4);
  }

  /** Complete messages before the cut arrive exactly; the cut one is dropped, counted, and errs nothing. */
  @Property(tries = 200)
  void truncatedStreamsDeliverExactlyTheCompleteMessages(@ForAll("batches") List<Batch> batches,
      @ForAll WireMessages.Mode mode, @ForAll @IntRange(min = 0, max = 100) int cutPercent,
      @ForAll @IntRange(min = 1, max = 50) int readSize, @ForAll boolean withChunk) throws Exception {
    if (mode == WireMessages.Mode.MESSAGE) {
      // Message mode sends one message per event: the unit that arrives whole or not at all
      List<Batch> single = new ArrayList<>();
      for (Batch b : batches) {
        for (Event e : b.events()) {
          single.add(new BatchBuilder().add(e.timeNanos(), e.record()).build(e.tag(), Ack.NONE));
        }
      }
      batches = single;
    }
    List<byte[]> wire = new ArrayList<>();
    int total = 0;
    for (Batch b : batches) {
      byte[] w = WireMessages.encode(b, mode, withChunk ? "chunk" + wire.size() : null);
      wire.add(w);
      total += w.length;
    }
    byte[] stream = new byte[total];
    int pos = 0;
    for (byte[] w : wire) {
      System.arraycopy(w, 0, stream, pos, w.length);
      pos += w.length;
    }
    int cut = (int) ((long) total * cutPercent / 100);
    List<Event> expected = new ArrayList<>();
    int end = 0;
    for (int i = 0; i < batches.size(); i++) {
      end += wire.get(i).length;
      if (end <= cut) {
        expected.addAll(batches.get(i).events());
      }
    }
    Pipeline p = pipeline(1 << 20);
    for (int i = 0; i < cut; i += readSize) {
      p.channel().writeInbound(Unpooled.wrappedBuffer(stream, i, Math.min(readSize, cut - i)));
    }
    p.channel().finish();
    p.channel().checkException();
    List<Event> got = new ArrayList<>();
    p.drain().forEach(b -> got.addAll(b.events()));
    assertThat(got).isEqualTo(expected);
    assertThat(p.ctx().count("protocol_errors")).isZero();
    boolean cutInside = cut > 0 && cut < total && !isBoundary(wire, cut);
    assertThat(p.ctx().count("truncated_messages")).isEqualTo(cutInside ? 1 : 0);
    p.channel().releaseOutbound();
  }

  private static boolean isBoundary(List<byte[]> wire, int cut) {
    int end = 0;
    for (byte[] w : wire) {
      end += w.length;
      if (end == cut) {
        return true;
      }
    }
    return false;
  }
}
