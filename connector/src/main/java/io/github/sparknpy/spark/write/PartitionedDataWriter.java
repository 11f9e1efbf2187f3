package io.github.sparknpy.spark.write;

import io.github.sparknpy.spark.compat.ScalaInterop;
import io.github.sparknpy.spark.metrics.NpyBytesWrittenMetric;
import io.github.sparknpy.spark.metrics.NpyRowsWrittenMetric;
import io.github.sparknpy.spark.metrics.NpyTaskMetric;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.EvalMode$;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import scala.Option;

/**
 * One task attempt of a partitioned write: routes each row, without its partition columns, to an
 * {@link NpyDataWriter} of its partition directory ({@code k=1/j=a}, values rendered as Spark's
 * {@code CAST(… AS STRING)} renders them and escaped as Spark escapes partition paths), so every
 * directory's part keeps the task's row order. Rows need not arrive grouped by partition: each
 * directory met keeps its own local file open until the task commits (one open file and one batch
 * buffer per directory and task).
 */
final class PartitionedDataWriter implements DataWriter<InternalRow> {
  private final WriteJob job;
  private final int partitionId;
  private final long taskId;
  private final UnsafeProjection values;
  private final UnsafeProjection data;
  private final Map<UnsafeRow, NpyDataWriter> byValues = new HashMap<>();

  /** By directory: null and "" (and values escaping alike) share one. */
  private final Map<String, NpyDataWriter> writers = new LinkedHashMap<>();

  private final List<String> columns;
  private UnsafeRow lastKey;
  private NpyDataWriter last;

  PartitionedDataWriter(WriteJob job, int partitionId, long taskId) {
    this.job = job;
    this.partitionId = partitionId;
    this.taskId = taskId;
    PartitionSpec spec = job.partitioning();
    StructField[] fields = spec.inputSchema().fields();
    List<Expression> keys = new ArrayList<>();
    for (int i : spec.partitionOrdinals()) {
      keys.add(
          new Cast(
              new BoundReference(i, fields[i].dataType(), fields[i].nullable()),
              DataTypes.StringType,
              Option.apply(spec.timeZone()),
              EvalMode$.MODULE$.LEGACY()));
    }
    this.values = UnsafeProjection.create(ScalaInterop.toScalaList(keys));
    List<Expression> cols = new ArrayList<>();
    for (int i : spec.dataOrdinals()) {
      cols.add(new BoundReference(i, fields[i].dataType(), fields[i].nullable()));
    }
    this.data = UnsafeProjection.create(ScalaInterop.toScalaList(cols));
    this.columns = spec.columns();
  }

  @Override
  public void write(InternalRow record) throws IOException {
    UnsafeRow key = values.apply(record);
    NpyDataWriter w;
    if (last != null && key.equals(lastKey)) {
      w = last;
    } else {
      w = byValues.get(key);
      if (w == null) {
        UnsafeRow copy = key.copy();
        w =
            writers.computeIfAbsent(
                directory(copy), dir -> new NpyDataWriter(job, partitionId, taskId, dir));
        byValues.put(copy, w);
      }
      lastKey = key.copy();
      last = w;
    }
    w.write(data.apply(record));
  }

  /** {@code k=1/j=a} for the rendered partition values of a row. */
  private String directory(UnsafeRow key) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      if (i > 0) {
        sb.append('/');
      }
      String value = key.isNullAt(i) ? null : key.getUTF8String(i).toString();
      sb.append(PartitionPaths.directory(columns.get(i), value));
    }
    return sb.toString();
  }

  @Override
  public PartitionedCommitMessage commit() throws IOException {
    List<NpyCommitMessage> parts = new ArrayList<>();
    for (NpyDataWriter w : writers.values()) {
      NpyCommitMessage m = w.commit();
      if (m.rows() > 0) {
        parts.add(m);
      }
    }
    return new PartitionedCommitMessage(partitionId, taskId, parts);
  }

  @Override
  public void abort() throws IOException {
    NpyDataWriter.abortAll(writers.values());
  }

  @Override
  public void close() throws IOException {
    for (NpyDataWriter w : writers.values()) {
      w.close();
    }
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    long rows = 0;
    long bytes = 0;
    for (NpyDataWriter w : writers.values()) {
      for (CustomTaskMetric m : w.currentMetricsValues()) {
        if (NpyRowsWrittenMetric.NAME.equals(m.name())) {
          rows += m.value();
        } else if (NpyBytesWrittenMetric.NAME.equals(m.name())) {
          bytes += m.value();
        }
      }
    }
    return new CustomTaskMetric[] {
      new NpyTaskMetric(NpyRowsWrittenMetric.NAME, rows),
      new NpyTaskMetric(NpyBytesWrittenMetric.NAME, bytes)
    };
  }
}
