package io.swak.plugins.syslog;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.swak.api.Batch;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import javax.net.ssl.SSLException;

/**
 * One TCP or TLS connection of in.Syslog: splits the stream into messages (RFC 6587 octet counting, or one
 * message per line) and parses them into the network thread's batch, handed to the task when the read burst
 * ends. Memory per connection is bounded: only a partial message is kept between reads (at most
 * max_message_size plus its count), and a longer message is cut there, its framing kept, the rest skipped.
 */
final class SyslogStream extends ChannelInboundHandlerAdapter {

  private final SyslogInput input;
  private final SyslogInputPlugin.Framing framing;
  private final int max;
  private final byte[] source;
  private final String peer;
  private final ArrayDeque<Batch> blocked = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private boolean waitingForSpace;
  private boolean failed;

  /** The start of a message cut by the end of a read; null until a read ends mid-message. */
  private byte[] carry;
  private int carryLen;
  /** Bytes of an octet-counted message longer than max_message_size still to pass over. */
  private long skip;
  /** The rest of a line longer than max_message_size is passed over up to its newline. */
  private boolean discardLine;

  SyslogStream(SyslogInput input, SocketAddress remote) {
    this.input = input;
    this.framing = input.o.framing();
    this.max = (int) input.o.maxMessageSize().bytes();
    this.peer = remote instanceof InetSocketAddress i ? i.getAddress().getHostAddress() + ":" + i.getPort()
        : String.valueOf(remote);
    this.source = remote instanceof InetSocketAddress i ? EntryBuffer.key(i.getAddress().getHostAddress()) : null;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (failed) {
        return;
      }
      SyslogInput.Worker w = input.worker();
      if (w.owner != this && !w.entries.isEmpty()) {
        ((SyslogStream) w.owner).flush(w); // another connection's messages: theirs first
      }
      w.owner = this;
      int n = in.readableBytes();
      byte[] s = w.scratch(carryLen + n);
      if (carryLen > 0) {
        System.arraycopy(carry, 0, s, 0, carryLen);
      }
      in.getBytes(in.readerIndex(), s, carryLen, n);
      int end = carryLen + n;
      carryLen = 0;
      int p = frames(s, 0, end, w, input.context.nowNanos());
      if (p < 0) {
        fail("the octet count of a message is not a number followed by a space (framing: octet_counting)");
        return;
      }
      int left = end - p;
      if (left > 0) {
        if (carry == null || carry.length < left) {
          carry = new byte[Math.max(left, carry == null ? 256 : Math.min(2 * carry.length, max + 16))];
        }
        System.arraycopy(s, p, carry, 0, left);
        carryLen = left;
      }
    } finally {
      in.release();
    }
  }

  /**
   * Parses the complete messages of {@code s[p, end)}; returns where the first incomplete one starts, or -1
   * for a stream that is not octet-counted where it must be.
   */
  private int frames(byte[] s, int p, int end, SyslogInput.Worker w, long now) {
    while (p < end) {
      if (skip > 0) {
        int k = (int) Math.min(skip, end - p);
        p += k;
        skip -= k;
        continue;
      }
      if (discardLine) {
        int nl = indexOf(s, (byte) '\n', p, end);
        if (nl < 0) {
          return end;
        }
        p = nl + 1;
        discardLine = false;
        continue;
      }
      byte c = s[p];
      if (framing == SyslogInputPlugin.Framing.OCTET_COUNTING
          || framing == SyslogInputPlugin.Framing.AUTO && c >= '1' && c <= '9') {
        int q = p;
        long count = 0;
        while (q < end && s[q] >= '0' && s[q] <= '9' && q - p < 11) {
          count = count * 10 + (s[q++] - '0');
        }
        if (q == end && q - p < 11) {
          return p; // the count continues in the next read
        }
        if (q > p && q < end && s[q] == ' ' && count > 0 && q - p <= 10) {
          int body = q + 1;
          if (count > max) {
            if (end - body < max) {
              return p;
            }
            message(s, body, max, w, now);
            w.truncated++;
            skip = count - max;
            p = body + max;
          } else if (end - body >= count) {
            message(s, body, (int) count, w, now);
            p = body + (int) count;
          } else {
            return p;
          }
          continue;
        }
        if (framing == SyslogInputPlugin.Framing.OCTET_COUNTING) {
          return -1;
        }
        // auto: digits not followed by a space are the start of a line (a message without PRI)
      }
      int nl = indexOf(s, (byte) '\n', p, end);
      if (nl < 0) {
        if (end - p > max) {
          message(s, p, max, w, now);
          w.truncated++;
          discardLine = true;
          return end;
        }
        return p;
      }
      int n = nl - p;
      if (n > max) {
        message(s, p, max, w, now);
        w.truncated++;
      } else if (n > 0 && !(n == 1 && s[p] == '\r')) {
        message(s, p, n, w, now);
      }
      p = nl + 1;
    }
    return p;
  }

  private void message(byte[] s, int off, int n, SyslogInput.Worker w, long now) {
    w.count(w.parser.parse(s, off, n, now, source, w.entries));
  }

  private static int indexOf(byte[] s, byte c, int from, int end) {
    for (int i = from; i < end; i++) {
      if (s[i] == c) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    SyslogInput.Worker w = input.worker();
    if (w.owner == this) {
      flush(w);
    }
    ctx.fireChannelReadComplete();
  }

  /** Hands the worker's entries (this connection's) to the task. */
  void flush(SyslogInput.Worker w) {
    w.publish();
    w.owner = null;
    if (w.entries.isEmpty()) {
      return;
    }
    hand(w.entries.take(input.o.tag()));
  }

  /** Gives a batch to the task, or holds it and stops reading the socket while the queue is full. */
  private void hand(Batch b) {
    if (blocked.isEmpty() && input.queue.offer(b)) {
      return;
    }
    blocked.addLast(b);
    if (!waitingForSpace) {
      waitingForSpace = true;
      ctx.channel().config().setAutoRead(false);
      input.metrics.count("backpressure_pauses", 1);
      input.queue.whenSpace(() -> ctx.executor().execute(this::drainBlocked));
    }
  }

  private void drainBlocked() {
    waitingForSpace = false;
    while (!blocked.isEmpty() && input.queue.offer(blocked.peekFirst())) {
      blocked.pollFirst();
    }
    if (blocked.isEmpty()) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    } else {
      waitingForSpace = true;
      input.queue.whenSpace(() -> ctx.executor().execute(this::drainBlocked));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    SyslogInput.Worker w = input.worker();
    if (w.owner != null && w.owner != this && !w.entries.isEmpty()) {
      ((SyslogStream) w.owner).flush(w);
    }
    if (carryLen > 0 && !failed) {
      // the sender closed in the middle of a message: what came of it is kept, marked by the counter
      w.owner = this;
      int body = 0;
      if (framing != SyslogInputPlugin.Framing.NEWLINE) {
        int q = 0;
        while (q < carryLen && carry[q] >= '0' && carry[q] <= '9') {
          q++;
        }
        if (q > 0 && q < carryLen && carry[q] == ' ') {
          body = q + 1;
        }
      }
      if (carryLen > body) {
        message(carry, body, carryLen - body, w, input.context.nowNanos());
        w.truncated++;
      }
      carryLen = 0;
    }
    if (w.owner == this) {
      flush(w);
    }
    carry = null;
    ctx.fireChannelInactive();
  }

  private void fail(String why) {
    failed = true;
    input.metrics.count("framing_errors", 1);
    SyslogInput.LOG.warn("in.Syslog: closing the connection from {}: {}", peer, why);
    SyslogInput.Worker w = input.worker();
    if (w.owner == this) {
      flush(w);
    }
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (failed) {
      return;
    }
    failed = true;
    if (c instanceof SSLException || c.getCause() instanceof SSLException) {
      input.metrics.count("tls_errors", 1);
      SyslogInput.LOG.warn("in.Syslog: TLS failed with {}: {}", peer, c.getMessage());
    } else if (c instanceof IOException) {
      SyslogInput.LOG.debug("in.Syslog: connection from {} failed: {}", peer, c.toString());
    } else {
      input.metrics.errors(1);
      SyslogInput.LOG.warn("in.Syslog: closing the connection from {}: {}", peer, c.toString());
    }
    ctx.close();
  }
}
