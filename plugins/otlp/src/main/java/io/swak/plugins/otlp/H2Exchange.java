package io.swak.plugins.otlp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 stream: an OTLP/gRPC call (content type application/grpc: one length-prefixed message, the answer in
 * the trailers' grpc-status) or an OTLP/HTTP request carried over HTTP/2. The body is gathered within body_limit and
 * the shared memory budget; a stream not complete within read_timeout is cancelled.
 */
final class H2Exchange extends ChannelInboundHandlerAdapter {

  private static final String GRPC_ACCEPT_ENCODING = "identity,gzip,deflate";

  private final Connections.Shared shared;
  private final Connections.Activity activity;
  private final long bodyLimit;
  private Signal signal;
  private boolean grpc;
  private Receiver.Format format;
  private String encoding;
  private byte[] body = new byte[0];
  private int len;
  private long reserved;
  private boolean started;
  /** Answered (or being answered): anything more the client sends is dropped. */
  private boolean done;
  private ScheduledFuture<?> timer;

  H2Exchange(Connections.Shared shared, Connections.Activity activity) {
    this.shared = shared;
    this.activity = activity;
    this.bodyLimit = shared.options().bodyLimit().bytes();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    activity.active.incrementAndGet();
    long t = shared.options().readTimeout().toMillis();
    if (t > 0) {
      timer = ctx.executor().schedule(() -> {
        if (!done) {
          shared.metrics().count("slow_clients", 1);
          answer(ctx, new Outcome(408, Outcome.DEADLINE_EXCEEDED, "the request did not arrive whole within "
              + "read_timeout", false));
        }
      }, t, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (done) {
        return;
      }
      if (msg instanceof Http2HeadersFrame h) {
        if (!started) {
          started = true;
          begin(ctx, h.headers());
        }
        if (h.isEndStream() && !done) {
          finish(ctx);
        }
      } else if (msg instanceof Http2DataFrame d) {
        append(ctx, d.content());
        if (d.isEndStream() && !done) {
          finish(ctx);
        }
      } else if (msg instanceof Http2ResetFrame) {
        done = true; // the client gave up on the call
        release();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void begin(ChannelHandlerContext ctx, Http2Headers h) {
    CharSequence path = h.path();
    CharSequence ct = h.get(HttpHeaderNames.CONTENT_TYPE);
    grpc = ct != null && ct.toString().toLowerCase(java.util.Locale.ROOT).startsWith("application/grpc");
    if (grpc) {
      shared.metrics().count("grpc_calls", 1);
      String type = ct.toString().toLowerCase(java.util.Locale.ROOT);
      format = Receiver.Format.PROTOBUF;
      signal = path == null ? null : Signal.ofGrpcPath(path.toString());
      if (!type.equals("application/grpc") && !type.startsWith("application/grpc+proto")
          && !type.startsWith("application/grpc;")) {
        bad(ctx, new Outcome(415, Outcome.UNIMPLEMENTED, "unsupported gRPC content type " + type
            + " (application/grpc+proto)", false));
        return;
      }
      if (signal == null) {
        bad(ctx, new Outcome(404, Outcome.UNIMPLEMENTED, "no such method: " + path
            + " (OTLP has LogsService, MetricsService and TraceService Export)", false));
        return;
      }
      CharSequence enc = h.get("grpc-encoding");
      encoding = enc == null ? null : Http1Exchange.encoding(enc.toString());
      if ("?".equals(encoding)) {
        bad(ctx, new Outcome(415, Outcome.UNIMPLEMENTED, "unsupported grpc-encoding " + enc + " ("
            + GRPC_ACCEPT_ENCODING + ")", false));
      }
      return;
    }
    signal = path == null ? null : Signal.ofHttpPath(path.toString());
    if (signal == null) {
      bad(ctx, new Outcome(404, Outcome.NOT_FOUND, "no such path: " + path
          + " (OTLP/HTTP takes POST /v1/logs, /v1/metrics and /v1/traces)", false));
      return;
    }
    if (!"POST".contentEquals(String.valueOf(h.method()))) {
      bad(ctx, new Outcome(405, Outcome.UNIMPLEMENTED, h.method() + " is not allowed: OTLP/HTTP takes POST", false));
      return;
    }
    format = Http1Exchange.format(ct == null ? null : ct.toString());
    if (format == null) {
      bad(ctx, new Outcome(415, Outcome.INVALID_ARGUMENT, "unsupported content type \"" + ct
          + "\" (application/x-protobuf or application/json)", false));
      return;
    }
    CharSequence enc = h.get(HttpHeaderNames.CONTENT_ENCODING);
    encoding = enc == null ? null : Http1Exchange.encoding(enc.toString());
    if ("?".equals(encoding)) {
      bad(ctx, new Outcome(415, Outcome.INVALID_ARGUMENT, "unsupported content encoding \"" + enc
          + "\" (gzip, deflate or none)", false));
    }
  }

  private void bad(ChannelHandlerContext ctx, Outcome o) {
    shared.metrics().count("bad_requests", 1);
    answer(ctx, o);
  }

  private void append(ChannelHandlerContext ctx, ByteBuf content) {
    int n = content.readableBytes();
    if (n == 0) {
      return;
    }
    if ((long) len + n > bodyLimit) {
      shared.metrics().count("too_large", 1);
      answer(ctx, Outcome.tooLarge("the body is larger than body_limit (" + bodyLimit + " bytes)"));
      return;
    }
    if (len + n > body.length) {
      int grown = (int) Math.min(bodyLimit, Math.max(Math.max(8192L, body.length * 2L), (long) len + n));
      if (!shared.budget().take(grown - reserved)) {
        shared.metrics().count("refused_full", 1);
        answer(ctx, Outcome.full("the agent holds too many requests at once (memory_limit); retry later"));
        return;
      }
      reserved = grown;
      body = Arrays.copyOf(body, grown);
    }
    content.readBytes(body, len, n);
    len += n;
  }

  private void finish(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
    int off = 0;
    int n = len;
    String enc = encoding;
    if (grpc) {
      // unary: exactly one message, [compressed flag][u32 length][message]
      if (len < 5) {
        bad(ctx, Outcome.bad("the gRPC request has no message"));
        return;
      }
      int flag = body[0];
      long m = ((body[1] & 0xffL) << 24) | ((body[2] & 0xff) << 16) | ((body[3] & 0xff) << 8) | (body[4] & 0xff);
      if (m != len - 5) {
        bad(ctx, Outcome.bad("the gRPC message says " + m + " bytes but " + (len - 5) + " came (one message per "
            + "call)"));
        return;
      }
      if (flag == 1 && enc == null) {
        bad(ctx, Outcome.bad("the gRPC message is compressed but no grpc-encoding was given"));
        return;
      }
      if (flag != 0 && flag != 1) {
        bad(ctx, Outcome.bad("the gRPC message's compressed flag is " + flag + " (0 or 1)"));
        return;
      }
      off = 5;
      n = (int) m;
      if (flag == 0) {
        enc = null;
      }
    }
    done = true;
    byte[] b = body;
    try {
      shared.receiver().receive(signal, format, enc, b, off, n, reserved, ctx.executor(),
          outcome -> ctx.executor().execute(() -> write(ctx, outcome)));
    } finally {
      release();
    }
  }

  /** Answers now and ignores the rest of the stream. */
  private void answer(ChannelHandlerContext ctx, Outcome o) {
    done = true;
    release();
    if (timer != null) {
      timer.cancel(false);
    }
    io.netty.channel.ChannelFuture f = write(ctx, o);
    if (f != null) {
      // the client may still be sending: end the stream (RST_STREAM) once the answer is out
      f.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }
  }

  private io.netty.channel.ChannelFuture write(ChannelHandlerContext ctx, Outcome o) {
    if (!ctx.channel().isActive()) {
      return null;
    }
    if (grpc) {
      Http2Headers h = new DefaultHttp2Headers().status(HttpResponseStatus.OK.codeAsText())
          .set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
      if (o.ok()) {
        ctx.write(new DefaultHttp2HeadersFrame(h.set("grpc-accept-encoding", GRPC_ACCEPT_ENCODING), false));
        ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[5]), false)); // an empty response
        return ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"),
            true));
      }
      // trailers-only: the status in the only headers
      h.set("grpc-status", Integer.toString(o.grpc())).set("grpc-message", percentEncode(o.message()));
      if (o.retryable()) {
        h.set("grpc-status-details-bin", Base64.getEncoder().withoutPadding().encodeToString(
            RpcStatus.encode(o.grpc(), o.message(), 1)));
      }
      if (o.grpc() == Outcome.UNIMPLEMENTED) {
        h.set("grpc-accept-encoding", GRPC_ACCEPT_ENCODING);
      }
      return ctx.writeAndFlush(new DefaultHttp2HeadersFrame(h, true));
    }
    var resp = Http1Exchange.response(o, format);
    Http2Headers h = new DefaultHttp2Headers().status(Integer.toString(o.http()));
    resp.headers().forEach(e -> {
      if (!e.getKey().equalsIgnoreCase("content-length")) {
        h.set(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue());
      }
    });
    ByteBuf content = resp.content();
    if (content.isReadable()) {
      ctx.write(new DefaultHttp2HeadersFrame(h, false));
      return ctx.writeAndFlush(new DefaultHttp2DataFrame(content, true));
    }
    content.release();
    return ctx.writeAndFlush(new DefaultHttp2HeadersFrame(h, true));
  }

  /** grpc-message is percent-encoded UTF-8 (the gRPC over HTTP/2 spec). */
  static String percentEncode(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }

  private void release() {
    if (reserved > 0) {
      shared.budget().give(reserved);
      reserved = 0;
    }
    body = new byte[0];
    len = 0;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    release();
    if (timer != null) {
      timer.cancel(false);
    }
    activity.active.decrementAndGet();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Connections.quietClose(ctx, cause, shared.metrics());
  }
}
