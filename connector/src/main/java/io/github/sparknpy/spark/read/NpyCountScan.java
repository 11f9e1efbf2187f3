package io.github.sparknpy.spark.read;

import io.github.sparknpy.spark.metrics.NpyBytesReadMetric;
import io.github.sparknpy.spark.metrics.NpyFilesOpenedMetric;
import io.github.sparknpy.spark.metrics.NpyRowsProducedMetric;
import io.github.sparknpy.spark.metrics.NpyTaskMetric;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A pushed-down {@code COUNT(*)}: the row count comes from the headers read at planning (within the
 * pushed {@code _row_index} range and limit), so no task opens a file. One partition, one row with
 * the count once per pushed count function.
 */
final class NpyCountScan implements Scan, Batch {
  private final long count;
  private final int functions;
  private final int files;

  NpyCountScan(long count, int functions, int files) {
    this.count = count;
    this.functions = functions;
    this.files = files;
  }

  /** The rows of {@code index} in {@code [fromRow, toRowExclusive)}, at most {@code limit}. */
  static long rows(NpyFileIndex index, long fromRow, long toRowExclusive, long limit) {
    long rows = 0;
    for (NpyFileSpec f : index.files) {
      long r = Math.max(0, Math.min(f.rowCount(), toRowExclusive) - fromRow);
      rows = r > Long.MAX_VALUE - rows ? Long.MAX_VALUE : rows + r;
    }
    return Math.min(rows, limit);
  }

  @Override
  public StructType readSchema() {
    StructType schema = new StructType();
    for (int i = 0; i < functions; i++) {
      schema = schema.add("count" + i, DataTypes.LongType, false);
    }
    return schema;
  }

  @Override
  public String description() {
    return "NpyCountScan[" + files + " files, " + count + " rows counted from the headers]";
  }

  @Override
  public Batch toBatch() {
    return this;
  }

  @Override
  public InputPartition[] planInputPartitions() {
    return new InputPartition[] {new CountPartition(count, functions)};
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return new CustomMetric[] {
      new NpyBytesReadMetric(), new NpyFilesOpenedMetric(), new NpyRowsProducedMetric()
    };
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return new CountReaderFactory();
  }

  private record CountPartition(long count, int functions) implements InputPartition {}

  private static final class CountReaderFactory implements PartitionReaderFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
      CountPartition p = (CountPartition) partition;
      Object[] values = new Object[p.functions()];
      java.util.Arrays.fill(values, p.count());
      InternalRow row = new GenericInternalRow(values);
      return new PartitionReader<>() {
        private boolean done;

        @Override
        public boolean next() {
          if (done) {
            return false;
          }
          done = true;
          return true;
        }

        @Override
        public InternalRow get() {
          return row;
        }

        @Override
        public CustomTaskMetric[] currentMetricsValues() {
          return new CustomTaskMetric[] {
            new NpyTaskMetric(NpyBytesReadMetric.NAME, 0),
            new NpyTaskMetric(NpyFilesOpenedMetric.NAME, 0),
            new NpyTaskMetric(NpyRowsProducedMetric.NAME, done ? 1 : 0)
          };
        }

        @Override
        public void close() {}
      };
    }
  }
}
