package io.swak.plugins.fluentd.input;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.StepMetrics;
import io.swak.plugins.fluentd.protocol.ForwardDecoder;
import io.swak.plugins.fluentd.protocol.ForwardProtocolException;
import io.swak.plugins.fluentd.protocol.ForwardRequest;
import io.swak.plugins.fluentd.protocol.FrameSplitter;
import io.swak.plugins.fluentd.protocol.Handshake;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of in.Forward: the handshake when a shared key is set, then event messages
 * turned into batches for the task. Messages without a chunk id that arrive together under one tag
 * are merged into one batch (fluent-cat and Message mode send one event per message). A message with
 * a chunk id becomes its own batch whose ack sends {@code {"ack": chunk}} back: only once the task's
 * downstream steps accepted it.
 */
final class ForwardConnection extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger("swak.forward");
  private static final int MERGE_LIMIT = 1 << 20;
  private static final int SCRATCH_LIMIT = 1 << 20;

  /** What every connection of one server shares. */
  record Shared(ForwardDecoder decoder, BatchQueue queue, StepMetrics metrics, String tagPrefix, String sharedKey,
      String selfHostname, Map<String, String> users, Supplier<byte[]> random16) { }

  private final Shared shared;
  private final FrameSplitter splitter;
  private boolean awaitingPing;
  private byte[] nonce;
  private byte[] authSalt;
  private ChannelHandlerContext ctx;
  private final ArrayDeque<Batch> blocked = new ArrayDeque<>();
  private boolean waitingForSpace;
  private boolean failed;
  private byte[] scratch = new byte[0];

  // messages without chunk id under one tag, merged until the read burst ends: kept as they are and
  // copied once into one array at the end (a growing buffer copied each byte ~3 times)
  private String mergeTag;
  private final ArrayList<ForwardRequest> merged = new ArrayList<>();
  private int mergeBytes;
  private int mergeCount;

  ForwardConnection(Shared shared, FrameSplitter splitter) {
    this.shared = shared;
    this.splitter = splitter;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (shared.sharedKey() != null) {
      nonce = shared.random16().get();
      authSalt = shared.random16().get();
      awaitingPing = true;
      ctx.writeAndFlush(Unpooled.wrappedBuffer(Handshake.helo(nonce, authSalt)));
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    try {
      if (failed) {
        return;
      }
      if (awaitingPing) {
        Handshake.PingResult r = Handshake.checkPing(ByteBufUtil.getBytes(frame), nonce, authSalt,
            shared.sharedKey(), shared.users());
        byte[] pong = Handshake.pong(r, shared.selfHostname(), nonce, shared.sharedKey());
        if (r.ok()) {
          awaitingPing = false;
          ctx.writeAndFlush(Unpooled.wrappedBuffer(pong));
        } else {
          failed = true;
          shared.metrics().count("auth_failures", 1);
          LOG.warn("in.Forward: refused {} ({}): {}", peer(), r.clientHostname(), r.reason());
          ctx.writeAndFlush(Unpooled.wrappedBuffer(pong)).addListener(ChannelFutureListener.CLOSE);
        }
        return;
      }
      ForwardRequest req = shared.decoder().decode(frame.hasArray() ? frame : onHeap(frame));
      accept(req);
    } finally {
      frame.release();
    }
  }

  /**
   * A frame in a direct buffer (socket reads are), copied into this connection's reusable array for the
   * decoder, which reads heap buffers only: a new array per frame was zeroed first, every time. Frames
   * over 1 MiB get an array of their own, so a connection does not keep its largest frame's size.
   */
  private ByteBuf onHeap(ByteBuf frame) {
    int n = frame.readableBytes();
    byte[] into = scratch;
    if (into.length < n) {
      into = new byte[n];
      if (n <= SCRATCH_LIMIT) {
        scratch = into;
      }
    }
    frame.getBytes(frame.readerIndex(), into, 0, n);
    return Unpooled.wrappedBuffer(into, 0, n);
  }

  private void accept(ForwardRequest req) {
    String tag = shared.tagPrefix() == null ? req.tag() : shared.tagPrefix() + "." + req.tag();
    if (req.chunk() == null) {
      if (req.count() == 0) {
        return;
      }
      if (!merged.isEmpty() && !tag.equals(mergeTag)) {
        flushMerged();
      }
      mergeTag = tag;
      merged.add(req);
      mergeBytes += req.entries().length;
      mergeCount += req.count();
      if (mergeBytes >= MERGE_LIMIT) {
        flushMerged();
      }
      return;
    }
    flushMerged();
    byte[] reply = ForwardRequest.ackReply(req.chunk());
    var channel = ctx.channel();
    Ack ack = new Ack() {
      private boolean sent;

      @Override
      public synchronized void done() {
        if (sent) {
          return;
        }
        sent = true;
        if (channel.isActive()) {
          channel.writeAndFlush(Unpooled.wrappedBuffer(reply));
          shared.metrics().count("acks_sent", 1);
        }
      }
    };
    if (req.count() == 0) {
      ack.done();
      return;
    }
    hand(req.toBatch(tag, ack));
  }

  private void flushMerged() {
    if (merged.isEmpty()) {
      return;
    }
    Batch b;
    if (merged.size() == 1) {
      b = merged.get(0).toBatch(mergeTag, Ack.NONE);
    } else {
      byte[] d = new byte[mergeBytes];
      int at = 0;
      for (ForwardRequest r : merged) {
        System.arraycopy(r.entries(), 0, d, at, r.entries().length);
        at += r.entries().length;
      }
      b = new Batch(mergeTag, d, d.length, mergeCount, Ack.NONE);
    }
    merged.clear();
    mergeTag = null;
    mergeBytes = 0;
    mergeCount = 0;
    hand(b);
  }

  /** Gives a batch to the task, or holds it and stops reading the socket while the queue is full. */
  private void hand(Batch b) {
    if (blocked.isEmpty() && shared.queue().offer(b)) {
      return;
    }
    blocked.addLast(b);
    if (!waitingForSpace) {
      waitingForSpace = true;
      ctx.channel().config().setAutoRead(false);
      shared.metrics().count("backpressure_pauses", 1);
      shared.queue().whenSpace(() -> ctx.executor().execute(this::drainBlocked));
    }
  }

  private void drainBlocked() {
    waitingForSpace = false;
    while (!blocked.isEmpty() && shared.queue().offer(blocked.peekFirst())) {
      blocked.pollFirst();
    }
    if (blocked.isEmpty()) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    } else {
      waitingForSpace = true;
      shared.queue().whenSpace(() -> ctx.executor().execute(this::drainBlocked));
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flushMerged();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    flushMerged();
    if (splitter.truncatedBytes() > 0 && !failed) {
      shared.metrics().count("truncated_messages", 1);
      LOG.warn("in.Forward: {} closed the connection in the middle of a message ({} bytes discarded; the client "
          + "sends it again if it waits for acks)", peer(), splitter.truncatedBytes());
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (failed) {
      return;
    }
    failed = true;
    flushMerged();
    if (c instanceof ForwardProtocolException) {
      shared.metrics().count("protocol_errors", 1);
      LOG.warn("in.Forward: closing the connection from {}: {}", peer(), c.getMessage());
    } else if (c instanceof javax.net.ssl.SSLException || c.getCause() instanceof javax.net.ssl.SSLException) {
      shared.metrics().count("tls_errors", 1);
      LOG.warn("in.Forward: TLS failed with {}: {}", peer(), c.getMessage());
    } else if (c instanceof IOException) {
      LOG.debug("in.Forward: connection from {} failed: {}", peer(), c.toString());
    } else {
      shared.metrics().count("protocol_errors", 1);
      LOG.warn("in.Forward: closing the connection from {}: {}", peer(), c.toString());
    }
    ctx.close();
  }

  private String peer() {
    SocketAddress a = ctx == null ? null : ctx.channel().remoteAddress();
    if (a instanceof InetSocketAddress i) {
      return i.getAddress().getHostAddress() + ":" + i.getPort();
    }
    return String.valueOf(a);
  }
}
