package io.swak.plugins.filetail;

import io.swak.api.AckWindow;
import io.swak.support.Multiline;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One file followed by its identity (device + inode), whatever its name is now, and what it does: open by
 * name (checking it is still the same file), decide where reading starts, read a block into lines, notice a
 * truncation (copytruncate), drain after a rotation. It may be closed (only {@code max_open_files} are open
 * at once) and reopened later. {@link FileTail} decides when each file is read; this class, how.
 */
final class FollowedFile {

  final FileIdentity id;
  final String tag;
  /** {@link #path} in UTF-8, for path_key; set with it by {@link #path(Path)}. */
  private byte[] pathUtf8;
  final LineSplitter splitter;
  final Multiline multiline;
  /** Each move of its acknowledged prefix tells the checkpoint (on the ack's thread). */
  final AckWindow window = new AckWindow(0, this::acknowledged);

  /**
   * The name the file is read under now (it changes when the file is renamed; after a rotation, the last
   * name it was seen under); set by {@link #path(Path)}.
   */
  private Path path;
  FileChannel channel;
  volatile Checkpoints.Entry checkpoint;
  Fingerprint fingerprint = Fingerprint.EMPTY;
  /** Whether the start offset was decided (needs the file open once). */
  boolean positioned;
  /** Found by the first scan of a first start: read_from_head decides where it starts. */
  boolean atFirstStart;
  /** Size when the first scan found it: where "from the end" starts. */
  long sizeAtScan;

  boolean rotated;
  long rotatedAtNanos;
  long lastDataNanos;
  /** Size when last read: a rotated file that grew since is read again. */
  long lastSize = -1;
  /** End position of the last batch (or skipped stretch) registered in the window. */
  long lastEndAdded;

  boolean queued;
  /** Queued again because a block did not reach the end: no new look at its first bytes needed. */
  boolean continuing;
  boolean flushDue;
  boolean finalFlush;
  boolean finalFlushed;
  boolean unreadable;
  /** Modification time (ns) at the last look of a directory looked at on the tick. */
  long lookedModified = Long.MIN_VALUE;

  FollowedFile(FileIdentity id, Path path, String tag, LineSplitter splitter, Multiline multiline) {
    this.id = id;
    path(path);
    this.tag = tag;
    this.splitter = splitter;
    this.multiline = multiline;
  }

  private void acknowledged() {
    Checkpoints.Entry c = checkpoint;
    if (c != null) {
      c.acknowledged();
    }
  }

  Path path() {
    return path;
  }

  byte[] pathUtf8() {
    return pathUtf8;
  }

  void path(Path p) {
    path = p;
    pathUtf8 = p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Where the acknowledged part of the file may reach at most: before a held multiline event, else the line start. */
  long endPosition() {
    return multiline != null && multiline.holding() ? multiline.heldMark() : splitter.lineStart();
  }

  /**
   * Opens the file under its current name. False (and closed again) when the name now leads to another
   * file: it was replaced under us, which the caller treats as a rotation.
   *
   * @throws java.nio.file.NoSuchFileException when the name leads nowhere
   */
  boolean open() throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    if (!FileIdentity.stat(path).id().equals(id)) {
      ch.close();
      return false;
    }
    channel = ch;
    return true;
  }

  /** Closes the file; reading resumes where it was when it is opened again. */
  void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // closing
      }
      channel = null;
    }
  }

  /**
   * Decides where a newly opened file starts: its checkpoint ({@code saved}, null if none), its start, or —
   * at the very first start, without read_from_head — its end as the first scan saw it. Returns what to tell
   * the user, or null: the checkpoint belongs to other content (inode reuse) or the file is shorter.
   */
  String position(Checkpoints.Saved saved, boolean readFromHead) throws IOException {
    long size = channel.size();
    long start = 0;
    String note = null;
    if (saved != null) {
      if (saved.fingerprint().length() > size || !saved.fingerprint().matches(channel)) {
        note = "inode_reuse";
      } else if (saved.offset() > size) {
        note = "truncations";
      } else {
        start = saved.offset();
      }
    } else if (atFirstStart && !readFromHead) {
      start = Math.min(size, sizeAtScan); // the end as it was when we started: later lines are new
    }
    splitter.reset(start);
    window.reset(start);
    lastEndAdded = start;
    fingerprint = Fingerprint.of(channel, size);
    positioned = true;
    return note;
  }

  /** True when an open file's first bytes changed: copytruncate followed by enough writes to pass our position. */
  boolean rewritten() throws IOException {
    return channel != null && !rotated && fingerprint.length() > 0 && !fingerprint.matches(channel);
  }

  /** The file was truncated: everything in flight is forgotten and it is read again from its start. */
  void restart(long size) throws IOException {
    window.reset(0);
    splitter.reset(0);
    if (multiline != null) {
      multiline.reset();
    }
    lastEndAdded = 0;
    fingerprint = Fingerprint.of(channel, size);
    checkpoint.fingerprint = fingerprint;
  }

  /** After a failed read: back to the acknowledged position, what was half read is read again. */
  void rewind() {
    splitter.reset(window.committed());
    if (multiline != null) {
      multiline.reset();
    }
    lastEndAdded = window.committed();
  }

  /** What one {@link #read} did. */
  record Read(long size, boolean progressed) {
    /** More is waiting behind the block that was read. */
    boolean behind(FollowedFile f) {
      return progressed && size > f.splitter.readPosition();
    }
  }

  /**
   * Reads one block of at most {@code block} bytes at the read position into {@code buf}, handing complete
   * lines to {@code lines} (and a due multiline flush and a rotated file's last unterminated line too).
   */
  Read read(byte[] buf, int block, long size, long now, LineSplitter.Sink lines, Multiline.Events events)
      throws IOException {
    if (flushDue) {
      flushDue = false;
      if (multiline != null) {
        multiline.flush(events);
      }
    }
    long beforeRead = splitter.readPosition();
    long beforeLine = splitter.lineStart();
    if (size > beforeRead) {
      int n = channel.read(ByteBuffer.wrap(buf, 0, block), beforeRead);
      if (n > 0) {
        lastDataNanos = now;
        splitter.feed(buf, n, block, lines);
      }
    }
    if (finalFlush && !finalFlushed) {
      flushPartialLine(buf, size, lines);
    }
    lastSize = size;
    if (!fingerprint.complete() && size > fingerprint.length()) {
      fingerprint = Fingerprint.of(channel, size);
      checkpoint.fingerprint = fingerprint;
    }
    return new Read(size, splitter.readPosition() != beforeRead || splitter.lineStart() != beforeLine);
  }

  /** The last line of a rotated file that will never get its newline: emitted rather than lost. */
  private void flushPartialLine(byte[] buf, long size, LineSplitter.Sink lines) throws IOException {
    finalFlushed = true;
    long start = splitter.lineStart();
    if (size <= start || splitter.readPosition() != start) {
      return;
    }
    int n = channel.read(ByteBuffer.wrap(buf, 0, (int) Math.min(buf.length, size - start)), start);
    if (n > 0) {
      lines.line(buf, 0, n, start);
      splitter.reset(start + n);
    }
  }

  /** True while the file holds a multiline event that waits for its next line. */
  boolean holding() {
    return multiline != null && multiline.holding();
  }

  @Override
  public String toString() {
    return path + (rotated ? " (rotated)" : "");
  }
}
