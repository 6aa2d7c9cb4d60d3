package io.swak.plugins.elasticsearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import io.swak.support.Http1Client;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a bulk response as it arrives, with Jackson's non-blocking parser: the body is never held whole, so there
 * is no limit on its size. It keeps only what the outcome needs: how many items, and for each item that did not
 * succeed its position, status, error type and reason. A response that says {@code "errors":false} before its
 * items (as Elasticsearch and OpenSearch write it) is not parsed further: every item succeeded.
 */
final class BulkAnswer implements Http1Client.BodyReader<BulkAnswer.Result> {

  private static final JsonFactory JSON = new JsonFactory();
  /** Longest reason kept per item: the node's messages can quote whole documents. */
  static final int MAX_REASON = 1000;

  /** An item that did not succeed. */
  record Failure(int item, int status, String type, String reason) {

    /** {@code 400 mapper_parsing_exception: failed to parse field [n] …}, for the dead-letter file and logs. */
    String describe() {
      return status + (type != null ? " " + type : "") + (reason != null ? ": " + reason : "");
    }
  }

  /** What a response said. */
  static final class Result {
    /** Items read (with {@link #allSucceeded}: not counted). */
    int items;
    /** The response said errors:false: every item succeeded. */
    boolean allSucceeded;
    final List<Failure> failures = new ArrayList<>();
    long bytes;
  }

  private final Result r = new Result();
  private final JsonParser parser;
  private final ByteArrayFeeder feeder;

  // where the parser is: depth 1 = the root object, 2 = items, 3 = an item, 4 = its action, 5 = its error,
  // 6 = the error's caused_by
  private int depth;
  private final String[] opened = new String[8];
  private String field;
  private int status;
  private String type;
  private String reason;
  private String causedType;
  private String causedReason;
  private boolean skipping;

  BulkAnswer() {
    try {
      parser = JSON.createNonBlockingByteArrayParser();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
  }

  /** The next bytes of the answer, parsed at once: the parser holds no more than the token it is in. */
  @Override
  public void feed(byte[] b, int off, int n) throws NotBulk {
    r.bytes += n;
    if (skipping || n == 0) {
      return;
    }
    try {
      feeder.feedInput(b, off, off + n);
      drain();
    } catch (IOException | RuntimeException e) {
      throw notBulk(e);
    }
  }

  /** The answer ended: what it said. */
  @Override
  public Result finish() throws NotBulk {
    if (skipping) {
      return r;
    }
    try {
      feeder.endOfInput();
      drain();
      if (depth != 0 || r.items == 0 && !r.allSucceeded && !sawItems) {
        throw new IOException("the answer ended before its end (" + r.bytes + " bytes)");
      }
      return r;
    } catch (IOException | RuntimeException e) {
      throw e instanceof NotBulk nb ? nb : notBulk(e);
    }
  }

  private static NotBulk notBulk(Exception e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    int nl = m.indexOf('\n');
    return new NotBulk("the node's answer is not a bulk response: " + (nl > 0 ? m.substring(0, nl) : m));
  }

  private boolean sawItems;

  /** The node answered, but not with a bulk response (a proxy's error page, a cut answer). */
  static final class NotBulk extends Http1Client.BadAnswer {
    NotBulk(String message) {
      super(message);
    }
  }

  /** Takes every token the input fed so far holds. */
  private void drain() throws IOException {
    JsonToken t;
    while (!skipping && (t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
      token(t);
    }
  }

  private void token(JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT, START_ARRAY -> {
        if (depth == 0 && t != JsonToken.START_OBJECT) {
          throw new IOException("expected a JSON object");
        }
        if (depth < opened.length) {
          opened[depth] = field;
        }
        depth++;
        if (depth == 2 && "items".equals(field) && t == JsonToken.START_ARRAY) {
          sawItems = true;
        } else if (depth == 3 && inItems()) {
          status = 0;
          type = reason = causedType = causedReason = null;
        }
        field = null;
      }
      case END_OBJECT, END_ARRAY -> {
        depth--;
        if (depth == 2 && inItems()) {
          item();
        }
        field = null;
      }
      case FIELD_NAME -> field = parser.currentName();
      default -> value(t);
    }
  }

  private boolean inItems() {
    return "items".equals(opened[1]);
  }

  private void value(JsonToken t) throws IOException {
    if (depth == 1 && "errors".equals(field)) {
      if (t == JsonToken.VALUE_FALSE) {
        r.allSucceeded = true;
        skipping = true; // the rest are items that succeeded
      }
    } else if (depth == 4 && inItems() && "status".equals(field) && t == JsonToken.VALUE_NUMBER_INT) {
      status = parser.getIntValue();
    } else if (depth == 4 && inItems() && "error".equals(field) && t == JsonToken.VALUE_STRING) {
      reason = text(); // old servers answer the error as a string
    } else if (depth == 5 && inItems() && "error".equals(opened[4]) && t == JsonToken.VALUE_STRING) {
      if ("type".equals(field)) {
        type = text();
      } else if ("reason".equals(field)) {
        reason = text();
      }
    } else if (depth == 6 && inItems() && "caused_by".equals(opened[5]) && "error".equals(opened[4])
        && t == JsonToken.VALUE_STRING) {
      if ("type".equals(field)) {
        causedType = text();
      } else if ("reason".equals(field)) {
        causedReason = text();
      }
    }
    field = null;
  }

  private String text() throws IOException {
    String s = parser.getText();
    return s.length() > MAX_REASON ? s.substring(0, MAX_REASON) + "…" : s;
  }

  private void item() {
    int i = r.items++;
    if (status < 200 || status > 299) {
      String why = reason;
      if (causedType != null || causedReason != null) {
        why = (why == null ? "" : why + "; ") + "caused by " + (causedType != null ? causedType : "")
            + (causedReason != null ? ": " + causedReason : "");
      }
      r.failures.add(new Failure(i, status, type, why));
    }
  }

  /**
   * The error of a response that is not a bulk answer ({@code {"error":{"type":…,"reason":…},"status":…}}), in
   * words; the body's first characters when it is not such JSON.
   */
  static String errorText(byte[] body, int len) {
    try (JsonParser p = JSON.createParser(body, 0, len)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        String type = null;
        String reason = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          JsonToken v = p.nextToken();
          if (f.equals("error") && v == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String g = p.currentName();
              JsonToken w = p.nextToken();
              if (g.equals("type") && w == JsonToken.VALUE_STRING) {
                type = p.getText();
              } else if (g.equals("reason") && w == JsonToken.VALUE_STRING) {
                reason = p.getText();
              } else {
                p.skipChildren();
              }
            }
          } else if (f.equals("error") && v == JsonToken.VALUE_STRING) {
            reason = p.getText();
          } else {
            p.skipChildren();
          }
        }
        if (type != null || reason != null) {
          String s = (type != null ? type : "") + (type != null && reason != null ? ": " : "")
              + (reason != null ? reason : "");
          return s.length() > MAX_REASON ? s.substring(0, MAX_REASON) + "…" : s;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: the text itself
    }
    String s = new String(body, 0, Math.min(len, 300), StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
    return s.isEmpty() ? "(no body)" : s;
  }
}
