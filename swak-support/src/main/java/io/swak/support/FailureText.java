package io.swak.support;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** A failure said in words, for log lines and status (the runtime's and plugins'): see {@link #of}. */
public final class FailureText {

  private FailureText() { }

  /**
   * A one-line description of a failure for a log line, in words a user acts on: what happened and to which
   * file or address, never a Java class name ({@code AccessDeniedException: /x} → {@code permission denied:
   * /x}). Wrappers that add nothing (UncheckedIOException, ExecutionException) are looked through.
   */
  public static String of(Throwable e) {
    Throwable t = e;
    while ((t instanceof UncheckedIOException || t instanceof ExecutionException || t instanceof CompletionException
        || t instanceof java.lang.reflect.InvocationTargetException) && t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage() == null || t.getMessage().isBlank() ? null : t.getMessage();
    if (t instanceof FileSystemException f) {
      return fileProblem(f);
    }
    if (t instanceof ConnectException) {
      return m == null ? "connection refused" : lowerFirst(m);
    }
    if (t instanceof BindException) {
      return m == null ? "address already in use" : lowerFirst(m);
    }
    if (t instanceof UnknownHostException) {
      return "unknown host" + (m == null ? "" : " " + m);
    }
    if (t instanceof NoRouteToHostException) {
      return m == null ? "no route to host" : lowerFirst(m);
    }
    if (t instanceof SocketTimeoutException) {
      return m == null ? "timed out" : lowerFirst(m);
    }
    if (t instanceof ClosedChannelException) {
      return "the connection or file was closed";
    }
    if (t instanceof EOFException) {
      return m == null ? "unexpected end of data (the other side closed the connection?)" : m;
    }
    if (t instanceof FileNotFoundException) {
      return m == null ? "file not found" : m; // its message is "path (reason)"
    }
    if (m != null && (t instanceof IOException || t instanceof IllegalArgumentException
        || t instanceof IllegalStateException || t instanceof UnsupportedOperationException)) {
      return m;
    }
    if (m != null) {
      // an unexpected failure: its message, and that it is one; the debug log has the stack trace
      return m + " (unexpected error: run with -v for details)";
    }
    return "unexpected error without a message (a bug? run with -v for the stack trace)";
  }

  /** e.g. {@code permission denied: /var/log/app.log}. */
  private static String fileProblem(FileSystemException f) {
    String file = f.getFile() == null ? "" : f.getFile();
    String other = f.getOtherFile() == null ? "" : " → " + f.getOtherFile();
    String what;
    if (f instanceof AccessDeniedException) {
      what = "permission denied";
    } else if (f instanceof NoSuchFileException) {
      what = "no such file or directory";
    } else if (f instanceof FileAlreadyExistsException) {
      what = "already exists";
    } else if (f instanceof NotDirectoryException) {
      what = "not a directory";
    } else if (f instanceof DirectoryNotEmptyException) {
      what = "directory not empty";
    } else {
      what = f.getReason() != null ? lowerFirst(f.getReason()) : "file system error";
    }
    return file.isEmpty() ? what : what + ": " + file + other;
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
