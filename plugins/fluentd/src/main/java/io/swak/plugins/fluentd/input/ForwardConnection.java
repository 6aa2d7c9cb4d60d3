package io.swak.plugins.fluentd.input;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.swak.support.BatchQueue;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of in.Forward: the handshake when a shared key is set, then event messages turned into
 * batches for the task. Messages without a chunk id that arrive together under one tag are merged into one batch
 * (fluent-cat and Message mode send one event per message). A message with a chunk id becomes batches of its own
 * whose ack sends {@code {"ack": chunk}} back: only once the task's downstream steps accepted all of them.
 *
 * <p>Memory is bounded in steps. Bytes received and not decoded yet are in one heap buffer whose size is taken
 * from the server's {@link AssemblyMemory} before anything is read into it (reads are sized to it); a message
 * whose headers announce more waits, its socket not read, until there is room for all of it. A message is
 * decoded into parts of about 1 MiB, and the next part is decoded only while the task's queue has room; when it
 * has none the socket is not read either. Before a client logged in (shared key), its messages may be 64 KiB.
 */
final class ForwardConnection extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger("swak.forward");
  private static final int MERGE_LIMIT = 1 << 20;
  /** Receive buffer for small messages, and for the headers of large ones. */
  static final int SMALL = 64 << 10;
  /** Largest receive buffer taken from Netty's pool: its chunk size (see ForwardInput). */
  static final int POOLED = SMALL;
  /** Largest message before the handshake: a PING is a few hundred bytes. */
  static final long HANDSHAKE_LIMIT = 64 << 10;
  /** Bytes an incomplete message must receive to count as progressing (5 s without them: stalled). */
  static final int PROGRESS = 16 << 10;

  /** What every connection of one server shares. */
  record Shared(ForwardDecoder decoder, BatchQueue queue, StepMetrics metrics, String tagPrefix, String sharedKey,
      String selfHostname, Map<String, String> users, Supplier<byte[]> random16, long maxMessage,
      AssemblyMemory memory) { }

  private final Shared shared;
  private final FrameSplitter splitter;
  private ChannelHandlerContext ctx;
  private boolean awaitingPing;
  private byte[] nonce;
  private byte[] authSalt;
  private boolean failed;
  /** The channel is inactive; what was received whole is still handed on as the queue has room. */
  private boolean closed;

  /** Bytes received and not decoded yet; its capacity is what this connection took from the budget. */
  private ByteBuf received;
  private volatile long taken;
  /** Waiting for room in the queue, the socket not read. */
  private boolean waitingForQueue;
  /** Waiting for memory, the socket not read; read by the watchdog. */
  private volatile boolean waitingForMemory;
  /** The receive buffer's size once the memory waited for is granted. */
  private volatile long wanted;
  /** Bytes of an incomplete message held while reading; read by the watchdog. */
  private volatile long holding;
  /**
   * The incomplete message's length at least, as its headers told when last scanned: it is not scanned again
   * before that much came (scanning from its start at every read would cost the square of its length).
   */
  private long needed;
  private volatile long lastReadNanos = System.nanoTime();
  /** When the receive buffer was last found empty at the end of a read burst; on the event loop. */
  private long idleSinceNanos;
  /** Bytes received since {@link #lastReadNanos} last moved. */
  private long progress;

  /** A message being handed on part by part, the frame it was decoded from, its tag and its ack. */
  private ForwardRequest current;
  private ByteBuf currentFrame;
  private String currentTag;
  private MessageAck currentAck;
  /** Batches the queue refused (another network thread filled it): handed first. */
  private final ArrayDeque<Batch> blocked = new ArrayDeque<>();

  // parts of messages without chunk id under one tag, merged until the read burst ends: kept as they are and
  // copied once into one array at the end (a growing buffer copied each byte ~3 times)
  private String mergeTag;
  private final ArrayList<byte[]> merged = new ArrayList<>();
  private int mergeBytes;
  private int mergeCount;

  ForwardConnection(Shared shared) {
    this.shared = shared;
    this.splitter = new FrameSplitter(shared.sharedKey() != null ? HANDSHAKE_LIMIT : shared.maxMessage());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    shared.memory().register(this);
    if (shared.sharedKey() != null) {
      nonce = shared.random16().get();
      authSalt = shared.random16().get();
      awaitingPing = true;
      ctx.writeAndFlush(Unpooled.wrappedBuffer(Handshake.helo(nonce, authSalt)));
    }
    ctx.fireChannelActive();
  }

  // ---- receiving ---------------------------------------------------------------------------------------------

  /**
   * Before each socket read (see {@link BoundedReads}): how many bytes it may read, at most {@code guess}. 0 when
   * the connection must not read: it is failing, or now waits for memory (and stopped reading).
   */
  int readRoom(int guess) {
    if (failed || closed || waitingForMemory || waitingForQueue) {
      return 0;
    }
    if (received == null && !resize(SMALL)) {
      return 0;
    }
    return Math.min(guess, received.writableBytes());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (failed) {
        return;
      }
      int n = in.readableBytes();
      progress += n;
      if (holding == 0 || progress >= PROGRESS) {
        // a trickle of bytes (slowloris) does not count as progress: it holds its memory as a stall does
        lastReadNanos = System.nanoTime();
        progress = 0;
      }
      if (received == null || received.writableBytes() < n) {
        // more than was room for: plaintext of TLS records read before, or a test's channel
        long size = Math.max(Math.max(SMALL, taken), (received == null ? 0 : received.readableBytes()) + (long) n);
        shared.memory().force(size - taken);
        taken = size;
        replaceBuffer((int) size);
      }
      received.writeBytes(in);
    } finally {
      in.release();
    }
    pump();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flushMerged();
    if (received != null && !received.isReadable() && current == null) {
      if (shared.memory().anyoneWaiting()) {
        resize(0); // an idle connection holds no memory that another one waits for
      } else {
        idleSinceNanos = System.nanoTime(); // kept for the next burst: given back by giveBackIfIdle
      }
    }
    ctx.fireChannelReadComplete();
  }

  /**
   * Decodes and hands on what was received, as far as the queue has room; then makes room for the rest of an
   * incomplete message, or waits for it.
   */
  private void pump() {
    try {
      while (!failed) {
        if (!offerBlocked()) {
          waitForQueue();
          return;
        }
        if (current == null) {
          if (received == null || !received.isReadable() || received.readableBytes() < needed) {
            break;
          }
          if (!awaitingPing && !shared.queue().hasRoom()) {
            flushMerged();
            waitForQueue();
            return;
          }
          ByteBuf frame = next();
          if (frame == null) {
            break;
          }
          if (awaitingPing) {
            handshake(frame);
            continue;
          }
          start(frame);
          continue;
        }
        if (!shared.queue().hasRoom()) {
          flushMerged();
          waitForQueue();
          return;
        }
        ForwardRequest.Part p = current.nextPart();
        if (p == null) {
          finishCurrent();
        } else if (currentAck == null) {
          merge(currentTag, p);
        } else {
          hand(p.toBatch(currentTag, currentAck.part()));
        }
      }
      if (!failed && !closed) {
        makeRoom();
      }
    } catch (RuntimeException e) {
      onError(e);
    }
  }

  private ByteBuf next() {
    try {
      needed = 0;
      return splitter.next(received);
    } catch (ForwardProtocolException.TooLarge e) {
      if (awaitingPing) {
        throw new ForwardProtocolException("expected PING after HELO, got a message of more than "
            + HANDSHAKE_LIMIT + " bytes (is the client configured with a shared_key?)");
      }
      throw e;
    }
  }

  private void handshake(ByteBuf frame) {
    try {
      Handshake.PingResult r = Handshake.checkPing(ByteBufUtil.getBytes(frame), nonce, authSalt,
          shared.sharedKey(), shared.users());
      byte[] pong = Handshake.pong(r, shared.selfHostname(), nonce, shared.sharedKey());
      if (r.ok()) {
        awaitingPing = false;
        splitter.limit(shared.maxMessage());
        ctx.writeAndFlush(Unpooled.wrappedBuffer(pong));
      } else {
        failed = true;
        shared.metrics().count("auth_failures", 1);
        LOG.warn("in.Forward: refused {} ({}): {}", peer(), r.clientHostname(), r.reason());
        ctx.writeAndFlush(Unpooled.wrappedBuffer(pong)).addListener(ChannelFutureListener.CLOSE);
      }
    } finally {
      frame.release();
    }
  }

  /** Decodes a message (checking all of it); its parts are handed on by {@link #pump}. */
  private void start(ByteBuf frame) {
    ForwardRequest req;
    try {
      req = shared.decoder().decode(frame);
    } catch (RuntimeException e) {
      frame.release();
      throw e;
    }
    current = req;
    currentFrame = frame;
    currentTag = shared.tagPrefix() == null ? req.tag() : shared.tagPrefix() + "." + req.tag();
    if (req.chunk() != null) {
      flushMerged(); // what came before it goes first
      currentAck = new MessageAck(ctx.channel(), ForwardRequest.ackReply(req.chunk()));
    } else {
      currentAck = null;
    }
  }

  private void finishCurrent() {
    if (currentAck != null) {
      currentAck.allHanded();
    }
    current.close();
    currentFrame.release();
    current = null;
    currentFrame = null;
    currentAck = null;
  }

  /**
   * After decoding what was complete: makes the receive buffer large enough for the incomplete message at its
   * start, as far as its headers tell, or waits for the memory.
   */
  private void makeRoom() {
    int held = received == null ? 0 : received.readableBytes();
    if (held == 0) {
      holding = 0;
      if (received != null) {
        received.clear(); // the buffer is given back when the read burst ends
      }
      return;
    }
    long need = splitter.needed();
    needed = need;
    holding = held;
    if (need < received.capacity()) {
      if (received.readerIndex() + need > received.capacity()) {
        received.discardReadBytes(); // nothing refers to the bytes decoded: messages were copied out
      }
      return;
    }
    // room for the options and the next header too, so a large message asks once; one whose size shows only as it
    // comes (a Forward-mode array, JSON) doubles, not to be copied for every read
    long size = need <= SMALL ? SMALL
        : Math.max(need + SMALL, Math.min(2L * received.capacity(), shared.maxMessage() + SMALL));
    resize(size); // or waits for the memory
  }

  /**
   * Makes the receive buffer {@code size} bytes (0: none), keeping what it holds, with memory taken from the
   * budget. False when the memory must be waited for: the connection then stops reading until it is granted.
   */
  private boolean resize(long size) {
    long delta = size - taken;
    if (delta > 0) {
      boolean large = size > SMALL;
      if (!shared.memory().take(delta, large)) {
        waitingForMemory = true;
        wanted = size;
        shared.metrics().count("memory_pauses", 1);
        updateAutoRead();
        shared.memory().await(this, delta, large);
        return false;
      }
      taken += delta;
    }
    replaceBuffer((int) size);
    if (delta < 0) {
      taken += delta;
      shared.memory().give(-delta);
    }
    return true;
  }

  private void replaceBuffer(int size) {
    ByteBuf old = received;
    if (size == 0) {
      received = null;
    } else {
      // from Netty's pool up to its 1 MiB chunks (most messages: no array to zero each time); larger, arrays of their own
      received = size <= POOLED ? ctx.alloc().heapBuffer(size, size) : Unpooled.buffer(size, size);
      if (old != null) {
        received.writeBytes(old);
      }
    }
    if (old != null) {
      old.release();
    }
  }

  /** The memory waited for is this connection's now (called from any thread). */
  void granted(long bytes) {
    ctx.executor().execute(() -> {
      taken += bytes;
      // a stall counts from when it may read again; set before it stops waiting, or the watchdog (another thread)
      // could see it not waiting with the time of its last read before the wait, and take it for a stall
      lastReadNanos = System.nanoTime();
      progress = 0;
      waitingForMemory = false;
      if (failed || closed) {
        release();
        return;
      }
      replaceBuffer((int) wanted);
      updateAutoRead();
    });
  }

  // ---- handing on ---------------------------------------------------------------------------------------------

  private void merge(String tag, ForwardRequest.Part p) {
    if (p.count() == 0) {
      return;
    }
    if (!merged.isEmpty() && !tag.equals(mergeTag)) {
      flushMerged();
    }
    mergeTag = tag;
    merged.add(p.data());
    mergeBytes += p.data().length;
    mergeCount += p.count();
    if (mergeBytes >= MERGE_LIMIT) {
      flushMerged();
    }
  }

  private void flushMerged() {
    if (merged.isEmpty()) {
      return;
    }
    byte[] d;
    if (merged.size() == 1) {
      d = merged.get(0);
    } else {
      d = new byte[mergeBytes];
      int at = 0;
      for (byte[] part : merged) {
        System.arraycopy(part, 0, d, at, part.length);
        at += part.length;
      }
    }
    Batch b = new Batch(mergeTag, d, d.length, mergeCount, Ack.NONE);
    merged.clear();
    mergeTag = null;
    mergeBytes = 0;
    mergeCount = 0;
    hand(b);
  }

  /** Gives a batch to the task, or keeps it (the queue filled up meanwhile) to be given first. */
  private void hand(Batch b) {
    if (blocked.isEmpty() && shared.queue().offer(b)) {
      return;
    }
    blocked.addLast(b);
  }

  /** True when no batch is kept back any more. */
  private boolean offerBlocked() {
    while (!blocked.isEmpty() && shared.queue().offer(blocked.peekFirst())) {
      blocked.pollFirst();
    }
    return blocked.isEmpty();
  }

  /** Stops reading until the task took a batch, then goes on. */
  private void waitForQueue() {
    if (waitingForQueue) {
      return;
    }
    waitingForQueue = true;
    holding = 0; // not stalled: held back by the task
    updateAutoRead();
    shared.metrics().count("backpressure_pauses", 1);
    shared.queue().whenSpace(() -> ctx.executor().execute(this::queueHasSpace));
  }

  private void queueHasSpace() {
    waitingForQueue = false;
    lastReadNanos = System.nanoTime(); // a stall counts from when it may read again
    progress = 0;
    pump();
    if (closed && !waitingForQueue) {
      finishClosing();
    } else {
      updateAutoRead();
    }
  }

  private void updateAutoRead() {
    boolean read = !failed && !closed && !waitingForQueue && !waitingForMemory;
    if (ctx.channel().config().isAutoRead() != read) {
      ctx.channel().config().setAutoRead(read);
    }
  }

  // ---- the end ------------------------------------------------------------------------------------------------

  /** The receive buffer's size waited for. */
  long wantedBytes() {
    return wanted;
  }

  /**
   * The watchdog's call (any thread): an empty receive buffer kept between read bursts goes back to the budget when
   * another connection waits for memory, or when this one received nothing for {@code idleNanos}. Keeping it saves
   * a new (zeroed) buffer and a copy of the next message's first read for every message of a busy client.
   */
  void giveBackIfIdle(long idleNanos, boolean others) {
    if (taken == 0) {
      return;
    }
    ctx.executor().execute(() -> {
      if (received != null && !received.isReadable() && current == null && !waitingForMemory
          && (others || System.nanoTime() - idleSinceNanos >= idleNanos) && idleSinceNanos - lastReadNanos >= 0) {
        resize(0);
      }
    });
  }

  /** True when it holds memory from the budget (a receive buffer, or part of a message). */
  boolean holdsMemory() {
    return taken > 0;
  }

  /**
   * How long this connection has held an incomplete message without receiving {@link #PROGRESS} bytes of it (0: it
   * holds none).
   */
  long stalledNanos(long now) {
    return holding > 0 && !waitingForMemory ? now - lastReadNanos : 0;
  }

  /** Closes the connection to free the memory it holds (called from any thread). */
  void refuse(String why) {
    ctx.executor().execute(() -> {
      if (failed || closed) {
        return;
      }
      failed = true;
      shared.metrics().count("memory_refusals", 1);
      LOG.warn("in.Forward: closing the connection from {}: {}", peer(), why);
      ctx.close();
    });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    if (waitingForQueue && !failed) {
      // messages received whole are handed on once the queue has room; then the connection is done with
      ctx.fireChannelInactive();
      return;
    }
    finishClosing();
    ctx.fireChannelInactive();
  }

  private void finishClosing() {
    flushMerged();
    if (!failed && received != null && received.isReadable() && current == null) {
      shared.metrics().count("truncated_messages", 1);
      LOG.warn("in.Forward: {} closed the connection in the middle of a message ({} bytes discarded; the client "
          + "sends it again if it waits for acks)", peer(), received.readableBytes());
    }
    if (!blocked.isEmpty()) {
      // the task takes them once the queue has room: events without a chunk id are not sent again
      shared.queue().whenSpace(() -> ctx.executor().execute(this::offerRest));
    }
    release();
  }

  private void offerRest() {
    if (!offerBlocked()) {
      shared.queue().whenSpace(() -> ctx.executor().execute(this::offerRest));
    }
  }

  /** Gives back the receive buffer, the message being handed on and the memory. */
  private void release() {
    if (current != null) {
      current.close();
      currentFrame.release();
      current = null;
      currentFrame = null;
    }
    if (received != null) {
      received.release();
      received = null;
    }
    shared.memory().unregister(this);
    shared.memory().give(taken);
    taken = 0;
    holding = 0;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    onError(cause);
  }

  private void onError(Throwable cause) {
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

  /**
   * The ack of a message handed on in parts: {@code {"ack": chunk}} goes back once every part's batch was
   * acknowledged downstream and the last part was handed on.
   */
  private final class MessageAck {
    private final Channel channel;
    private final byte[] reply;
    /** Parts not acknowledged yet, and 1 until the last part is handed on. */
    private final AtomicInteger open = new AtomicInteger(1);

    MessageAck(Channel channel, byte[] reply) {
      this.channel = channel;
      this.reply = reply;
    }

    Ack part() {
      open.incrementAndGet();
      AtomicBoolean done = new AtomicBoolean();
      return () -> {
        if (done.compareAndSet(false, true)) {
          settle();
        }
      };
    }

    void allHanded() {
      settle();
    }

    private void settle() {
      if (open.decrementAndGet() == 0 && channel.isActive()) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(reply));
        shared.metrics().count("acks_sent", 1);
      }
    }
  }
}
