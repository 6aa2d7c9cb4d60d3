package io.swak.plugins.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.FastThreadLocal;
import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.support.ByteBudget;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One client connection of in.Tcp: its bytes, decompressed if they are compressed, cut into units by a
 * {@link Framer} and decoded into the network thread's {@link EntryBuffer}; the batch goes to the task at
 * the end of each read burst (or each megabyte). When the task's queue is full the connection stops where
 * it is — the rest of its input stays as it came, compressed or not — and stops reading its socket until
 * space frees up: memory stays bounded and the sender waits. A connection that closes while stopped is
 * still read to its end first.
 */
final class TcpConnection extends ChannelInboundHandlerAdapter implements Framer.Sink {

  /** What every network thread keeps once: the batch being built and a piece of plain or decoded bytes. */
  static final class Worker {
    final EntryBuffer out = new EntryBuffer();
    final byte[] scratch = new byte[1 << 16];
    /** The connection whose entries {@link #out} holds (a batch has one tag and one owner). */
    TcpConnection owner;
  }

  static final FastThreadLocal<Worker> WORKERS = new FastThreadLocal<>() {
    @Override
    protected Worker initialValue() {
      return new Worker();
    }
  };

  private final TcpReceiver r;
  private ChannelHandlerContext ctx;
  private Framer framer;
  private StreamDecoder decoder;
  private boolean detecting;
  /** The first bytes while fewer than needed to tell the compression came. */
  private ByteBuf early;
  /** Input not decoded yet because the connection stopped; with a decoder, {@link #pendingNio} is its view. */
  private ByteBuf pending;
  private ByteBuffer pendingNio;
  /** Reads that came in after the connection stopped (reads already on their way). */
  private final ArrayDeque<ByteBuf> later = new ArrayDeque<>(2);
  private Batch blocked;
  private boolean paused;
  private boolean inactive;
  private boolean finished;
  private boolean broken;
  private long now;
  private byte[] source;
  private final JsonRecords json;
  /** format: a parser, or null. */
  private final ParsedLines parsed;
  private final ForwardValues forward;
  /** Tag of the entries this connection wrote into the worker's buffer. */
  private String tag;

