package io.swak.build;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a directory as a .tar.gz (POSIX ustar: files with their mode, folders, symlinks), so a build makes the same
 * tarball on every system without a tar program.
 */
final class TarGz {

  private TarGz() { }

  /** {@code dir}'s tree under the top folder {@code top} in {@code tarball}. */
  static void write(Path dir, String top, Path tarball) throws IOException {
    List<Path> entries;
    try (Stream<Path> s = Files.walk(dir)) {
      entries = s.sorted(Comparator.comparing(Path::toString)).toList();
    }
    Path tmp = tarball.resolveSibling(tarball.getFileName() + ".tmp");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
      for (Path p : entries) {
        String rel = dir.relativize(p).toString().replace('\\', '/');
        String name = rel.isEmpty() ? top + "/" : top + "/" + rel;
        if (Files.isSymbolicLink(p)) {
          header(out, name, 0777, 0, Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() / 1000, '2',
              Files.readSymbolicLink(p).toString());
        } else if (Files.isDirectory(p)) {
          header(out, name.endsWith("/") ? name : name + "/", 0755, 0, Files.getLastModifiedTime(p).toMillis() / 1000,
              '5', "");
        } else {
          long size = Files.size(p);
          header(out, name, mode(p), size, Files.getLastModifiedTime(p).toMillis() / 1000, '0', "");
          Files.copy(p, out);
          out.write(new byte[(int) ((512 - size % 512) % 512)]);
        }
      }
      out.write(new byte[1024]); // two empty blocks end the archive
    }
    Files.move(tmp, tarball, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static int mode(Path p) throws IOException {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      return perms.contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644;
    } catch (UnsupportedOperationException e) {
      return p.getFileName().toString().endsWith(".cmd") || p.getParent().getFileName().toString().equals("bin")
          ? 0755 : 0644;
    }
  }

  private static void header(OutputStream out, String name, int mode, long size, long mtime, char type, String link)
      throws IOException {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    String prefix = "";
    if (n.length > 100) { // ustar: the path splits at a slash into prefix (155) and name (100)
      int cut = name.lastIndexOf('/', name.length() - 2);
      while (cut > 0 && name.substring(cut + 1).getBytes(StandardCharsets.UTF_8).length > 100) {
        cut = name.lastIndexOf('/', cut - 1);
      }
      if (cut <= 0 || cut > 155) {
        throw new IOException("path too long for a tar entry: " + name);
      }
      prefix = name.substring(0, cut);
      n = name.substring(cut + 1).getBytes(StandardCharsets.UTF_8);
    }
    System.arraycopy(n, 0, h, 0, n.length);
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, size);
    octal(h, 136, 12, mtime);
    h[156] = (byte) type;
    byte[] l = link.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(l, 0, h, 157, Math.min(100, l.length));
    System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(p, 0, h, 345, p.length);
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    octal(h, 148, 7, sum);
    out.write(h);
  }

  private static void octal(byte[] h, int off, int len, long v) {
    String s = Long.toOctalString(v);
    while (s.length() < len - 1) {
      s = "0" + s;
    }
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, len - 1);
    h[off + len - 1] = 0;
  }
}
