package io.swak.core.config;

/**
 * One mistake in a config file, located and explained so the user can fix it without a stack trace.
 *
 * @param file as given on the command line
 * @param line 1-based, 0 when unknown
 * @param column 1-based, 0 when unknown
 * @param where e.g. {@code task 1, step 2 (out.File)}; empty at the top level
 * @param message what is wrong and what is allowed
 */
public record ConfigProblem(String file, int line, int column, String where, String message) {

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(file);
    if (line > 0) {
      sb.append(':').append(line).append(':').append(column);
    }
    sb.append(": ");
    if (!where.isEmpty()) {
      sb.append(where).append(": ");
    }
    return sb.append(message).toString();
  }
}
