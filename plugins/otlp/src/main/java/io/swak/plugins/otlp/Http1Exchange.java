package io.swak.plugins.otlp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One HTTP/1.1 connection: gathers a request's body (within body_limit and the shared memory budget), hands it to
 * the {@link Receiver}, stops reading until the answer is written (so a pipelined request waits in the socket), then
 * goes on. A request refused before its body was read closes the connection: its unread body cannot be skipped.
 */
final class Http1Exchange extends ChannelInboundHandlerAdapter {

  private final Connections.Shared shared;
  private final Connections.SlowClientGuard guard;
  private final Connections.Activity activity;
  private final long bodyLimit;
  /** Messages of requests pipelined behind the one being answered. */
  private final ArrayDeque<Object> later = new ArrayDeque<>();

  private Request current;
  /** Between a request's end and its answer. */
  private boolean answering;
  /** After an early answer: the rest of the request is dropped and the connection closes. */
  private boolean discarding;

  /** The request being received. */
  private static final class Request {
    Signal signal;
    Receiver.Format format;
    String encoding;
    boolean keepAlive;
    byte[] body;
    int len;
    /** Bytes taken from the shared budget for it. */
    long reserved;
  }

  Http1Exchange(Connections.Shared shared, Connections.SlowClientGuard guard, Connections.Activity activity) {
    this.shared = shared;
    this.guard = guard;
    this.activity = activity;
    this.bodyLimit = shared.options().bodyLimit().bytes();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (answering || !later.isEmpty() && msg != later.peekFirst()) {
      later.addLast(msg); // autoRead is off: at most what one read of the socket held
      return;
    }
    try {
      if (discarding) {
        return;
      }
      if (msg instanceof HttpRequest req) {
        begin(ctx, req);
      }
      if (msg instanceof HttpContent c && current != null) {
        append(ctx, c.content());
        if (msg instanceof LastHttpContent && current != null) {
          finish(ctx);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void begin(ChannelHandlerContext ctx, HttpRequest req) {
    if (req.decoderResult().isFailure()) {
      shared.metrics().count("bad_requests", 1);
      String why = req.decoderResult().cause() == null ? "" : ": " + req.decoderResult().cause().getMessage();
      early(ctx, new Outcome(400, Outcome.INVALID_ARGUMENT, "malformed HTTP request" + why, false), null);
      return;
    }
    HttpHeaders h = req.headers();
    Signal signal = Signal.ofHttpPath(req.uri());
    if (signal == null) {
      shared.metrics().count("bad_requests", 1);
      early(ctx, new Outcome(404, Outcome.NOT_FOUND, "no such path: " + shorten(req.uri())
          + " (OTLP/HTTP takes POST /v1/logs, /v1/metrics and /v1/traces)", false), null);
      return;
    }
    if (!req.method().equals(HttpMethod.POST)) {
      shared.metrics().count("bad_requests", 1);
      early(ctx, new Outcome(405, Outcome.UNIMPLEMENTED, req.method() + " is not allowed: OTLP/HTTP takes POST",
          false), null);
      return;
    }
    Receiver.Format format = format(h.get(HttpHeaderNames.CONTENT_TYPE));
    if (format == null) {
      shared.metrics().count("bad_requests", 1);
      early(ctx, new Outcome(415, Outcome.INVALID_ARGUMENT, "unsupported content type \""
          + shorten(String.valueOf(h.get(HttpHeaderNames.CONTENT_TYPE)))
          + "\" (application/x-protobuf or application/json)", false), null);
      return;
    }
    String encoding = encoding(h.get(HttpHeaderNames.CONTENT_ENCODING));
    if ("?".equals(encoding)) {
      shared.metrics().count("bad_requests", 1);
      early(ctx, new Outcome(415, Outcome.INVALID_ARGUMENT, "unsupported content encoding \""
          + shorten(h.get(HttpHeaderNames.CONTENT_ENCODING)) + "\" (gzip, deflate or none)", false), format);
      return;
    }
    long length = HttpUtil.getContentLength(req, -1L);
    if (length > bodyLimit) {
      shared.metrics().count("too_large", 1);
      early(ctx, Outcome.tooLarge("the body of " + length + " bytes is larger than body_limit (" + bodyLimit
          + " bytes)"), format);
      return;
    }
    long reserve = Math.max(0, length);
    if (!shared.budget().take(reserve)) {
      shared.metrics().count("refused_full", 1);
      early(ctx, Outcome.full("the agent holds too many requests at once (memory_limit); retry later"), format);
      return;
    }
    Request r = new Request();
    r.signal = signal;
    r.format = format;
    r.encoding = encoding;
    r.keepAlive = HttpUtil.isKeepAlive(req);
    r.reserved = reserve;
    r.body = new byte[(int) Math.max(length, 0)];
    current = r;
    if (HttpUtil.is100ContinueExpected(req)) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
          Unpooled.EMPTY_BUFFER));
    }
  }

  private void append(ChannelHandlerContext ctx, ByteBuf content) {
    Request r = current;
    int n = content.readableBytes();
    if (n == 0) {
      return;
    }
    if ((long) r.len + n > bodyLimit) {
      shared.metrics().count("too_large", 1);
      Receiver.Format f = r.format;
      drop();
      early(ctx, Outcome.tooLarge("the body is larger than body_limit (" + bodyLimit + " bytes)"), f);
      return;
    }
    if (r.len + n > r.body.length) {
      // a chunked body, or one longer than its Content-Length said: grow within the budget
      int grown = (int) Math.min(bodyLimit, Math.max((long) r.body.length * 2, (long) r.len + n));
      if (!shared.budget().take(grown - r.reserved)) {
        shared.metrics().count("refused_full", 1);
        Receiver.Format f = r.format;
        drop();
        early(ctx, Outcome.full("the agent holds too many requests at once (memory_limit); retry later"), f);
        return;
      }
      r.reserved = grown;
      r.body = Arrays.copyOf(r.body, grown);
    }
    content.readBytes(r.body, r.len, n);
    r.len += n;
  }

  private void finish(ChannelHandlerContext ctx) {
    Request r = current;
    current = null;
    guard.requestComplete();
    answering = true;
    activity.active.incrementAndGet();
    ctx.channel().config().setAutoRead(false);
    try {
      shared.receiver().receive(r.signal, r.format, r.encoding, r.body, 0, r.len, r.reserved, ctx.executor(),
          outcome -> ctx.executor().execute(() -> answer(ctx, r, outcome)));
    } finally {
      shared.budget().give(r.reserved); // decoded: the body is no longer held
      r.reserved = 0;
      r.body = null;
    }
  }

  private void answer(ChannelHandlerContext ctx, Request r, Outcome outcome) {
    if (!answering) {
      return; // the connection closed meanwhile
    }
    FullHttpResponse resp = response(outcome, r.format);
    boolean keep = r.keepAlive && ctx.channel().isActive();
    HttpUtil.setKeepAlive(resp, keep);
    var f = ctx.writeAndFlush(resp);
    answering = false;
    activity.active.decrementAndGet();
    if (!keep) {
      f.addListener(ChannelFutureListener.CLOSE);
      return;
    }
    while (!answering && !later.isEmpty()) {
      Object m = later.peekFirst();
      channelRead(ctx, m);
      later.remove(m);
    }
    if (!answering) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    }
  }

