package io.swak.core.runtime;

/** The runtime's name for {@link io.swak.support.FailureText}, which plugins share. */
public final class FailureText {

  private FailureText() { }

  /** See {@link io.swak.support.FailureText#of}. */
  public static String of(Throwable e) {
    return io.swak.support.FailureText.of(e);
  }
}
