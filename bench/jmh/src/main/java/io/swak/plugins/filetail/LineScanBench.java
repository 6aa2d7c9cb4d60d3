package io.swak.plugins.filetail;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.bench.HotPathBench;
import io.swak.bench.Lines;
import java.nio.charset.StandardCharsets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * in.FileTail's per-line path on a block as it comes from a read (2,000 lines, ~250 KiB): the newline
 * scan alone, and the scan with each line packed into a batch as FileTail does. Scores are ns per line.
 */
public class LineScanBench extends HotPathBench {

  static final int LINES = 2000;
  static final byte[] KEY = BatchBuilder.key("message");
  static final long TIME = 1_763_719_200_123_456_789L;

  byte[] block;
  final BatchBuilder builder = new BatchBuilder();
  LineSplitter splitter;

  @Setup
  public void setup() {
    block = Lines.block(LINES);
    splitter = new LineSplitter("\n".getBytes(StandardCharsets.UTF_8), "\r".getBytes(StandardCharsets.UTF_8),
        1 << 20, true, true);
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public void scanLines(Blackhole bh) {
    splitter.reset(0);
    splitter.feed(block, block.length, (b, off, len, start) -> bh.consume(len));
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public Batch scanAndPack() {
    splitter.reset(0);
    splitter.feed(block, block.length, (b, off, len, start) -> builder.addMessage(TIME, KEY, b, off, len));
    return builder.build("bench", Ack.NONE);
  }
}
