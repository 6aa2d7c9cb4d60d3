package io.swak.plugins.fluentd.input;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;

/**
 * Socket reads of a connection sized by Netty's usual guess, but never larger than the room its receive buffer
 * has: a connection cannot read more than the memory it took, so the budget is never overrun by reads already
 * made (the bytes stay in the kernel, and TCP holds the sender back). The read buffer itself is a short-lived
 * direct buffer, copied into the heap buffer and released at once.
 */
final class BoundedReads implements RecvByteBufAllocator {

  private final RecvByteBufAllocator sizes;
  private final ForwardConnection connection;

  /**
   * Reads as {@code sizes} (the channel's own: its guesses, and up to 16 reads before going back to the selector)
   * says, capped by the connection's room.
   */
  BoundedReads(RecvByteBufAllocator sizes, ForwardConnection connection) {
    this.sizes = sizes;
    this.connection = connection;
  }

  @Override
  public Handle newHandle() {
    return new DelegatingHandle(sizes.newHandle()) {
      @Override
      public ByteBuf allocate(ByteBufAllocator alloc) {
        // 0: the connection stopped reading (waits for memory); this read returns nothing
        return alloc.ioBuffer(connection.readRoom(guess()));
      }
    };
  }
}
