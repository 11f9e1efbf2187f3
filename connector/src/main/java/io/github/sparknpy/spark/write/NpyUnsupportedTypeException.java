package io.github.sparknpy.spark.write;

import io.github.sparknpy.spark.config.NpyOptionException;

/** A column's Spark type has no numpy equivalent; raised on the driver, before any task runs. */
public class NpyUnsupportedTypeException extends NpyOptionException {
  private static final long serialVersionUID = 1L;

  public NpyUnsupportedTypeException(String message) {
    super(message);
  }
}
