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
    try {
      writeFully(ch, h);
    } catch (IOException e) {
      ch.close(); // a header that could not be written (full disk): no chunk at all
      Files.deleteIfExists(file);
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    return ch;
  }

  /**
   * Appends one frame. A write that fails part-way (a full disk) is cut off again, so the file still ends
   * with a whole frame and the same batch can be appended later.
   */
  static void append(FileChannel ch, byte[] data, int length, int events) throws IOException {
    CRC32C crc = new CRC32C();
    crc.update(data, 0, length);
    ByteBuffer h = ByteBuffer.allocate(FRAME_HEADER);
    h.putInt(length).putInt(events).putInt((int) crc.getValue()).flip();
    long before = ch.position();
    try {
      writeFully(ch, h, ByteBuffer.wrap(data, 0, length)); // header and entries in one system call
    } catch (IOException e) {
      try {
        ch.truncate(before);
        ch.position(before);
      } catch (IOException ignored) {
        // the torn frame stays; reading the chunk stops before it
      }
      throw e;
    }
  }

  /** True when {@code e} says the file system is full. */
  static boolean diskFull(IOException e) {
    String m = e.getMessage();
    return m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded")
        || m.contains("There is not enough space on the disk"));
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
   * @param validEnd where the valid frames end in the file
   * @param torn true when what follows them is an incomplete last frame (a write cut short by a crash or a
   *     full disk), false when it is damage (a checksum that does not match: bit rot, another program)
   */
  record Contents(String tag, byte[] entries, int length, int events, String problem, long validEnd, boolean torn) {

    static Contents invalid(String problem) {
      return new Contents("", new byte[0], 0, 0, problem, 0, false);
    }
  }

  /**
   * The format of a chunk that a newer release wrote (its header's version is above {@link #VERSION}), else 0. Such a
   * chunk is not damage: this release cannot read it, and must leave it for the release that can.
   */
  static int newerFormat(Path file) throws IOException {
    byte[] head = new byte[5];
    try (var in = Files.newInputStream(file)) {
      if (in.readNBytes(head, 0, 5) < 5) {
        return 0;
      }
    }
    boolean chunk = head[0] == 'S' && head[1] == 'W' && head[2] == 'K' && head[3] == 'B';
    int version = head[4] & 0xff;
    return chunk && version > VERSION ? version : 0;
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
    int version = b.get() & 0xff;
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
    boolean torn = false;
    int validEnd = b.position();
    while (b.hasRemaining()) {
      int at = b.position();
      if (b.remaining() < FRAME_HEADER) {
        problem = "the last frame is cut short at byte " + at;
        torn = true;
        break;
      }
      int len = b.getInt();
      int n = b.getInt();
      int sum = b.getInt();
      if (len < 0 || n < 0) {
        problem = "corrupt frame header at byte " + at;
        break;
      }
      if (len > b.remaining()) {
        problem = "the last frame is cut short at byte " + at + " (" + b.remaining() + " of " + len + " bytes)";
        torn = true;
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
      validEnd = b.position();
    }
    return new Contents(tag, all, length, events, problem, validEnd, torn);
  }
}
