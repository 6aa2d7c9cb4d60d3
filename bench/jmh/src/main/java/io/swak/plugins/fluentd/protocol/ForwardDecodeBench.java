package io.swak.plugins.fluentd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.bench.HotPathBench;
import io.swak.bench.Lines;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;

/**
 * in.Forward's per-message work on a PackedForward message of 1,000 access-log entries, as Fluent Bit
 * sends them: framing checks, validating every entry and copying the entries out. Scores are ns per entry.
 */
public class ForwardDecodeBench extends HotPathBench {

  static final int ENTRIES = 1000;

  ByteBuf frame;
  final ForwardDecoder decoder = new ForwardDecoder(64L << 20);

  @Setup
  public void setup() throws Exception {
    byte[] block = Lines.block(ENTRIES);
    BatchBuilder b = new BatchBuilder();
    byte[] key = BatchBuilder.key("message");
    int s = 0;
    for (int i = 0; i < block.length; i++) {
      if (block[i] == '\n') {
        b.addMessage(1_763_719_200_123_456_789L, key, block, s, i - s);
        s = i + 1;
      }
    }
    Batch batch = b.build("bench.access", Ack.NONE);
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(3);
    p.packString("bench.access");
    p.packBinaryHeader(batch.length());
    p.writePayload(batch.data(), 0, batch.length());
    p.packMapHeader(1);
    p.packString("size");
    p.packInt(ENTRIES);
    frame = Unpooled.wrappedBuffer(p.toByteArray());
  }

  @Benchmark
  @OperationsPerInvocation(ENTRIES)
  public ForwardRequest decodePackedForward() {
    frame.readerIndex(0);
    return decoder.decode(frame);
  }
}
