package io.swak.plugins.filetail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

/**
 * Who a file is, independent of its name: device + inode (what survives a rename). Where the platform
 * has no unix attributes, the file key the JDK gives is used instead.
 *
 * @param key printable and usable as a file name, e.g. {@code 803-1234567}
 */
record FileIdentity(String key) {

  /** Identity and size of the file at {@code path}, following symlinks. */
  record Stat(FileIdentity id, long size, boolean regular) { }

  private static volatile boolean unixAttributes = true;

  // written out: a record's generated equals/hashCode spin method-handle classes at their first call,
  // ~1 ms each at start-up, and this is a map key from the first file on
  @Override
  public boolean equals(Object o) {
    return o instanceof FileIdentity f && key.equals(f.key);
  }

  @Override
  public int hashCode() {
    return key.hashCode();
  }

  static Stat stat(Path path) throws IOException {
    if (unixAttributes) {
      try {
        Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino,size,mode");
        long dev = ((Number) a.get("dev")).longValue();
        long ino = ((Number) a.get("ino")).longValue();
        int mode = ((Number) a.get("mode")).intValue();
        boolean regular = (mode & 0170000) == 0100000;
        return new Stat(new FileIdentity(Long.toHexString(dev) + "-" + Long.toHexString(ino)),
            ((Number) a.get("size")).longValue(), regular);
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        unixAttributes = false;
      }
    }
    BasicFileAttributes b = Files.readAttributes(path, BasicFileAttributes.class);
    Object k = b.fileKey();
    String key = k == null ? "path-" + Integer.toHexString(path.toAbsolutePath().toString().hashCode())
        : k.toString().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "");
    return new Stat(new FileIdentity(key), b.size(), b.isRegularFile());
  }

  @Override
  public String toString() {
    return key;
  }
}
