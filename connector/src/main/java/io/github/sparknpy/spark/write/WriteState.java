package io.github.sparknpy.spark.write;

import java.util.Arrays;

/**
 * The per-task (or per-job) facts a {@link ColumnNode} tree needs beyond the schema: array lengths
 * ({@code dims}, -1 until the first row sets them), string widths ({@code widths}, -1 while
 * automatic and not yet measured) and the byte size of each node's value once they are known. All
 * arrays are indexed by node id.
 */
final class WriteState {
  final long[] dims;
  final int[] widths;
  final int[] bytes;
  final boolean fillNulls;
  final boolean truncateStrings;
  final int partition;

  /** Lengths come from the file being appended to, not from the first row. */
  boolean dimsFromFile;

  /** Per node: a value ending in NUL was reported (see {@code StringNode}). */
  final boolean[] warnedTrailingNul;

  /** The index of the row being written within this task's partition. */
  long row;

  WriteState(long[] dims, int[] widths, boolean fillNulls, boolean truncate, int partition) {
    this.dims = dims.clone();
    this.widths = widths.clone();
    this.bytes = new int[dims.length];
    this.warnedTrailingNul = new boolean[dims.length];
    Arrays.fill(bytes, -1);
    this.fillNulls = fillNulls;
    this.truncateStrings = truncate;
    this.partition = partition;
  }

  /** Where the current row is, for messages. */
  String where() {
    return "row " + row + " of partition " + partition;
  }
}
