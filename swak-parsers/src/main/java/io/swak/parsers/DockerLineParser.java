package io.swak.parsers;

import java.nio.charset.StandardCharsets;

/**
 * Format {@code docker}: a line of Docker's json-file driver, {@code {"log":"...\n","stream":"stdout",
 * "time":"2019-..."}}. The JSON parser's fields, with the newline the driver leaves at the end of
 * {@code log} taken off (a CR before it too); {@code time} is RFC 3339 and, as Fluent Bit's docker parser
 * does, kept as a field besides being the event time. Other fields ({@code attrs}) pass as JSON gives them.
 */
public final class DockerLineParser implements LineParser {

  private static final byte[] LOG = "log".getBytes(StandardCharsets.US_ASCII);

  private final JsonLineParser json;
  private final LogNewlineRemover remover = new LogNewlineRemover();

  DockerLineParser(JsonLineParser json) {
    this.json = json;
  }

  @Override
  public ParseResult parse(byte[] line, int off, int len, FieldSink sink) {
    remover.target = sink;
    try {
      return json.parse(line, off, len, remover);
    } finally {
      remover.target = null;
    }
  }

  /** Passes every field on, the log field without its line terminator. */
  private static final class LogNewlineRemover implements FieldSink {
    FieldSink target;

    @Override
    public void string(byte[] key, int keyOff, int keyLen, byte[] v, int off, int len) {
      if (keyLen == 3 && key[keyOff] == 'l' && key[keyOff + 1] == 'o' && key[keyOff + 2] == 'g') {
        if (len > 0 && v[off + len - 1] == '\n') {
          len--;
          if (len > 0 && v[off + len - 1] == '\r') {
            len--;
          }
        }
        target.string(LOG, 0, LOG.length, v, off, len);
        return;
      }
      target.string(key, keyOff, keyLen, v, off, len);
    }

    @Override
    public void integer(byte[] key, int keyOff, int keyLen, long v) {
      target.integer(key, keyOff, keyLen, v);
    }

    @Override
    public void real(byte[] key, int keyOff, int keyLen, double v) {
      target.real(key, keyOff, keyLen, v);
    }

    @Override
    public void bool(byte[] key, int keyOff, int keyLen, boolean v) {
      target.bool(key, keyOff, keyLen, v);
    }

    @Override
    public void nil(byte[] key, int keyOff, int keyLen) {
      target.nil(key, keyOff, keyLen);
    }

    @Override
    public void msgpack(byte[] key, int keyOff, int keyLen, byte[] v, int off, int len) {
      target.msgpack(key, keyOff, keyLen, v, off, len);
    }

    @Override
    public void time(long epochNanos) {
      target.time(epochNanos);
    }
  }
}
