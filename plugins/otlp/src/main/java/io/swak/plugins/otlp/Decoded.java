package io.swak.plugins.otlp;

import java.util.ArrayList;
import java.util.List;

/** The events of one request: entries per tag, ready to become batches once the request's acknowledgement exists. */
final class Decoded {

  /** Entries of one tag. */
  record Part(String tag, byte[] data, int length, int count) { }

  final List<Part> parts = new ArrayList<>(1);
  /** Log records, or resources for metrics and traces: what the events stand for. */
  int records;
  /** Data points or spans, for the counters of relayed signals. */
  long items;

  void add(String tag, MsgpackOut o, int count) {
    byte[] b = o.buf;
    if (b.length > o.len + (o.len >> 2) + 64) {
      b = java.util.Arrays.copyOf(b, o.len); // what waits in the queue is counted by length: hold no more
    }
    parts.add(new Part(tag, b, o.len, count));
  }

  long bytes() {
    long n = 0;
    for (Part p : parts) {
      n += p.length();
    }
    return n;
  }
}
