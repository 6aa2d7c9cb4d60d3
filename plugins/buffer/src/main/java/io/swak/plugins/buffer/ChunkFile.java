package io.swak.plugins.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A chunk on disk: a header ({@code SWKB}, version, tag) then frames, one per appended batch:
 * {@code [u32 length][u32 events][u32 crc32c][length bytes of msgpack entries]}. A frame is valid only
 * when complete and its checksum matches, so a write torn by a crash or a flipped bit is detected.
 */
final class ChunkFile {

  static final byte[] MAGIC = {'S', 'W', 'K', 'B'};
  static final int VERSION = 1;
  static final int FRAME_HEADER = 12;

  private ChunkFile() { }

  /** Creates a chunk file with its header and returns the open channel, positioned at the end. */
  static FileChannel create(Path file, String tag) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    byte[] t = tag.getBytes(StandardCharsets.UTF_8);
    ByteBuffer h = ByteBuffer.allocate(4 + 1 + 2 + t.length);
    h.put(MAGIC).put((byte) VERSION).putShort((short) t.length).put(t).flip();
    writeFully(ch, h);
    return ch;
  }

  /** Appends one frame. */
  static void append(FileChannel ch, byte[] data, int length, int events) throws IOException {
    CRC32C crc = new CRC32C();
    crc.update(data, 0, length);
    ByteBuffer h = ByteBuffer.allocate(FRAME_HEADER);
    h.putInt(length).putInt(events).putInt((int) crc.getValue()).flip();
    writeFully(ch, h, ByteBuffer.wrap(data, 0, length)); // header and entries in one system call
  }

  private static void writeFully(FileChannel ch, ByteBuffer... bs) throws IOException {
    while (bs[0].hasRemaining() || bs[bs.length - 1].hasRemaining()) { // written in order: first and last tell
      ch.write(bs);
    }
  }

  /**
   * What a chunk file holds.
   *
   * @param entries the valid frames' entries, concatenated from 0 to {@code length}
   * @param problem null when the whole file is valid, else what is wrong and where
   */
  record Contents(String tag, byte[] entries, int length, int events, String problem) {

    static Contents invalid(String problem) {
      return new Contents("", new byte[0], 0, 0, problem);
    }
  }

  /**
   * Reads and checks a chunk file; the valid prefix is kept even when a later frame is bad. The entries
   * are moved to the front of the array the file was read into (one array, no second copy of a chunk).
   */
  static Contents read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(all);
    if (all.length < 7 || b.get() != 'S' || b.get() != 'W' || b.get() != 'K' || b.get() != 'B') {
      return Contents.invalid("not a chunk file (bad magic)");
    }
    int version = b.get();
    if (version != VERSION) {
      return Contents.invalid("unknown chunk version " + version);
    }
    int tagLen = b.getShort() & 0xffff;
    if (b.remaining() < tagLen) {
      return Contents.invalid("header torn");
    }
    String tag = new String(all, b.position(), tagLen, StandardCharsets.UTF_8);
    b.position(b.position() + tagLen);
    int length = 0;
    int events = 0;
    String problem = null;
    while (b.hasRemaining()) {
      int at = b.position();
      if (b.remaining() < FRAME_HEADER) {
        problem = "torn frame header at byte " + at;
        break;
      }
      int len = b.getInt();
      int n = b.getInt();
      int sum = b.getInt();
      if (len < 0 || len > b.remaining() || n < 0) {
        problem = "torn or corrupt frame at byte " + at;
        break;
      }
      CRC32C crc = new CRC32C();
      crc.update(all, b.position(), len);
      if ((int) crc.getValue() != sum) {
        problem = "checksum mismatch in frame at byte " + at;
        break;
      }
      System.arraycopy(all, b.position(), all, length, len); // leftwards: never over unread bytes
      length += len;
      events += n;
      b.position(b.position() + len);
    }
    return new Contents(tag, all, length, events, problem);
  }
}
