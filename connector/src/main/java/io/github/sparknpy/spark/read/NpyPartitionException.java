package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.error.NpyException;

/**
 * The {@code key=value} directories of a read do not make one partitioned table: conflicting
 * directory structures, different partition column names, a file outside the partition directories,
 * an empty name or value, or a partition column whose type changed since the DataFrame was defined.
 * The message names the paths and says what to do.
 */
public class NpyPartitionException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpyPartitionException(String message) {
    super(message);
  }
}
