package io.swak.plugins.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.swak.api.Batch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * The requests of one connection, one at a time: the body is gathered (bounded by max_body_size after gzip is
 * undone), read into one batch, and answered when the task acknowledges it. The connection is not read while
 * its request waits, so a client that pipelines cannot pile up requests. A request that has begun must arrive
 * whole within request_timeout (slowloris); an idle connection costs a socket and nothing else.
 */
final class HttpRequests extends ChannelInboundHandlerAdapter {

  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_.\\-]{1,256}");
  private static final ThreadLocal<BodyReader> READERS = new ThreadLocal<>();

  private final HttpInput input;
  private final Channel channel;
  private final int max;
  private ChannelHandlerContext ctx;

  // the request being read
  private boolean inRequest;
  private ScheduledFuture<?> deadline;
  private HttpRequest request;
  private String tag;
  private HttpInputPlugin.Format format;
  private byte[] body;
  private int bodyLen;
  /** What the body may grow to: its Content-Length, else max_body_size. */
  private int bodyCap;
  /** Bytes of {@link #body} taken from the input's memory_limit. */
  private long held;
  /** Set once this request has been answered (an error, or while discarding the rest of its body). */
  private boolean answered;
  private boolean keepAlive;
  private boolean waiting;

  HttpRequests(HttpInput input, Channel channel) {
    this.input = input;
    this.channel = channel;
    this.max = (int) input.o.maxBodySize().bytes();
  }

  /** Sits before the HTTP codec: the first byte of a request starts its request_timeout. */
  ChannelHandler clock() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext c, Object msg) {
        if (!inRequest && msg instanceof ByteBuf b && b.isReadable()) {
          inRequest = true;
          answered = false;
          deadline = c.executor().schedule(HttpRequests.this::tooSlow, input.o.requestTimeout().toMillis(),
              TimeUnit.MILLISECONDS);
        }
        c.fireChannelRead(msg);
      }
    };
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  private void tooSlow() {
    if (inRequest && !waiting) {
      input.metrics.count("slow_requests", 1);
      keepAlive = false;
      answer(HttpResponseStatus.REQUEST_TIMEOUT, "the request did not arrive whole within request_timeout ("
          + input.o.requestTimeout().toSeconds() + "s)", null);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest r) {
        begin(r);
      }
      if (msg instanceof HttpContent c && !answered) {
        gather(c.content());
      }
      if (msg instanceof LastHttpContent && !answered) {
        complete();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void begin(HttpRequest r) {
    request = r;
    answered = false;
    dropBody();
    keepAlive = HttpUtil.isKeepAlive(r);
    input.metrics.count("requests", 1);
    if (r.decoderResult().isFailure()) {
      keepAlive = false;
      bad(HttpResponseStatus.BAD_REQUEST, "not an HTTP request: " + r.decoderResult().cause().getMessage());
      return;
    }
    if (!HttpMethod.POST.equals(r.method()) && !HttpMethod.PUT.equals(r.method())) {
      bad(HttpResponseStatus.METHOD_NOT_ALLOWED, "send events with POST");
      return;
    }
    if (input.expectedAuth != null && !authorized(r.headers().get(HttpHeaderNames.AUTHORIZATION))) {
      input.metrics.count("unauthorized_requests", 1);
      answer(HttpResponseStatus.UNAUTHORIZED, "missing or wrong credentials", null);
      return;
    }
    String path = r.uri();
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    while (path.startsWith("/")) {
      path = path.substring(1);
    }
    if (!input.o.tag().isEmpty()) {
      tag = input.o.tag();
    } else if (TAG.matcher(path).matches()) {
      tag = path;
    } else {
      bad(HttpResponseStatus.BAD_REQUEST, path.isEmpty() ? "POST to /TAG (for example /app.web): the path is the tag"
          : "the path is not a tag (letters, digits, '.', '_' and '-')");
      return;
    }
    format = format(r.headers().get(HttpHeaderNames.CONTENT_TYPE));
    long length = HttpUtil.getContentLength(r, -1L);
    if (length > max) {
      tooLarge();
      return;
    }
    bodyCap = (int) (length >= 0 ? length : max);
    // a known length is taken at once: one array, no copies as it grows (old arrays are garbage the heap keeps)
    grow(length >= 0 ? bodyCap : 8192);
  }

  /**
   * Makes {@link #body} hold {@code capacity} bytes, taken from the input's memory_limit first. False when the
   * memory is not left: the request was answered 503 and its connection is closed.
   */
  private boolean grow(int capacity) {
    if (capacity > held && !input.bodies.take(capacity - held, held)) {
      dropBody();
      input.metrics.count("memory_refusals", 1);
      String limit = (input.bodies.limit() >> 20) + " MiB";
      input.warn("in.Http: refused a request from " + channel.remoteAddress() + ": request bodies of other "
          + "connections hold memory_limit (" + limit + "); the client is told to retry (counter memory_refusals)");
      answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "the agent holds too many request bodies at once "
          + "(memory_limit " + limit + "); retry later", "1");
      return false;
    }
    body = body == null ? new byte[capacity] : Arrays.copyOf(body, capacity);
    if (capacity < held) {
      input.bodies.give(held - capacity);
    }
    held = capacity;
    return true;
  }

  /** Lets the body go and gives its memory back. */
  private void dropBody() {
    body = null;
    bodyLen = 0;
    if (held > 0) {
      input.bodies.give(held);
      held = 0;
    }
  }

  private boolean authorized(String given) {
    if (given == null) {
      return false;
    }
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
        input.expectedAuth.getBytes(StandardCharsets.UTF_8));
  }

  private HttpInputPlugin.Format format(String contentType) {
    if (input.o.format() != HttpInputPlugin.Format.AUTO) {
      return input.o.format();
    }
    String t = contentType == null ? "" : contentType.toLowerCase();
    if (t.contains("ndjson") || t.contains("jsonl") || t.contains("json-seq") || t.contains("jsonlines")) {
      return HttpInputPlugin.Format.NDJSON;
    }
    if (t.startsWith("text/")) {
      return HttpInputPlugin.Format.LINES;
    }
    return HttpInputPlugin.Format.JSON;
  }

  private void gather(ByteBuf c) {
    int n = c.readableBytes();
    if (n == 0) {
      return;
    }
    if ((long) bodyLen + n > max) {
      tooLarge(); // gzip undone past max_body_size, or more than Content-Length announced
      return;
    }
    if (bodyLen + n > body.length && !grow((int) Math.min(Math.max(bodyCap, bodyLen + n),
        Math.max((long) body.length * 2, bodyLen + n)))) {
      return;
    }
    c.readBytes(body, bodyLen, n);
    bodyLen += n;
  }

  private void tooLarge() {
    input.metrics.count("too_large_requests", 1);
    keepAlive = false; // the rest of the body is not read
    answer(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "the body is larger than max_body_size ("
        + input.o.maxBodySize() + ")", null);
  }

  private void bad(HttpResponseStatus status, String why) {
    input.metrics.count("bad_requests", 1);
    answer(status, why, null);
  }

  private void complete() {
    if (input.stopping()) {
      answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "the agent is stopping", "1");
      return;
    }
    BodyReader r = READERS.get();
    if (r == null) {
      r = new BodyReader(input.o.messageKey());
      READERS.set(r);
    }
    r.reset();
    long now = input.context.nowNanos();
    try {
      switch (format) {
        case JSON -> r.json(body, 0, bodyLen, now);
        case NDJSON -> r.ndjson(body, 0, bodyLen, now);
        default -> r.lines(body, 0, bodyLen, now);
      }
    } catch (BodyReader.BadBody e) {
      dropBody();
      bad(HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    dropBody();
    int count = r.count;
    if (count == 0) {
      answer(HttpResponseStatus.OK, null, null);
      return;
    }
    waiting = true;
    channel.config().setAutoRead(false); // the next request waits for this one's answer
    Batch b = new Batch(tag, Arrays.copyOf(r.buf, r.len), r.len, count, () -> ctx.executor().execute(() -> {
      if (waiting) {
        accepted(count);
      }
    }));
    if (!input.offer(b)) {
      waiting = false;
      channel.config().setAutoRead(true);
      input.metrics.count("throttled_requests", 1);
      answer(HttpResponseStatus.TOO_MANY_REQUESTS, "the task is full; retry later", "1");
      return;
    }
    deadline = ctx.executor().schedule(() -> {
      if (waiting) {
        waiting = false;
        keepAlive = false;
        input.metrics.count("ack_timeouts", 1);
        answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "the task did not accept the events within ack_timeout; "
            + "they may still be delivered", "5");
      }
    }, input.o.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void accepted(int count) {
    waiting = false;
    input.metrics.count("accepted_requests", 1);
    answer(HttpResponseStatus.OK, null, null);
  }

  /** Sends the answer to the current request; a reason is the body (text) of an error. */
  private void answer(HttpResponseStatus status, String reason, String retryAfter) {
    if (answered) {
      return;
    }
    answered = true;
    if (status.code() >= 300) {
      keepAlive = false; // what follows a refused request (the rest of its body) is not read
    }
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
    inRequest = false;
    if (status.code() >= 300) {
      dropBody();
    }
    ByteBuf content = reason == null ? Unpooled.EMPTY_BUFFER
        : Unpooled.copiedBuffer(reason + "\n", StandardCharsets.UTF_8);
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    res.headers().set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    if (reason != null) {
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    }
    if (retryAfter != null) {
      res.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
    }
    if (!keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    var f = channel.writeAndFlush(res);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.config().setAutoRead(true);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    waiting = false;
    if (deadline != null) {
      deadline.cancel(false);
    }
    dropBody();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (c instanceof SSLException || c.getCause() instanceof SSLException) {
      input.metrics.count("tls_errors", 1);
      HttpInput.LOG.warn("in.Http: TLS failed with {}: {}", ctx.channel().remoteAddress(), c.getMessage());
    } else if (c instanceof DecompressionException && String.valueOf(c.getMessage()).contains("maximum size")) {
      if (answered) {
        ctx.close();
      } else {
        tooLarge(); // a gzip body inflating past max_body_size in one piece (a bomb); closed once answered
      }
      return;
    } else if (c instanceof DecoderException || cause instanceof DecoderException) {
      if (answered) {
        ctx.close(); // the same broken body again
        return;
      }
      input.metrics.count("bad_requests", 1); // gzip that is not gzip, and the like
      HttpInput.LOG.warn("in.Http: closing {}: {}", ctx.channel().remoteAddress(), c.getMessage());
      if (request != null && !answered) {
        keepAlive = false;
        answer(HttpResponseStatus.BAD_REQUEST, "the body cannot be read: " + c.getMessage(), null);
        return;
      }
    } else if (!(c instanceof IOException)) {
      input.metrics.errors(1);
      HttpInput.LOG.warn("in.Http: closing {}: {}", ctx.channel().remoteAddress(), c.toString());
    }
    ctx.close();
  }
}
