package io.github.sparknpy.spark.read;

import java.io.Serializable;

/**
 * The read options a task uses, shipped to the executors with the reader factory (the planner's
 * settings, such as the listing filters and the partition size, stay on the driver in {@link
 * NpyReadOptions}).
 *
 * @param rowAxisLast rows run along the last axis ({@code rowAxis=last})
 * @param batchSize rows per columnar batch, before the cap for wide rows
 * @param memoryMap memory-map local files
 * @param vectoredReads use Hadoop vectored reads for the runs of a batch, where Hadoop has them
 * @param maxHeaderBytes largest header accepted when a file's header is read again
 * @param ignoreCorruptFiles skip the rest of a file that cannot be read
 * @param ignoreMissingFiles skip the rest of a file deleted since the listing
 */
record ReadTaskOptions(
    boolean rowAxisLast,
    int batchSize,
    boolean memoryMap,
    boolean vectoredReads,
    int maxHeaderBytes,
    boolean ignoreCorruptFiles,
    boolean ignoreMissingFiles)
    implements Serializable {
  /** A batch holds at most this many bytes of file data (a single wider row is still read). */
  static final long MAX_BATCH_BYTES = 16L << 20;

  /** Rows per batch for rows of {@code rowBytes}: {@link #batchSize}, fewer for wide rows. */
  int batchRows(long rowBytes) {
    if (rowBytes <= 0) {
      return batchSize;
    }
    return (int) Math.max(1, Math.min(batchSize, MAX_BATCH_BYTES / rowBytes));
  }
}