  TcpConnection(TcpReceiver receiver) {
    this.r = receiver;
    TcpInputPlugin.Options o = receiver.options;
    this.detecting = o.compress() == TcpInputPlugin.Compress.AUTO;
    this.tag = o.tag();
    this.json = new JsonRecords(o.jsonTimeKey(), o.parsing().timeKeep(), o.messageKey(), o.sourceKey());
    int maxLine = (int) o.maxLineSize().bytes();
    this.parsed = o.framing() == TcpInputPlugin.Format.PARSED ? o.parsedLines() : null;
    switch (o.framing()) {
      case JSON_LINES -> {
        framer = new LineFramer(this, maxLine, o.longLines() == TcpInputPlugin.LongLines.SKIP,
            (b, s, e) -> json.line(b, s, e, now, source, out()));
        forward = null;
      }
      case LINES -> {
        framer = new LineFramer(this, maxLine, o.longLines() == TcpInputPlugin.LongLines.SKIP,
            (b, s, e) -> json.message(b, s, e, now, source, out()));
        forward = null;
      }
      case PARSED -> {
        framer = new LineFramer(this, maxLine, o.longLines() == TcpInputPlugin.LongLines.SKIP,
            (b, s, e) -> parsed.line(tag, b, s, e, now, source, json, out()));
        forward = null;
      }
      case MSGPACK -> {
        forward = new ForwardValues(this, r);
        framer = new ValueFramer(this, maxLine, forward::record);
      }
      default -> {
        forward = new ForwardValues(this, r);
        framer = new ValueFramer(this, (int) o.maxMessageSize().bytes(), forward::message);
      }
    }
    if (o.compress() == TcpInputPlugin.Compress.GZIP) {
      decoder = StreamDecoder.of("gzip");
    } else if (o.compress() == TcpInputPlugin.Compress.ZSTD) {
      decoder = StreamDecoder.of("zstd");
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    SocketAddress a = ctx.channel().remoteAddress();
    if (a instanceof InetSocketAddress i && r.options.sourceKey() != null) {
      source = i.getAddress().getHostAddress().getBytes(StandardCharsets.US_ASCII);
    }
    ctx.fireChannelActive();
  }

  @Override
  public ByteBudget memory() {
    return r.memory;
  }

  @Override
  public EntryBuffer out() {
    Worker w = WORKERS.get();
    if (w.owner != this) {
      if (w.owner != null && !w.out.isEmpty() && !w.owner.flushOwned(w)) {
        w.owner.stop(); // another connection's entries (not expected: each flushes before the thread moves on)
      }
      w.owner = this;
    }
    return w.out;
  }

  /** Switches the tag of the entries written next; false when the entries before could not go on. */
  boolean tag(String t) {
    if (t.equals(tag)) {
      return true;
    }
    boolean ok = flush();
    tag = t;
    return ok;
  }

  long now() {
    return now;
  }

  @Override
  public boolean flushIfFull() {
    if (blocked != null) {
      return false;
    }
    Worker w = WORKERS.get();
    return w.owner != this || w.out.len < EntryBuffer.BATCH_BYTES || flush();
  }

  /** Hands on the entries written so far; false (and kept) when the task's queue is full. */
  boolean flushNow() {
    return flush();
  }

  /** Hands on the entries written so far as one batch completing {@code ack} (a Forward chunk). */
  void handOwned(Ack ack) {
    hand(WORKERS.get().out.build(tag, ack));
  }

  private boolean flush() {
    Worker w = WORKERS.get();
    if (w.owner != this || w.out.isEmpty()) {
      return blocked == null;
    }
    return flushOwned(w);
  }

  private boolean flushOwned(Worker w) {
    Batch b = w.out.build(tag, Ack.NONE);
    return hand(b);
  }

  /** Gives a batch to the task, or keeps it when the queue is full (the connection then stops). */
  boolean hand(Batch b) {
    if (inactive) {
      r.queue.put(b); // nothing more will be read from it: do not make it wait for space
      return true;
    }
    if (blocked == null && r.queue.offer(b)) {
      return true;
    }
    if (blocked != null) {
      throw new IllegalStateException("a connection holds one refused batch at most");
    }
    blocked = b;
    return false;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    if (broken) {
      in.release();
      return;
    }
    r.bytesIn(in.readableBytes());
    if (paused) {
      later.addLast(in);
      return;
    }
    now = r.now();
    try {
      if (!take(in)) {
        stop();
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  /** Decodes one read; false when the connection stopped (the rest is kept). */
  private boolean take(ByteBuf in) throws IOException {
    if (detecting) {
      if (early != null) {
        early.writeBytes(in);
        in.release();
        in = early;
        early = null;
      }
      byte[] first = new byte[4];
      int n = Math.min(4, in.readableBytes());
      in.getBytes(in.readerIndex(), first, 0, n);
      String kind = StreamDecoder.detect(first, n);
      if ("?".equals(kind)) {
        early = Unpooled.buffer(8);
        early.writeBytes(in);
        in.release();
        return true;
      }
      detecting = false;
      if (kind != null) {
        decoder = StreamDecoder.of(kind);
        r.metrics.count(kind + "_connections", 1);
      }
    }
    return decoder == null ? plain(in) : decoded(in, in.nioBuffer());
  }

  private boolean plain(ByteBuf in) throws IOException {
    byte[] scratch = WORKERS.get().scratch;
    while (in.isReadable()) {
      int n = Math.min(in.readableBytes(), scratch.length);
      in.readBytes(scratch, 0, n);
      if (!framer.feed(scratch, 0, n)) {
        keep(in, null);
        return false;
      }
    }
    in.release();
    return true;
  }

  private boolean decoded(ByteBuf in, ByteBuffer nio) throws IOException {
    byte[] scratch = WORKERS.get().scratch;
    while (true) {
      int n = decoder.decode(nio, scratch, 0, scratch.length);
      if (n > 0) {
        r.decodedBytes(n);
        if (!framer.feed(scratch, 0, n)) {
          keep(in, nio);
          return false;
        }
      } else if (!nio.hasRemaining()) {
        in.release();
        return true;
      }
    }
  }

  private void keep(ByteBuf in, ByteBuffer nio) {
    if (in.isReadable() || nio != null && nio.hasRemaining()) {
      pending = in;
      pendingNio = nio;
    } else {
      in.release();
    }
  }

  /** Stops reading until the task's queue has room; {@link #resume} goes on where this stopped. */
  private void stop() {
    if (!paused) {
      paused = true;
      ctx.channel().config().setAutoRead(false);
      r.metrics.count("backpressure_pauses", 1);
    }
    r.queue.whenSpace(() -> ctx.executor().execute(this::resume));
  }

  private void resume() {
    if (broken || finished) {
      return;
    }
    try {
      if (blocked != null) {
        if (!r.queue.offer(blocked)) {
          r.queue.whenSpace(() -> ctx.executor().execute(this::resume));
          return;
        }
        blocked = null;
      }
      if (!framer.resume() || !morePending()) {
        stop();
        return;
      }
      if (!flush()) {
        stop();
        return;
      }
      paused = false;
      if (inactive) {
        finish();
        return;
      }
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  /** Decodes what was kept and what came meanwhile; false when it stopped again. */
  private boolean morePending() throws IOException {
    if (pending != null) {
      ByteBuf p = pending;
      ByteBuffer nio = pendingNio;
      pending = null;
      pendingNio = null;
      if (!(nio != null ? decoded(p, nio) : plain(p))) {
        return false;
      }
    }
    while (!later.isEmpty()) {
      now = r.now();
      if (!take(later.pollFirst())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!paused && !broken && !flush()) {
      stop();
    }
    if (!broken) {
      report();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inactive = true;
    if (!paused) {
      finish();
    }
    ctx.fireChannelInactive();
  }

  /** The connection ended and everything it sent was read: the last unfinished unit, the last batch. */
  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    try {
      if (!broken) {
        if (early != null) {
          // fewer bytes than a compression header came: plain data
          ByteBuf e = early;
          early = null;
          detecting = false;
          plain(e);
        }
        framer.end();
        if (framer instanceof ValueFramer v && v.truncated > 0) {
          r.metrics.count("truncated_messages", 1);
          r.warn("truncated", "in.Tcp: " + peer() + " closed the connection in the middle of a message ("
              + v.truncated + " bytes discarded)");
        }
        flush();
      }
    } catch (IOException | RuntimeException e) {
      r.metrics.count("protocol_errors", 1);
      r.warn("protocol", "in.Tcp: " + peer() + ": " + e.getMessage());
    } finally {
      report();
      release();
    }
  }

  private void release() {
    if (early != null) {
      early.release();
      early = null;
    }
    if (pending != null) {
      pending.release();
      pending = null;
    }
    while (!later.isEmpty()) {
      later.pollFirst().release();
    }
    if (decoder != null) {
      decoder.close();
      decoder = null;
    }
    if (framer != null) {
      framer.releaseMemory();
    }
    Worker w = WORKERS.get();
    if (w.owner == this) {
      w.owner = null;
    }
    r.closed(this);
  }

  /** Counts what the decoders saw since the last report. */
  void report() {
    if (json.invalid > 0) {
      r.metrics.count("invalid_json", json.invalid);
      r.warn("json", "in.Tcp: lines from " + peer() + " that are not one JSON object were kept as {\""
          + r.options.messageKey() + "\": line} (counter invalid_json)");
      json.invalid = 0;
    }
    String parseOutcome = parsed == null ? null : parsed.report(r.context(), r.queue::put);
    if (parseOutcome != null) {
      r.warn("parse", "in.Tcp: lines from " + peer() + " that are not " + parsed.formatName() + " " + parseOutcome);
    }
    if (json.badTimes > 0) {
      r.metrics.count("invalid_times", json.badTimes);
      r.warn("time", "in.Tcp: `" + r.options.jsonTimeKey() + "` of records from " + peer()
          + " is not a time; they keep the field and the receive time (counter invalid_times)");
      json.badTimes = 0;
    }
    if (framer instanceof LineFramer l && l.longLines > 0) {
      r.metrics.count("long_lines", l.longLines);
      r.warn("long", "in.Tcp: " + (r.options.longLines() == TcpInputPlugin.LongLines.SKIP ? "skipped" : "cut")
          + " lines from " + peer() + " longer than max_line_size (" + r.options.maxLineSize() + ")");
      l.longLines = 0;
    }
    if (forward != null) {
      forward.report(peer());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause);
  }

  /** Closes the connection: its stream cannot be read on (or TLS failed). What was read before stays. */
  private void fail(Throwable c) {
    if (broken) {
      return;
    }
    try {
      flush();
    } catch (RuntimeException ignored) {
      // already failing
    }
    broken = true;
    if (c instanceof javax.net.ssl.SSLException || c.getCause() instanceof javax.net.ssl.SSLException) {
      r.metrics.count("tls_errors", 1);
      r.warn("tls", "in.Tcp: TLS failed with " + peer() + ": " + c.getMessage());
    } else if (c instanceof Framer.StreamBroken sb && sb.memory) {
      r.metrics.count("memory_refusals", 1);
      r.warn("memory", "in.Tcp: closing the connection from " + peer() + ": " + c.getMessage());
    } else if (c instanceof Framer.StreamBroken || c instanceof IOException && decoder != null
        && c.getMessage() != null && c.getMessage().startsWith("broken")) {
      r.metrics.count("protocol_errors", 1);
      r.warn("protocol", "in.Tcp: closing the connection from " + peer() + ": " + c.getMessage());
    } else if (c instanceof IOException) {
      r.debug("in.Tcp: connection from " + peer() + " failed: " + c);
    } else {
      r.metrics.count("protocol_errors", 1);
      r.warn("protocol", "in.Tcp: closing the connection from " + peer() + ": " + c);
    }
    report();
    if (ctx != null) {
      ctx.close();
    }
    finished = true;
    release();
  }

  String peer() {
    SocketAddress a = ctx == null ? null : ctx.channel().remoteAddress();
    if (a instanceof InetSocketAddress i) {
      return i.getAddress().getHostAddress() + ":" + i.getPort();
    }
    return String.valueOf(a);
  }

  /** Writes bytes back to the client (Forward acks) from any thread. */
  void reply(byte[] bytes) {
    if (ctx != null && ctx.channel().isActive()) {
      ctx.channel().writeAndFlush(Unpooled.wrappedBuffer(bytes));
    }
  }
}
