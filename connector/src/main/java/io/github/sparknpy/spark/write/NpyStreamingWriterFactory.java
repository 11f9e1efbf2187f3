package io.github.sparknpy.spark.write;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.streaming.StreamingDataWriterFactory;

/**
 * Creates one {@link NpyDataWriter} per task attempt of a micro-batch, staging under the epoch's
 * own directory; serialized to the executors.
 */
final class NpyStreamingWriterFactory implements StreamingDataWriterFactory {
  private static final long serialVersionUID = 1L;
  private final WriteJob job;

  NpyStreamingWriterFactory(WriteJob job) {
    this.job = job;
  }

  @Override
  public DataWriter<InternalRow> createWriter(int partitionId, long taskId, long epochId) {
    return new NpyDataWriter(
        job.withStagingDir(NpyStreamingWrite.epochStaging(job.stagingDir(), epochId)),
        partitionId,
        taskId);
  }
}
