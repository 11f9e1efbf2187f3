package io.github.sparknpy.npy.error;

/**
 * The file is held open for appending by an {@link io.github.sparknpy.npy.NpyAppendArray} of this
 * JVM, which keeps its lock from the first append to {@code close()}: an operation that needs the
 * file to itself (another appender, {@code recover}, {@code ensureAppendable}, an in-place Spark
 * Append) is refused at once rather than left waiting for a close that the same program would have
 * to make. Close that appender first, or build appenders with {@code holdLock(false)} so that they
 * take turns per append.
 */
public class NpyFileBusyException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpyFileBusyException(String message) {
    super(message);
  }
}
