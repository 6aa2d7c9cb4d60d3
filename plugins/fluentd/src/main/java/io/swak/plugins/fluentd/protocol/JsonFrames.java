package io.swak.plugins.fluentd.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.swak.api.BatchBuilder;
import io.swak.support.JsonValues;
import java.io.IOException;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * Fluentd's in_forward also takes messages as JSON text (fluent-agent-lite -j, some loggers). A JSON
 * message is cut from the stream by bracket depth, then converted to the msgpack message it stands for,
 * so the rest of the server sees one format.
 */
final class JsonFrames {

  private static final JsonFactory JSON = new JsonFactory();

  private JsonFrames() { }

  static boolean startsJson(int b) {
    return b == '[' || b == '{';
  }

  /** End index of the JSON array/object starting at {@code from}, or {@link FrameScanner#INCOMPLETE}. */
  static int valueEnd(ByteBuf buf, int from, int to, long maxBytes) {
    int depth = 0;
    boolean inString = false;
    for (int i = from; i < to; i++) {
      if (i - from >= maxBytes) {
        throw new ForwardProtocolException.TooLarge(maxBytes);
      }
      byte b = buf.getByte(i);
      if (inString) {
        if (b == '\\') {
          i++;
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '[' || b == '{') {
        if (++depth > FrameScanner.MAX_DEPTH) {
          throw new ForwardProtocolException("JSON nested deeper than " + FrameScanner.MAX_DEPTH + " levels");
        }
      } else if (b == ']' || b == '}') {
        depth--;
        if (depth == 0) {
          return i + 1;
        }
      }
    }
    if (to - from >= maxBytes) {
      throw new ForwardProtocolException.TooLarge(maxBytes);
    }
    return FrameScanner.INCOMPLETE;
  }

  /** The msgpack encoding of the JSON value in {@code frame}. */
  static byte[] toMsgpack(ByteBuf frame) {
    try (JsonParser p = JSON.createParser((java.io.InputStream) new ByteBufInputStream(frame.duplicate()));
        MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
      p.nextToken();
      out.writePayload(BatchBuilder.packValue(JsonValues.read(p)));
      return out.toByteArray();
    } catch (IOException e) {
      throw new ForwardProtocolException("malformed JSON message: " + e.getMessage(), e);
    }
  }
}
