package io.swak.plugins.otlp;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Duration;
import com.google.protobuf.UnknownFieldSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * google.rpc.Status, the body of OTLP's error responses (HTTP 4xx/5xx, and gRPC's grpc-status-details-bin),
 * with a google.rpc.RetryInfo when the client should come back later. Its classes are not in opentelemetry-proto,
 * and the message is three fields: written with protobuf's CodedOutputStream, read with its UnknownFieldSet.
 */
final class RpcStatus {

  private static final String RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";

  private RpcStatus() { }

  /** Status {code, message[, details: RetryInfo{retry_delay}]} as protobuf bytes. */
  static byte[] encode(int code, String message, long retryDelaySeconds) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (message == null ? 0 : message.length()));
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      if (code != 0) {
        out.writeInt32(1, code);
      }
      if (message != null && !message.isEmpty()) {
        out.writeString(2, message);
      }
      if (retryDelaySeconds > 0) {
        ByteArrayOutputStream info = new ByteArrayOutputStream(16);
        CodedOutputStream i = CodedOutputStream.newInstance(info);
        i.writeMessage(1, Duration.newBuilder().setSeconds(retryDelaySeconds).build());
        i.flush();
        out.writeMessage(3, Any.newBuilder().setTypeUrl(RETRY_INFO).setValue(ByteString.copyFrom(info.toByteArray()))
            .build());
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e); // a byte array does not fail
    }
  }

  /** The message of a Status body, or null when the body is not one (an HTML error page, say). */
  static String message(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      UnknownFieldSet.Field f = UnknownFieldSet.parseFrom(body).getField(2);
      if (f == null || f.getLengthDelimitedList().isEmpty()) {
        return null;
      }
      return f.getLengthDelimitedList().get(0).toString(StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The Status of an OTLP/JSON error response: {"code": n, "message": "…"}. */
  static byte[] json(int code, String message) {
    StringBuilder s = new StringBuilder("{\"code\":").append(code);
    if (message != null) {
      s.append(",\"message\":\"");
      for (int i = 0; i < message.length(); i++) {
        char c = message.charAt(i);
        switch (c) {
          case '"' -> s.append("\\\"");
          case '\\' -> s.append("\\\\");
          case '\n' -> s.append("\\n");
          case '\r' -> s.append("\\r");
          case '\t' -> s.append("\\t");
          default -> {
            if (c < 0x20) {
              s.append(String.format("\\u%04x", (int) c));
            } else {
              s.append(c);
            }
          }
        }
      }
      s.append('"');
    }
    return s.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }
}
