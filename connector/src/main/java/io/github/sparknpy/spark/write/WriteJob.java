package io.github.sparknpy.spark.write;

import io.github.sparknpy.spark.hadoop.SerializableHadoopConf;
import java.io.Serializable;
import org.apache.hadoop.fs.Path;

/**
 * What every task of one write needs, decided on the driver: the layout (pinned to the existing
 * file for Append), the data options, the job's staging directory and the Hadoop configuration; for
 * a partitioned write ({@code partitionBy}), which input columns are partition columns; whether
 * tasks stage their parts' data without the header ({@code dataOnlyParts}).
 */
record WriteJob(
    WriteLayout layout,
    boolean fillNulls,
    boolean truncateStrings,
    int batchBytes,
    String stagingDir,
    boolean localFileSystem,
    SerializableHadoopConf hadoopConf,
    PartitionSpec partitioning,
    boolean dataOnlyParts)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  WriteJob(
      WriteLayout layout,
      boolean fillNulls,
      boolean truncateStrings,
      int batchBytes,
      String stagingDir,
      boolean localFileSystem,
      SerializableHadoopConf hadoopConf) {
    this(
        layout,
        fillNulls,
        truncateStrings,
        batchBytes,
        stagingDir,
        localFileSystem,
        hadoopConf,
        null,
        false);
  }

  WriteJob(
      WriteLayout layout,
      boolean fillNulls,
      boolean truncateStrings,
      int batchBytes,
      String stagingDir,
      boolean localFileSystem,
      SerializableHadoopConf hadoopConf,
      PartitionSpec partitioning) {
    this(
        layout,
        fillNulls,
        truncateStrings,
        batchBytes,
        stagingDir,
        localFileSystem,
        hadoopConf,
        partitioning,
        false);
  }

  /**
   * This job with its tasks staging only their parts' data, their headers going to the job commit
   * in their commit messages: a commit that concatenates the staged files as they are (HDFS {@code
   * concat}) needs parts without headers.
   */
  WriteJob withDataOnlyParts() {
    return new WriteJob(
        layout,
        fillNulls,
        truncateStrings,
        batchBytes,
        stagingDir,
        localFileSystem,
        hadoopConf,
        partitioning,
        true);
  }

  /** This job staging under {@code dir} (one micro-batch of a streaming write). */
  WriteJob withStagingDir(String dir) {
    return new WriteJob(
        layout,
        fillNulls,
        truncateStrings,
        batchBytes,
        dir,
        localFileSystem,
        hadoopConf,
        partitioning,
        dataOnlyParts);
  }

  /** The staged name of a task attempt's part: hidden directory, partition and attempt id. */
  Path stagedPart(int partitionId, long taskAttemptId) {
    return stagedPart(partitionId, taskAttemptId, null);
  }

  /**
   * The staged name of a task attempt's part of one partition directory ({@code k=1/j=a}; null: an
   * unpartitioned write).
   */
  Path stagedPart(int partitionId, long taskAttemptId, String partitionDir) {
    Path dir = partitionDir == null ? new Path(stagingDir) : new Path(stagingDir, partitionDir);
    return new Path(
        dir, String.format(java.util.Locale.ROOT, "part-%05d-%d.npy", partitionId, taskAttemptId));
  }
}
