package io.swak.plugins.filetail;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the bytes of one line in the file's charset into UTF-8, once, at read time. UTF-8 lines pass
 * through as the same array (only a byte order mark at the start of the file is dropped); other
 * charsets are decoded and re-encoded into reused buffers. Bytes that are not valid in the charset
 * become U+FFFD rather than stopping the file.
 */
final class LineEncoder {

  private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final boolean passThrough;
  private final CharsetDecoder decoder;
  private final CharsetEncoder encoder;
  private CharBuffer chars = CharBuffer.allocate(1024);
  private ByteBuffer bytes = ByteBuffer.allocate(4096);

  /** The converted line: {@code array[offset, offset + length)}. Valid until the next call. */
  byte[] array;
  int offset;
  int length;

  LineEncoder(Charset charset) {
    this.passThrough = charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII);
    this.decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    this.encoder = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
  }

  /**
   * The bytes of a newline in {@code charset} (one code unit: 1 byte for ASCII-compatible charsets, 2 for
   * UTF-16LE/BE, 4 for UTF-32), or null for charsets that write a byte order mark before each string
   * and so cannot be split into lines as bytes.
   */
  static byte[] newline(Charset charset) {
    if (!charset.canEncode()) {
      return null;
    }
    byte[] one = "\n".getBytes(charset);
    byte[] two = "\n\n".getBytes(charset);
    return two.length == 2 * one.length ? one : null;
  }

  /** Converts {@code b[off, off+len)}; {@code fileStart} says the line begins at offset 0 of its file. */
  void convert(byte[] b, int off, int len, boolean fileStart) {
    if (passThrough) {
      if (fileStart && len >= 3 && b[off] == UTF8_BOM[0] && b[off + 1] == UTF8_BOM[1] && b[off + 2] == UTF8_BOM[2]) {
        off += 3;
        len -= 3;
      }
      array = b;
      offset = off;
      length = len;
      return;
    }
    int maxChars = (int) Math.ceil(len * (double) decoder.maxCharsPerByte()) + 4;
    if (chars.capacity() < maxChars) {
      chars = CharBuffer.allocate(Math.max(maxChars, chars.capacity() * 2));
    }
    chars.clear();
    decoder.reset();
    decoder.decode(ByteBuffer.wrap(b, off, len), chars, true);
    decoder.flush(chars);
    chars.flip();
    if (fileStart && chars.hasRemaining() && chars.get(0) == '\uFEFF') {
      chars.position(1);
    }
    int maxBytes = chars.remaining() * 3 + 4;
    if (bytes.capacity() < maxBytes) {
      bytes = ByteBuffer.allocate(Math.max(maxBytes, bytes.capacity() * 2));
    }
    bytes.clear();
    encoder.reset();
    encoder.encode(chars, bytes, true);
    encoder.flush(bytes);
    array = bytes.array();
    offset = 0;
    length = bytes.position();
  }
}