  /** Answers before the body was read, and closes: what is left of the request cannot be found in the stream. */
  private void early(ChannelHandlerContext ctx, Outcome outcome, Receiver.Format format) {
    current = null;
    discarding = true;
    guard.requestComplete();
    FullHttpResponse resp = response(outcome, format);
    HttpUtil.setKeepAlive(resp, false);
    ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
  }

  private void drop() {
    if (current != null) {
      shared.budget().give(current.reserved);
      current = null;
    }
  }

  static FullHttpResponse response(Outcome outcome, Receiver.Format format) {
    boolean json = format == Receiver.Format.JSON;
    byte[] body;
    if (outcome.ok()) {
      body = json ? new byte[] {'{', '}'} : new byte[0]; // an empty Export*ServiceResponse
    } else {
      body = json ? RpcStatus.json(outcome.grpc(), outcome.message())
          : RpcStatus.encode(outcome.grpc(), outcome.message(), 0);
    }
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(outcome.http()), Unpooled.wrappedBuffer(body));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, json ? HttpHeaderValues.APPLICATION_JSON : "application/x-protobuf");
    resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (outcome.retryable()) {
      resp.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    }
    return resp;
  }

  /** The format of a Content-Type, or null when it is neither protobuf nor JSON. */
  static Receiver.Format format(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    String t = (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(java.util.Locale.ROOT);
    return switch (t) {
      case "application/x-protobuf", "application/protobuf" -> Receiver.Format.PROTOBUF;
      case "application/json" -> Receiver.Format.JSON;
      default -> null;
    };
  }

  /** Null for no compression, the encoding's name, or "?" for one that is not supported. */
  static String encoding(String header) {
    if (header == null) {
      return null;
    }
    String e = header.trim().toLowerCase(java.util.Locale.ROOT);
    return switch (e) {
      case "", "identity" -> null;
      case "gzip", "x-gzip", "deflate" -> e;
      default -> "?";
    };
  }

  static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      return; // IdleCloser decides
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    drop();
    if (answering) {
      answering = false;
      activity.active.decrementAndGet();
    }
    while (!later.isEmpty()) {
      ReferenceCountUtil.release(later.pollFirst());
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Connections.quietClose(ctx, cause, shared.metrics());
  }
}
