package io.github.sparknpy.spark.write;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch protocol of a {@code layout=columns} write: as {@link NpyBatchWrite}, with one staged
 * part per member and task, published as a whole directory by {@link ColumnSetCommitter}.
 */
final class ColumnSetBatchWrite implements BatchWrite {
  private static final Logger LOG = LoggerFactory.getLogger(ColumnSetBatchWrite.class);

  private final ColumnSetJob job;
  private final WriteTarget target;

  ColumnSetBatchWrite(ColumnSetJob job, WriteTarget target) {
    this.job = job;
    this.target = target;
  }

  @Override
  public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
    return new Factory(job);
  }

  @Override
  public boolean useCommitCoordinator() {
    return true;
  }

  @Override
  public void commit(WriterCommitMessage[] messages) {
    ColumnSetCommitMessage[] parts =
        Arrays.stream(messages)
            .map(m -> (ColumnSetCommitMessage) m)
            .toArray(ColumnSetCommitMessage[]::new);
    try {
      new ColumnSetCommitter(job, target, CommitFaults.current()).commit(parts);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot commit the npy column set " + target.path(), e);
    }
  }

  @Override
  public void abort(WriterCommitMessage[] messages) {
    Path staging = new Path(job.stagingDir());
    try {
      staging.getFileSystem(job.members().get(0).job().hadoopConf().get()).delete(staging, true);
      LOG.info("Aborted npy column set {}: deleted {}", target.path(), staging);
    } catch (IOException e) {
      LOG.warn("Could not delete the npy staging directory {}", staging, e);
    }
  }

  @Override
  public String toString() {
    return "ColumnSetBatchWrite(" + target + ")";
  }

  /** One {@link ColumnSetDataWriter} per task attempt; serialized to the executors. */
  private static final class Factory implements DataWriterFactory {
    private static final long serialVersionUID = 1L;
    private final ColumnSetJob job;

    Factory(ColumnSetJob job) {
      this.job = job;
    }

    @Override
    public DataWriter<InternalRow> createWriter(int partitionId, long taskId) {
      return new ColumnSetDataWriter(job, partitionId, taskId);
    }
  }
}
