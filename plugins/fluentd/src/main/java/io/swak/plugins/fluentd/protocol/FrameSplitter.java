package io.swak.plugins.fluentd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Cuts a byte stream into messages, one msgpack value each (JSON text converted), whatever the reads were: a
 * message may span reads and one read may hold several. A message that would exceed the limit is refused as soon
 * as its headers say so, before its bytes are buffered; for one that is not complete yet, {@link #needed} tells
 * how long it is at least, so the caller can make room for all of it at once.
 */
public final class FrameSplitter {

  /**
   * Largest JSON message. JSON is converted through Java values, about ten times the size of the text in the
   * heap: a 16 MiB array of short strings would take ~200 MiB. Senders of JSON (fluent-agent-lite -j, loggers)
   * send a few lines at a time.
   */
  public static final long JSON_LIMIT = 1 << 20;

  private long maxFrame;
  private final long[] scanStack = new long[FrameScanner.MAX_DEPTH + 1];
  private long needed;

  public FrameSplitter(long maxFrame) {
    this.maxFrame = maxFrame;
  }

  /** Changes the largest message accepted from now on (smaller before a client has logged in). */
  public void limit(long maxFrame) {
    this.maxFrame = maxFrame;
  }

  /**
   * The next whole message at {@code in}'s reader index, which moves past it; null when the message there is not
   * complete yet (then see {@link #needed}). A msgpack message is a slice of {@code in}, retained: the caller
   * releases it; a JSON one is a new buffer of its msgpack form.
   *
   * @throws ForwardProtocolException on bytes that start no message, or a message over the limit
   */
  public ByteBuf next(ByteBuf in) {
    while (in.isReadable()) {
      int first = in.getUnsignedByte(in.readerIndex());
      if (first == ' ' || first == '\n' || first == '\r' || first == '\t') {
        in.skipBytes(1); // between JSON messages; never the start of a msgpack message
        continue;
      }
      if (JsonFrames.startsJson(first)) {
        int end = JsonFrames.valueEnd(in, in.readerIndex(), in.writerIndex(), Math.min(maxFrame, JSON_LIMIT));
        if (end == FrameScanner.INCOMPLETE) {
          needed = in.readableBytes() + 1L;
          return null;
        }
        ByteBuf json = in.readSlice(end - in.readerIndex());
        return Unpooled.wrappedBuffer(JsonFrames.toMsgpack(json));
      }
      long r = FrameScanner.endOrNeeded(in, in.readerIndex(), in.writerIndex(), maxFrame, scanStack);
      if (r < 0) {
        needed = -r;
        return null;
      }
      return in.readRetainedSlice((int) r - in.readerIndex());
    }
    needed = 0;
    return null;
  }

  /**
   * After {@link #next} returned null: how many bytes the message at the reader index has at least, counting
   * those already there (0 when there is none: only whitespace was left).
   */
  public long needed() {
    return needed;
  }
}
