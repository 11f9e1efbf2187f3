package io.github.sparknpy.spark.read;

import java.io.IOException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/** Rows over the columnar reader, for the plans that ask for rows. */
final class NpyRowReader implements PartitionReader<InternalRow> {
  private final NpyColumnarReader batches;
  private ColumnarBatch batch;
  private int index;

  NpyRowReader(NpyColumnarReader batches) {
    this.batches = batches;
  }

  @Override
  public boolean next() throws IOException {
    while (batch == null || ++index >= batch.numRows()) {
      if (!batches.next()) {
        return false;
      }
      batch = batches.get();
      index = -1;
    }
    return true;
  }

  @Override
  public InternalRow get() {
    return batch.getRow(index);
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    return batches.currentMetricsValues();
  }

  @Override
  public void close() {
    batches.close();
  }
}
