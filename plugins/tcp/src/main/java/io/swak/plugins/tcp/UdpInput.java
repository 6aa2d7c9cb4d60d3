package io.swak.plugins.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.Input;
import io.swak.api.StepContext;
import io.swak.api.StepMetrics;
import io.swak.support.BatchQueue;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * in.Udp: one network thread reads datagrams and decodes each on its own (no state between them) into
 * batches for the task. While the task's queue is full the socket is not read: datagrams wait in the
 * kernel's receive buffer, and what does not fit there the kernel drops — counted from /proc/net/udp
 * ({@code kernel_drops}), since no program sees them.
 */
final class UdpInput implements Input {

  private static final Logger LOG = LoggerFactory.getLogger("swak.udp");
  private final io.swak.support.WarnEvery warnEvery = io.swak.support.WarnEvery.tenSeconds();

  private final UdpInputPlugin.Options o;
  private final BatchQueue queue;
  private EventLoopGroup group;
  private Channel channel;
  private int port;

  UdpInput(UdpInputPlugin.Options options) {
    this.o = options;
    this.queue = new BatchQueue(options.queueLimit().bytes());
  }

  int port() {
    return port;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    try {
      group = new NioEventLoopGroup(1, new DefaultThreadFactory("swak-udp", true));
      int max = (int) o.maxMessageSize().bytes();
      channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
          .option(ChannelOption.SO_RCVBUF, (int) Math.min(Integer.MAX_VALUE, o.receiveBufferSize().bytes()))
          // one byte more than the limit: a datagram that fills it was longer (the kernel cut it)
          .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(max + 1).maxMessagesPerRead(256))
          .handler(new Datagrams(ctx, max))
          .bind(o.bind(), o.port()).sync().channel();
    } catch (Exception e) {
      close();
      if (e instanceof java.net.BindException) {
        throw new IOException("cannot listen on " + o.bind() + ":" + o.port() + " (UDP): " + e.getMessage()
            + " (another process, or another input, uses the port)", e);
      }
      throw e;
    }
    port = ((InetSocketAddress) channel.localAddress()).getPort();
    int got = ((NioDatagramChannel) channel).config().getReceiveBufferSize();
    ctx.metrics().gauge("kernel_drops", () -> kernelDrops(port));
    ctx.metrics().gauge("queue_bytes", queue::bytes);
    if (got < o.receiveBufferSize().bytes()) {
      LOG.info("in.Udp: the kernel gave a receive buffer of {} bytes, less than receive_buffer_size ({}): raise "
          + "net.core.rmem_max to keep more datagrams while the task is busy", got, o.receiveBufferSize());
    }
    LOG.info("in.Udp: listening on {}:{} ({})", o.bind(), port, o.format());
  }

  @Override
  public Batch poll(Duration maxWait) throws InterruptedException {
    return queue.poll(maxWait);
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
      channel = null;
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      group = null;
    }
  }

  /**
   * Datagrams dropped by the kernel for the UDP socket bound to {@code port} (the last column of
   * /proc/net/udp and udp6); 0 where there is no such file.
   */
  static long kernelDrops(int port) {
    String hexPort = String.format(":%04X", port);
    long drops = 0;
    for (String f : List.of("/proc/net/udp", "/proc/net/udp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(f))) {
          String[] cols = line.trim().split("\\s+");
          if (cols.length > 12 && cols[1].endsWith(hexPort)) {
            drops += Long.parseLong(cols[cols.length - 1]);
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux, or the file changed shape: nothing to add
      }
    }
    return drops;
  }

  /** The handler of the socket: decode, batch per read burst, stop reading while the queue is full. */
  private final class Datagrams extends SimpleChannelInboundHandler<DatagramPacket> implements Framer.Sink {
    private final StepMetrics metrics;
    private final StepContext context;
    private final int max;
    private final EntryBuffer out = new EntryBuffer();
    private final byte[] scratch;
    private final JsonRecords json;
    private final ParsedLines parsed;
    private final Entries entries = new Entries();
    private final MsgpackScan scan = new MsgpackScan();
    private InetAddress lastSender;
    private byte[] source;
    private Batch blocked;
    private long oversized;
    private long invalid;
    private long datagrams;

    Datagrams(StepContext ctx, int max) {
      this.context = ctx;
      this.metrics = ctx.metrics();
      this.max = max;
      this.scratch = new byte[max + 1];
      this.json = new JsonRecords(o.jsonTimeKey(), o.parsing().timeKeep(), o.messageKey(), o.sourceKey());
      this.parsed = o.framing() == UdpInputPlugin.Format.PARSED ? o.parsedLines() : null;
    }

    @Override
    public EntryBuffer out() {
      return out;
    }

    @Override
    public boolean flushIfFull() {
      return true;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
      ByteBuf in = p.content();
      int n = in.readableBytes();
      datagrams++;
      if (n > max) {
        oversized++;
        return;
      }
      in.getBytes(in.readerIndex(), scratch, 0, n);
      if (o.sourceKey() != null) {
        InetAddress a = p.sender().getAddress();
        if (!a.equals(lastSender)) {
          lastSender = a;
          source = a.getHostAddress().getBytes(StandardCharsets.US_ASCII);
        }
      }
      long now = context.nowNanos();
      switch (o.framing()) {
        case JSON_LINES, LINES, PARSED -> lines(scratch, n, now);
        default -> values(scratch, n, now);
      }
    }

    /** Each line of the datagram (one, mostly, with or without its newline). */
    private void lines(byte[] b, int n, long now) {
      int p = 0;
      while (p < n) {
        int nl = LineFramer.newline(b, p, n);
        int e = nl < 0 ? n : nl;
        int end = e > p && b[e - 1] == '\r' ? e - 1 : e;
        if (end > p) {
          if (parsed != null) {
            parsed.line(o.tag(), b, p, end, now, source, json, out);
          } else if (o.framing() == UdpInputPlugin.Format.JSON_LINES) {
            json.line(b, p, end, now, source, out);
          } else {
            json.message(b, p, end, now, source, out);
          }
        }
        p = e + 1;
      }
    }

    /** Msgpack entries or records; a datagram that is not whole msgpack values is dropped from the first bad one. */
    private void values(byte[] b, int n, long now) {
      int p = 0;
      while (p < n) {
        int e;
        try {
          e = scan.valueEnd(b, p, n);
        } catch (MsgpackScan.Incomplete | MsgpackScan.Malformed x) {
          invalid++;
          return;
        }
        if (entries.isEntry(b, p, e)) {
          out.entries(b, p, e - p, 1);
        } else if (MsgpackScan.isMap(b, p)) {
          out.entryHead(now);
          out.raw(b, p, e - p);
          out.count++;
        } else {
          invalid++;
        }
        p = e;
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      report();
      if (blocked == null && !out.isEmpty()) {
        Batch b = out.build(o.tag(), Ack.NONE);
        if (!queue.offer(b)) {
          blocked = b;
          ctx.channel().config().setAutoRead(false);
          metrics.count("backpressure_pauses", 1);
          queue.whenSpace(() -> ctx.executor().execute(() -> resume(ctx)));
        }
      }
      ctx.fireChannelReadComplete();
    }

    private void resume(ChannelHandlerContext ctx) {
      if (!queue.offer(blocked)) {
        queue.whenSpace(() -> ctx.executor().execute(() -> resume(ctx)));
        return;
      }
      blocked = null;
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    }

    private void report() {
      metrics.count("datagrams", datagrams);
      datagrams = 0;
      if (oversized > 0) {
        metrics.count("oversized_datagrams", oversized);
        LOG.warn("in.Udp: dropped {} datagrams longer than max_message_size ({})", oversized, o.maxMessageSize());
        oversized = 0;
      }
      String parseOutcome = parsed == null ? null : parsed.report(context, queue::put);
      if (parseOutcome != null && warnEvery.due()) {
        LOG.warn("in.Udp: lines that are not {} {}", parsed.formatName(), parseOutcome);
      }
      if (json.invalid > 0) {
        metrics.count("invalid_json", json.invalid);
        json.invalid = 0;
      }
      if (json.badTimes > 0) {
        metrics.count("invalid_times", json.badTimes);
        json.badTimes = 0;
      }
      if (invalid > 0) {
        metrics.count("invalid_messages", invalid);
        invalid = 0;
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("in.Udp: {}", cause.toString());
    }
  }
}
