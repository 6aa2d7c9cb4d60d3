package io.swak.bench;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.EntryReader;
import io.swak.support.LineFormat;
import java.io.IOException;
import java.io.OutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Hot paths per line, 1,000 lines an operation: packing lines into msgpack entries, decoding
 * entries, and encoding them as JSON lines. Scores are ns per line.
 */
public class EntryPackingBench extends HotPathBench {

  static final int LINES = 1000;
  static final byte[] KEY = BatchBuilder.key("message");

  byte[] block;
  int[] starts = new int[LINES];
  int[] ends = new int[LINES];
  BatchBuilder builder = new BatchBuilder();
  Batch batch;
  LineFormat json = new LineFormat(LineFormat.Kind.JSON, "message");
  LineFormat raw = new LineFormat(LineFormat.Kind.RAW, "message");
  OutputStream sink = OutputStream.nullOutputStream();

  @Setup
  public void setup() {
    block = Lines.block(LINES);
    int s = 0;
    int n = 0;
    for (int i = 0; i < block.length; i++) {
      if (block[i] == '\n') {
        starts[n] = s;
        ends[n++] = i;
        s = i + 1;
      }
    }
    batch = pack();
  }

  private Batch pack() {
    long t = 1_763_719_200_123_456_789L;
    for (int i = 0; i < LINES; i++) {
      builder.addMessage(t, KEY, block, starts[i], ends[i] - starts[i]);
    }
    return builder.build("bench", Ack.NONE);
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public Batch packLines() {
    return pack();
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public void decodeEntries(Blackhole bh) throws IOException {
    try (EntryReader r = new EntryReader(batch.data(), 0, batch.length())) {
      while (r.hasNext()) {
        r.next();
        bh.consume(r.timeNanos());
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public void encodeJsonLines() throws IOException {
    json.write(batch, sink);
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public void encodeRawLines() throws IOException {
    raw.write(batch, sink);
  }
}
