package io.swak.support;

import java.nio.charset.StandardCharsets;

/**
 * A growable buffer of UTF-8 text that templates and regexes read fields into ({@link RecordBytes#appendText}):
 * bytes are appended without a String. Reused: {@link #reset} before each use.
 */
public final class TextBuffer {

  final JsonBytes json = new JsonBytes();

  public TextBuffer reset() {
    json.len = 0;
    return this;
  }

  public TextBuffer append(byte[] b, int off, int len) {
    json.raw(b, off, len);
    return this;
  }

  public TextBuffer append(byte[] b) {
    json.raw(b, 0, b.length);
    return this;
  }

  public TextBuffer append(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    json.raw(b, 0, b.length);
    return this;
  }

  /** The bytes, valid from 0 to {@link #length()} until the next append. */
  public byte[] array() {
    return json.buf;
  }

  public int length() {
    return json.len;
  }

  @Override
  public String toString() {
    return new String(json.buf, 0, json.len, StandardCharsets.UTF_8);
  }
}
