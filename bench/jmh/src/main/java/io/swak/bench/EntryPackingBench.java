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

  static final byte[] PATH_KEY = BatchBuilder.key("file");
  static final byte[] PATH = "/var/log/app/access.log".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  /** in.FileTail's path_key and host_key as it packs them once per file: {file: …, host: …}. */
  static final byte[] PATH_AND_HOST;

  static {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.writeBytes(BatchBuilder.packValue("file"));
    b.writeBytes(BatchBuilder.packValue("/var/log/app/access.log"));
    b.writeBytes(BatchBuilder.packValue("host"));
    b.writeBytes(BatchBuilder.packValue("web-1.example.com"));
    PATH_AND_HOST = b.toByteArray();
  }

  /** Lines with path_key, as in.FileTail packed them before host_key: a second string field. */
  @Benchmark
  @OperationsPerInvocation(LINES)
  public Batch packLinesWithPath() {
    long t = 1_763_719_200_123_456_789L;
    for (int i = 0; i < LINES; i++) {
      builder.addMessage(t, KEY, block, starts[i], ends[i] - starts[i], PATH_KEY, PATH);
    }
    return builder.build("bench", Ack.NONE);
  }

  /** Lines with path_key and host_key: the pairs packed once, copied after each line. */
  @Benchmark
  @OperationsPerInvocation(LINES)
  public Batch packLinesWithPathAndHost() {
    long t = 1_763_719_200_123_456_789L;
    for (int i = 0; i < LINES; i++) {
      builder.addMessageWith(t, KEY, block, starts[i], ends[i] - starts[i], PATH_AND_HOST, 2);
    }
    return builder.build("bench", Ack.NONE);
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
