package io.github.sparknpy.spark.write;

import io.github.sparknpy.spark.compat.ScalaInterop;
import io.github.sparknpy.spark.metrics.NpyBytesWrittenMetric;
import io.github.sparknpy.spark.metrics.NpyRowsWrittenMetric;
import io.github.sparknpy.spark.metrics.NpyTaskMetric;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.types.StructField;

/**
 * One task attempt of a {@code layout=columns} write: every row goes, as the columns of each
 * member, to that member's {@link NpyDataWriter}, so all members' parts hold the task's rows in the
 * same order. The task commits all members' parts or none.
 */
final class ColumnSetDataWriter implements DataWriter<InternalRow> {
  private final int partitionId;
  private final long taskId;
  private final NpyDataWriter[] writers;
  private final UnsafeProjection[] projections;

  ColumnSetDataWriter(ColumnSetJob job, int partitionId, long taskId) {
    this.partitionId = partitionId;
    this.taskId = taskId;
    int n = job.members().size();
    writers = new NpyDataWriter[n];
    projections = new UnsafeProjection[n];
    StructField[] fields = job.inputSchema().fields();
    for (int m = 0; m < n; m++) {
      ColumnSetJob.MemberJob member = job.members().get(m);
      List<Expression> cols = new ArrayList<>();
      for (int i : member.ordinals()) {
        cols.add(new BoundReference(i, fields[i].dataType(), fields[i].nullable()));
      }
      projections[m] = UnsafeProjection.create(ScalaInterop.toScalaList(cols));
      writers[m] = new NpyDataWriter(member.job(), partitionId, taskId);
    }
  }

  @Override
  public void write(InternalRow record) throws IOException {
    for (int m = 0; m < writers.length; m++) {
      writers[m].write(projections[m].apply(record));
    }
  }

  @Override
  public ColumnSetCommitMessage commit() throws IOException {
    List<NpyCommitMessage> parts = new ArrayList<>();
    for (NpyDataWriter w : writers) {
      parts.add(w.commit());
    }
    return new ColumnSetCommitMessage(partitionId, taskId, parts);
  }

  @Override
  public void abort() throws IOException {
    NpyDataWriter.abortAll(java.util.Arrays.asList(writers));
  }

  @Override
  public void close() throws IOException {
    for (NpyDataWriter w : writers) {
      w.close();
    }
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    long rows = 0;
    long bytes = 0;
    for (NpyDataWriter w : writers) {
      for (CustomTaskMetric metric : w.currentMetricsValues()) {
        if (NpyBytesWrittenMetric.NAME.equals(metric.name())) {
          bytes += metric.value();
        } else if (NpyRowsWrittenMetric.NAME.equals(metric.name())) {
          rows = metric.value(); // the same rows in every member
        }
      }
    }
    return new CustomTaskMetric[] {
      new NpyTaskMetric(NpyRowsWrittenMetric.NAME, rows),
      new NpyTaskMetric(NpyBytesWrittenMetric.NAME, bytes)
    };
  }
}
