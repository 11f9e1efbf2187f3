package io.github.sparknpy.spark.write;

import java.util.List;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * What a committed task attempt of a {@code layout=columns} write hands to the job commit: one
 * staged part per member, in member order, all of the same rows.
 */
record ColumnSetCommitMessage(int partitionId, long taskAttemptId, List<NpyCommitMessage> members)
    implements WriterCommitMessage {
  private static final long serialVersionUID = 1L;
}
