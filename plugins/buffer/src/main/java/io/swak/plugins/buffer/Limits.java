package io.swak.plugins.buffer;

import io.swak.api.DataSize;

/** Checks shared by the buffer plugins. */
final class Limits {

  private Limits() { }

  static String check(DataSize chunkBytes, DataSize totalLimit) {
    if (chunkBytes != null && chunkBytes.bytes() <= 0) {
      return "option `chunk_bytes` must be more than 0";
    }
    if (totalLimit != null && totalLimit.bytes() <= 0) {
      return "option `total_limit` must be more than 0";
    }
    if (chunkBytes != null && totalLimit != null && chunkBytes.bytes() > totalLimit.bytes()) {
      return "option `chunk_bytes` (" + chunkBytes + ") is larger than `total_limit` (" + totalLimit + ")";
    }
    return null;
  }
}
