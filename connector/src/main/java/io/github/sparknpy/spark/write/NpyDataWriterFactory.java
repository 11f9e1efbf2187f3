package io.github.sparknpy.spark.write;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;

/** Creates one {@link NpyDataWriter} per task attempt; serialized to the executors. */
final class NpyDataWriterFactory implements DataWriterFactory {
  private static final long serialVersionUID = 1L;
  private final WriteJob job;

  NpyDataWriterFactory(WriteJob job) {
    this.job = job;
  }

  @Override
  public DataWriter<InternalRow> createWriter(int partitionId, long taskId) {
    return job.partitioning() == null
        ? new NpyDataWriter(job, partitionId, taskId)
        : new PartitionedDataWriter(job, partitionId, taskId);
  }
}
