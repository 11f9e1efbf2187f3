package io.github.sparknpy.spark.write;

import java.util.List;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * What a committed task attempt of a partitioned write hands to the job commit: one staged part per
 * partition directory it wrote rows to (in the order it met them).
 */
record PartitionedCommitMessage(int partitionId, long taskAttemptId, List<NpyCommitMessage> parts)
    implements WriterCommitMessage {
  private static final long serialVersionUID = 1L;
}
