package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.error.NpyException;

/** A path of a read that does not exist or holds no file to read. */
public class NpyPathException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpyPathException(String message) {
    super(message);
  }
}
