package io.swak.plugins.syslog;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.swak.api.Batch;
import java.net.InetAddress;

/**
 * The UDP socket of in.Syslog: one message per datagram (RFC 5426), parsed into the network thread's batch and
 * handed to the task when the read burst ends. A datagram cannot wait: while the task's queue is full the batch
 * is dropped and counted ({@code dropped}), as a full kernel buffer would drop it without a count.
 */
final class SyslogDatagrams extends ChannelInboundHandlerAdapter {

  private final SyslogInput input;
  private final int max;
  private InetAddress lastSender;
  private byte[] lastSource;

  SyslogDatagrams(SyslogInput input, int max) {
    this.input = input;
    this.max = max;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    DatagramPacket packet = (DatagramPacket) msg;
    try {
      ByteBuf in = packet.content();
      int n = in.readableBytes();
      if (n == 0) {
        return;
      }
      SyslogInput.Worker w = input.worker();
      if (n > max) {
        n = max; // the buffer holds one byte more than kept: this datagram was longer
        w.truncated++;
      }
      byte[] s = w.scratch(n);
      in.getBytes(in.readerIndex(), s, 0, n);
      InetAddress from = packet.sender() == null ? null : packet.sender().getAddress();
      if (from != null && !from.equals(lastSender)) {
        lastSender = from;
        lastSource = EntryBuffer.key(from.getHostAddress());
      }
      w.count(w.parser.parse(s, 0, n, input.context.nowNanos(), from == null ? null : lastSource, w.entries));
      if (w.entries.len > (1 << 20)) {
        flush(w);
      }
    } finally {
      packet.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flush(input.worker());
    ctx.fireChannelReadComplete();
  }

  private void flush(SyslogInput.Worker w) {
    w.publish();
    if (w.entries.isEmpty()) {
      return;
    }
    Batch b = w.entries.take(input.o.tag());
    if (!input.queue.offer(b)) {
      input.metrics.dropped(b.count());
      input.metrics.count("dropped_datagrams", b.count());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    input.metrics.errors(1);
    SyslogInput.LOG.warn("in.Syslog: UDP socket: {}", io.swak.support.FailureText.of(cause));
  }
}
