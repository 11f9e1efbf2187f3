package io.github.sparknpy.spark.write;

import java.util.Arrays;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * What a committed task attempt hands to the job commit: its staged part (null when the partition
 * had no rows), the rows and bytes in it, its header, and the array lengths ({@code dims}) and
 * string widths ({@code widths}) it used, indexed by layout node; for a partitioned write, the
 * partition directory ({@code k=1/j=a}) its rows belong to (null otherwise); when the staged file
 * holds only the part's data ({@link WriteJob#dataOnlyParts}), the part's encoded header ({@code
 * detachedHeader}, null otherwise).
 */
record NpyCommitMessage(
    int partitionId,
    long taskAttemptId,
    String stagedPath,
    long rows,
    long bytes,
    String header,
    long[] dims,
    int[] widths,
    String partitionDir,
    byte[] detachedHeader)
    implements WriterCommitMessage {
  private static final long serialVersionUID = 1L;

  NpyCommitMessage(
      int partitionId,
      long taskAttemptId,
      String stagedPath,
      long rows,
      long bytes,
      String header,
      long[] dims,
      int[] widths) {
    this(partitionId, taskAttemptId, stagedPath, rows, bytes, header, dims, widths, null, null);
  }

  @Override
  public String toString() {
    return "part "
        + (partitionDir == null ? "" : partitionDir + " ")
        + partitionId
        + " (attempt "
        + taskAttemptId
        + "): "
        + rows
        + " rows, "
        + bytes
        + " bytes at "
        + stagedPath
        + ", header "
        + header
        + ", dims "
        + Arrays.toString(dims)
        + ", widths "
        + Arrays.toString(widths);
  }
}
