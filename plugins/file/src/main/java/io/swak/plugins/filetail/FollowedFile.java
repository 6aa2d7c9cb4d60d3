package io.swak.plugins.filetail;

import io.swak.api.AckWindow;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One file followed by its identity (device + inode), whatever its name is now. It may be closed
 * (only {@code max_open_files} are open at once) and reopened by name after checking it is still the
 * same file. A file whose name went away or now belongs to another file is rotated: it is read to
 * its end, kept open {@code rotate_wait} longer for late writes, then closed and forgotten.
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
    return multiline != null && multiline.holding() ? multiline.heldStart() : splitter.lineStart();
  }

  @Override
  public String toString() {
    return path + (rotated ? " (rotated)" : "");
  }
}
