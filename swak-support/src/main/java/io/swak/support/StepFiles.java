package io.swak.support;

import io.swak.api.StepContext;

/** Names of the files a step keeps below the data directory (buffer chunks, positions, temp files). */
public final class StepFiles {

  private StepFiles() { }

  /** {@code <task>-<step>} usable as a file name: {@code task 1}, {@code in.MySQLTail} → {@code task_1-in.MySQLTail}. */
  public static String id(StepContext ctx) {
    return safe(ctx.taskName()) + "-" + safe(ctx.stepName());
  }

  /** {@code s} with anything but letters, digits, {@code . _ -} replaced by {@code _}. */
  public static String safe(String s) {
    return s.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
