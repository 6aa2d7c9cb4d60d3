package io.swak.core.plugins.filetail;

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
  final byte[] pathUtf8;
  final LineSplitter splitter;
  final Multiline multiline;
  final AckWindow window = new AckWindow(0);

  /** Current name; after a rotation the last name it was seen under. */
  Path path;
  FileChannel channel;
  Checkpoints.Entry checkpoint;
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

  FollowedFile(FileIdentity id, Path path, String tag, byte[] pathUtf8, LineSplitter splitter, Multiline multiline) {
    this.id = id;
    this.path = path;
    this.tag = tag;
    this.pathUtf8 = pathUtf8;
    this.splitter = splitter;
    this.multiline = multiline;
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
