package io.swak.api;

import java.time.Duration;

/**
 * The first step of a task. The task thread calls {@link #poll} in a loop and runs every batch it
 * returns through the following steps. Inputs that receive data on their own threads (network
 * servers) hand it over through a queue bounded in bytes, and stop reading while it is full.
 */
public interface Input extends Step {

  /**
   * Returns the next batch, waiting at most {@code maxWait} for one. {@code null} means nothing
   * arrived in time; an empty batch means a periodic poll found nothing (following steps still run,
   * so a {@code sleep} step keeps its rhythm). Every batch carries an ack that the input uses to
   * advance its checkpoint.
   */
  Batch poll(Duration maxWait) throws Exception;
}
