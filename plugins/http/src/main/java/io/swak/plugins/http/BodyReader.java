package io.swak.plugins.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.swak.api.MsgpackHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a request body into msgpack entries [time, record] straight from Jackson's tokens, without building
 * maps: a map's or array's size is only known at its end, so its header is written as map32/array32 and
 * patched. Not thread-safe: one per network thread.
 */
final class BodyReader {

  /** A body that cannot be read, with the reason the client is told (400). */
  static final class BadBody extends Exception {
    BadBody(String message) {
      super(message, null, false, false);
    }
  }

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build()).build();

  byte[] buf = new byte[1 << 16];
  int len;
  int count;
  private final byte[] messageKey;

  BodyReader(String messageKey) {
    this.messageKey = messageKey.getBytes(StandardCharsets.UTF_8);
  }

  void reset() {
    len = 0;
    count = 0;
    if (buf.length > (1 << 24)) {
      buf = new byte[1 << 16];
    }
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  /** One object, or an array of objects. */
  void json(byte[] b, int off, int n, long now) throws BadBody {
    try (JsonParser p = JSON.createParser(b, off, n)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new BadBody("the body is empty");
      }
      if (t == JsonToken.START_ARRAY) {
        int i = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          if (t != JsonToken.START_OBJECT) {
            throw new BadBody("element " + i + " of the array is not a JSON object");
          }
          entry(p, now);
          i++;
        }
      } else if (t == JsonToken.START_OBJECT) {
        entry(p, now);
      } else {
        throw new BadBody("the body is not a JSON object nor an array of objects");
      }
      if (p.nextToken() != null) {
        throw new BadBody("more follows the JSON value at line " + p.currentLocation().getLineNr()
            + " (send NDJSON as application/x-ndjson)");
      }
    } catch (JsonParseException e) {
      throw new BadBody("not JSON: " + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr());
    } catch (IOException e) {
      throw new BadBody("not JSON: " + e.getMessage());
    }
  }

  /** One object per line; blank lines are skipped. */
  void ndjson(byte[] b, int off, int n, long now) throws BadBody {
    int end = off + n;
    int line = 1;
    for (int p = off; p < end; line++) {
      int nl = indexOf(b, p, end);
      int e = nl < 0 ? end : nl;
      if (!blank(b, p, e)) {
        try (JsonParser jp = JSON.createParser(b, p, e - p)) {
          if (jp.nextToken() != JsonToken.START_OBJECT) {
            throw new BadBody("line " + line + " is not a JSON object");
          }
          entry(jp, now);
          if (jp.nextToken() != null) {
            throw new BadBody("line " + line + " holds more than one JSON value");
          }
        } catch (JsonParseException x) {
          throw new BadBody("line " + line + " is not JSON: " + x.getOriginalMessage());
        } catch (IOException x) {
          throw new BadBody("line " + line + " is not JSON: " + x.getMessage());
        }
      }
      p = e + 1;
    }
  }

  /** Each line one event {message: line}; its bytes are kept as they are. */
  void lines(byte[] b, int off, int n, long now) {
    int end = off + n;
    for (int p = off; p < end; ) {
      int nl = indexOf(b, p, end);
      int e = nl < 0 ? end : nl;
      int t = e > p && b[e - 1] == '\r' ? e - 1 : e;
      if (t > p) {
        ensure(12 + 1 + messageKey.length + 5 + (t - p));
        len = MsgpackHeaders.entryHead(buf, len, now);
        buf[len++] = (byte) 0x81;
        len = MsgpackHeaders.str(buf, len, messageKey);
        len = MsgpackHeaders.str(buf, len, t - p);
        System.arraycopy(b, p, buf, len, t - p);
        len += t - p;
        count++;
      }
      p = e + 1;
    }
  }

  private void entry(JsonParser p, long now) throws IOException {
    int mark = len;
    ensure(12);
    len = MsgpackHeaders.entryHead(buf, len, now);
    try {
      value(p); // the object whose START_OBJECT is the current token
    } catch (IOException | RuntimeException e) {
      len = mark;
      throw e;
    }
    count++;
  }

  private void value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        int at = header(0xdf);
        int n = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          string(p.getCurrentName());
          p.nextToken();
          value(p);
          n++;
        }
        patch(at, n);
      }
      case START_ARRAY -> {
        int at = header(0xdd);
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          value(p);
          n++;
        }
        patch(at, n);
      }
      case VALUE_STRING -> string(p.getText());
      case VALUE_NUMBER_INT -> {
        ensure(9);
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          string(p.getText()); // beyond 64 bits: kept as its digits
        } else {
          len = MsgpackHeaders.integer(buf, len, p.getLongValue());
        }
      }
      case VALUE_NUMBER_FLOAT -> {
        ensure(9);
        len = MsgpackHeaders.float64(buf, len, p.getDoubleValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        ensure(1);
        len = MsgpackHeaders.bool(buf, len, t == JsonToken.VALUE_TRUE);
      }
      case VALUE_NULL -> {
        ensure(1);
        len = MsgpackHeaders.nil(buf, len);
      }
      default -> throw new JsonParseException(p, "unexpected " + t);
    }
  }

  private int header(int type) {
    ensure(5);
    int at = len;
    buf[len] = (byte) type;
    len += 5;
    return at;
  }

  private void patch(int at, int n) {
    buf[at + 1] = (byte) (n >>> 24);
    buf[at + 2] = (byte) (n >>> 16);
    buf[at + 3] = (byte) (n >>> 8);
    buf[at + 4] = (byte) n;
  }

  private void string(String s) {
    int max = s.length() * 3;
    ensure(5 + max);
    int head = len;
    int p = head + 5;
    byte[] o = buf;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        o[p++] = (byte) c;
      } else if (c < 0x800) {
        o[p++] = (byte) (0xc0 | (c >> 6));
        o[p++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        o[p++] = (byte) (0xf0 | (cp >> 18));
        o[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        o[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        o[p++] = (byte) (0x80 | (cp & 0x3f));
      } else {
        o[p++] = (byte) (0xe0 | (c >> 12));
        o[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        o[p++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    int n = p - head - 5;
    o[head] = (byte) 0xdb;
    o[head + 1] = (byte) (n >>> 24);
    o[head + 2] = (byte) (n >>> 16);
    o[head + 3] = (byte) (n >>> 8);
    o[head + 4] = (byte) n;
    len = p;
  }

  private static int indexOf(byte[] b, int from, int end) {
    for (int i = from; i < end; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static boolean blank(byte[] b, int s, int e) {
    for (int i = s; i < e; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
        return false;
      }
    }
    return true;
  }
}
