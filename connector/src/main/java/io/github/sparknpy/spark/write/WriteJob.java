package io.github.sparknpy.spark.write;

import io.github.sparknpy.spark.hadoop.SerializableHadoopConf;
import java.io.Serializable;
import org.apache.hadoop.fs.Path;

/**
 * What every task of one write needs, decided on the driver: the layout (pinned to the existing
 * file for Append), the data options, the job's staging directory and the Hadoop configuration.
 */
record WriteJob(
    WriteLayout layout,
    boolean fillNulls,
    boolean truncateStrings,
    int batchBytes,
    String stagingDir,
    boolean localFileSystem,
    SerializableHadoopConf hadoopConf)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The staged name of a task attempt's part: hidden directory, partition and attempt id. */
  Path stagedPart(int partitionId, long taskAttemptId) {
    return new Path(
        stagingDir,
        String.format(java.util.Locale.ROOT, "part-%05d-%d.npy", partitionId, taskAttemptId));
  }
}
