package io.github.sparknpy.spark.write;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch write protocol of Spark's {@link BatchWrite} Javadoc: tasks stage their parts under a
 * hidden job directory ({@code <parent>/.npy-staging-<queryId>}); Spark's commit coordinator lets
 * one attempt per partition commit, and only committed attempts' parts reach {@link #commit}; the
 * job commit publishes them ({@link JobCommitter}) and deletes the staging directory, which also
 * removes parts of attempts that never committed. {@link #abort} deletes the staging directory and
 * leaves any previous content at the target untouched.
 */
final class NpyBatchWrite implements BatchWrite {
  private static final Logger LOG = LoggerFactory.getLogger(NpyBatchWrite.class);

  private final WriteJob job;
  private final WriteTarget target;

  NpyBatchWrite(WriteJob job, WriteTarget target) {
    this.job = job;
    this.target = target;
  }

  @Override
  public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
    return new NpyDataWriterFactory(job);
  }

  @Override
  public boolean useCommitCoordinator() {
    return true;
  }

  @Override
  public void commit(WriterCommitMessage[] messages) {
    List<NpyCommitMessage> all = new ArrayList<>();
    for (WriterCommitMessage m : messages) {
      if (m instanceof PartitionedCommitMessage p) {
        all.addAll(p.parts());
      } else {
        all.add((NpyCommitMessage) m);
      }
    }
    NpyCommitMessage[] parts = all.toArray(new NpyCommitMessage[0]);
    try {
      new JobCommitter(job, target, CommitFaults.current()).commit(parts);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot commit the npy write to " + target.path(), e);
    }
  }

  /** Deletes everything staged; tolerates null messages (tasks that never committed). */
  @Override
  public void abort(WriterCommitMessage[] messages) {
    Path staging = new Path(job.stagingDir());
    try {
      staging.getFileSystem(job.hadoopConf().get()).delete(staging, true);
      LOG.info("Aborted npy write to {}: deleted {}", target.path(), staging);
    } catch (IOException e) {
      LOG.warn("Could not delete the npy staging directory {}", staging, e);
    }
  }

  @Override
  public String toString() {
    return "NpyBatchWrite(" + target + ")";
  }
}
