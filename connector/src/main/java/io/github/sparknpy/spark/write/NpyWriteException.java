package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.error.NpyException;

/**
 * The rows could not be written as numpy data: a null with {@code nulls=error}, a string longer
 * than its fixed width, arrays of different lengths, a value out of range for its dtype, or a part
 * file the job commit could not use. The message names the column, the row and what to do.
 */
public class NpyWriteException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpyWriteException(String message) {
    super(message);
  }

  public NpyWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
