package io.swak.plugins.filetail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * A checksum of a file's first bytes (up to {@link #MAX}). A file that has the inode of one we knew
 * but other first bytes is another file (the inode was reused) or was truncated and written again:
 * either way it is read from the start.
 */
record Fingerprint(int length, long crc) {

  static final int MAX = 256;
  static final Fingerprint EMPTY = new Fingerprint(0, 0);

  /** Fingerprint of the first {@code min(MAX, size)} bytes. */
  static Fingerprint of(FileChannel ch, long size) throws IOException {
    return ofLength(ch, (int) Math.min(MAX, size));
  }

  /** Fingerprint of exactly the first {@code len} bytes, or null if the file has fewer. */
  static Fingerprint ofLength(FileChannel ch, int len) throws IOException {
    if (len == 0) {
      return EMPTY;
    }
    ByteBuffer b = ByteBuffer.allocate(len);
    while (b.hasRemaining()) {
      int n = ch.read(b, b.position());
      if (n < 0) {
        return null;
      }
    }
    CRC32C c = new CRC32C();
    c.update(b.array(), 0, len);
    return new Fingerprint(len, c.getValue());
  }

  /** Whether the file behind {@code ch} still starts with the bytes this fingerprint was taken of. */
  boolean matches(FileChannel ch) throws IOException {
    Fingerprint now = ofLength(ch, length);
    // compared field by field: a record's generated equals spins method-handle classes at its first call
    return now != null && now.length == length && now.crc == crc;
  }

  boolean complete() {
    return length >= MAX;
  }

  @Override
  public String toString() {
    return length + ":" + Long.toHexString(crc);
  }

  static Fingerprint parse(String s) {
    int c = s.indexOf(':');
    return new Fingerprint(Integer.parseInt(s.substring(0, c)), Long.parseUnsignedLong(s.substring(c + 1), 16));
  }
}
