package io.github.sparknpy.spark.write;

import io.github.sparknpy.spark.config.NpyOptionException;

/**
 * Append was asked for, but the DataFrame does not produce exactly the dtype and row shape of the
 * existing file. Raised on the driver, before any task runs; the file is left untouched.
 */
public class NpySchemaMismatchException extends NpyOptionException {
  private static final long serialVersionUID = 1L;

  public NpySchemaMismatchException(String message) {
    super(message);
  }
}
