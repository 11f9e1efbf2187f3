package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.error.NpyException;

/**
 * A file changed between the planning of a read and the task that reads it (another file was
 * published at its path, or its dtype changed since the DataFrame was defined). The file is not
 * corrupt, so {@code ignoreCorruptFiles} does not skip it: running the query again reads the new
 * version whole.
 */
public class NpyFileChangedException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpyFileChangedException(String message) {
    super(message);
  }
}
