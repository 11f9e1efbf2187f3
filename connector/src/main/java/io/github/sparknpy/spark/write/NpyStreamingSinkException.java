package io.github.sparknpy.spark.write;

/**
 * A streaming query cannot write to its npy target: an output mode or layout the sink does not
 * offer, or a target changed by someone else in a way the sink cannot reconcile with its log of
 * committed micro-batches. The message names the path and says what to do.
 */
public class NpyStreamingSinkException extends NpyWriteException {
  private static final long serialVersionUID = 1L;

  public NpyStreamingSinkException(String message) {
    super(message);
  }

  public NpyStreamingSinkException(String message, Throwable cause) {
    super(message, cause);
  }
}
