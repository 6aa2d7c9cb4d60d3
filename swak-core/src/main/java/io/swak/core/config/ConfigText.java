package io.swak.core.config;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The text of a config file: UTF-8, or UTF-16 when the file says so (a byte order mark, as Windows editors
 * write it) or shows it (every other byte zero). Anything else is reported where it stops being UTF-8.
 */
final class ConfigText {

  private ConfigText() { }

  static String decode(String file, byte[] b) throws ConfigException {
    if (startsWith(b, 0xEF, 0xBB, 0xBF)) {
      return strict(file, b, 3, StandardCharsets.UTF_8);
    }
    if (startsWith(b, 0xFE, 0xFF)) {
      return strict(file, b, 2, StandardCharsets.UTF_16BE);
    }
    if (startsWith(b, 0xFF, 0xFE)) {
      return strict(file, b, 2, StandardCharsets.UTF_16LE);
    }
    // YAML starts with ASCII (`-`, `#`, a space): in UTF-16 without a mark every second byte of it is zero
    if (b.length >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0) {
      return strict(file, b, 0, StandardCharsets.UTF_16LE);
    }
    if (b.length >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0) {
      return strict(file, b, 0, StandardCharsets.UTF_16BE);
    }
    return strict(file, b, 0, StandardCharsets.UTF_8);
  }

  private static boolean startsWith(byte[] b, int... prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((b[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static String strict(String file, byte[] b, int from, Charset cs) throws ConfigException {
    CharsetDecoder d = cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(b, from, b.length - from);
    CharBuffer out = CharBuffer.allocate(b.length);
    CoderResult r = d.decode(in, out, true);
    if (!r.isError()) {
      r = d.flush(out);
    }
    if (r.isError()) {
      out.flip();
      String before = out.toString();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < before.length(); i++) {
        if (before.charAt(i) == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      String name = cs == StandardCharsets.UTF_8 ? "UTF-8" : cs.name();
      throw new ConfigException(List.of(new ConfigProblem(file, line, before.length() - lineStart + 1, "",
          "the file is not " + name + " text here (byte 0x" + Integer.toHexString(b[in.position()] & 0xFF)
              + "): save it as UTF-8 (an editor's \"save with encoding\", or iconv -f ENCODING -t UTF-8)")));
    }
    out.flip();
    return out.toString();
  }
}
