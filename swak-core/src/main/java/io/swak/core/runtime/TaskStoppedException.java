package io.swak.core.runtime;

/** Thrown through the steps of a task when a wait was cut short because the task is stopping. */
final class TaskStoppedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  TaskStoppedException() {
    super("task is stopping", null, false, false);
  }
}
