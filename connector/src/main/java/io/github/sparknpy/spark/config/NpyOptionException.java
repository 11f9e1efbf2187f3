package io.github.sparknpy.spark.config;

import io.github.sparknpy.npy.error.NpyException;

/** A read or write option that is unknown, malformed, or inconsistent with the data. */
public class NpyOptionException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpyOptionException(String message) {
    super(message);
  }
}
