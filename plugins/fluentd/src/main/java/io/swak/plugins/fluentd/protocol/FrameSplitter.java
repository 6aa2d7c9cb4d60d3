package io.swak.plugins.fluentd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the TCP byte stream into msgpack frames (one message each), whatever the reads were: a message
 * may span reads and one read may hold several. A frame that would exceed the limit fails the
 * connection before it is buffered whole.
 */
public final class FrameSplitter extends ByteToMessageDecoder {

  private final long maxFrame;
  private final long[] scanStack = new long[FrameScanner.MAX_DEPTH + 1];
  private int truncatedBytes;

  public FrameSplitter(long maxFrame) {
    this.maxFrame = maxFrame;
  }

  /** Bytes left in the connection when it closed in the middle of a message; 0 when it closed between two. */
  public int truncatedBytes() {
    return truncatedBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable()) {
      int first = in.getUnsignedByte(in.readerIndex());
      if (first == ' ' || first == '\n' || first == '\r' || first == '\t') {
        in.skipBytes(1); // between JSON messages; never the start of a msgpack message
        continue;
      }
      if (JsonFrames.startsJson(first)) {
        int end = JsonFrames.valueEnd(in, in.readerIndex(), in.writerIndex(), maxFrame);
        if (end == FrameScanner.INCOMPLETE) {
          return;
        }
        ByteBuf json = in.readSlice(end - in.readerIndex());
        out.add(io.netty.buffer.Unpooled.wrappedBuffer(JsonFrames.toMsgpack(json)));
        continue;
      }
      int end = FrameScanner.valueEnd(in, in.readerIndex(), in.writerIndex(), maxFrame, scanStack);
      if (end == FrameScanner.INCOMPLETE) {
        return;
      }
      out.add(in.readRetainedSlice(end - in.readerIndex()));
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    decode(ctx, in, out);
    if (in.isReadable()) {
      truncatedBytes = in.readableBytes();
      in.skipBytes(in.readableBytes());
    }
  }
}
