package io.swak.plugins.filetail;

import io.swak.api.AckWindow;
import io.swak.api.Positions;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where reading resumes after a restart: a checkpoint per followed file identity ({@code <dev>-<inode>}:
 * offset, fingerprint, last known path), kept in the runtime's position store. The offset is the
 * acknowledged prefix of the file's {@link AckWindow}, never what was merely read; the store saves it
 * off the task thread about once a second (sooner after a megabyte was acknowledged) and at the end.
 */
final class Checkpoints {

  private static final Logger LOG = LoggerFactory.getLogger("swak.filetail");
  /** Acknowledged bytes that make a checkpoint due before its second is over. */
  static final long DUE_BYTES = 1L << 20;

  /** A checkpoint as read from disk. */
  record Saved(long offset, Fingerprint fingerprint, String path) { }

  /** The checkpoint of one followed file. Fields written by the task thread, read by the store's saver. */
  static final class Entry {
    final FileIdentity id;
    final AckWindow window;
    volatile Fingerprint fingerprint;
    volatile String path;
    private Positions.Position position;
    private volatile long hinted;

    Entry(FileIdentity id, AckWindow window, Fingerprint fingerprint, String path) {
      this.id = id;
      this.window = window;
      this.fingerprint = fingerprint;
      this.path = path;
    }

    /** What the store saves: the same text the checkpoint files of earlier versions held. */
    String text() {
      return "offset=" + window.committed() + "\nfingerprint=" + fingerprint + "\npath=" + path + "\n";
    }

    /** The window's acknowledged prefix moved (an ack's thread): saved within a second, or soon after 1 MiB. */
    void acknowledged() {
      long c = window.committed();
      if (c - hinted >= DUE_BYTES || c < hinted) {
        hinted = c;
        position.saveSoon();
      } else {
        position.changed();
      }
    }
  }

  private final Positions store;

  Checkpoints(Positions store) {
    this.store = store;
  }

  /**
   * Every checkpoint saved. One that cannot be parsed is reported and forgotten: its file is then read
   * from the start (duplicates, not loss).
   */
  Map<FileIdentity, Saved> open() {
    Map<FileIdentity, Saved> out = new HashMap<>();
    for (Map.Entry<String, String> e : store.saved().entrySet()) {
      try {
        out.put(new FileIdentity(e.getKey()), parse(e.getValue()));
      } catch (RuntimeException ex) {
        LOG.warn("checkpoint {} in {} is unreadable ({}); that file will be read from its start", e.getKey(),
            store.directory(), ex.getMessage());
        store.forget(e.getKey());
      }
    }
    return out;
  }

  /** True when no checkpoint was ever saved in this store: read_from_head applies. */
  boolean firstStart() {
    return store.firstStart();
  }

  /** Begins tracking a followed file. */
  Entry track(FileIdentity id, AckWindow window, Fingerprint fp, String path) {
    Entry e = new Entry(id, window, fp, path);
    e.hinted = window.committed();
    e.position = store.track(id.key(), e::text);
    return e;
  }

  /** The fingerprint or path of {@code e} changed, or a batch was registered: save it soon. */
  void touch(Entry e) {
    e.position.changed();
  }

  /** Stops tracking a file that is no longer followed and deletes its checkpoint. */
  void forget(Entry e) {
    e.position.forget();
  }

  /** Deletes the checkpoint of a file that is gone. */
  void delete(FileIdentity id) {
    store.forget(id.key());
  }

  static Saved parse(String text) {
    long offset = -1;
    Fingerprint fp = null;
    String path = "";
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (line.isBlank() || line.startsWith("#") || eq < 0) {
        continue;
      }
      String k = line.substring(0, eq);
      String v = line.substring(eq + 1);
      switch (k) {
        case "offset" -> offset = Long.parseLong(v.trim());
        case "fingerprint" -> fp = Fingerprint.parse(v.trim());
        case "path" -> path = v;
        default -> { }
      }
    }
    if (offset < 0 || fp == null) {
      throw new IllegalArgumentException("no offset or fingerprint");
    }
    return new Saved(offset, fp, path);
  }
}
