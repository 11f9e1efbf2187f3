package io.github.sparknpy.spark.read;

import io.github.sparknpy.spark.hadoop.SerializableHadoopConf;
import java.util.List;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/** Creates the columnar readers on the executors (rows only when a plan asks for them). */
final class NpyPartitionReaderFactory implements PartitionReaderFactory {
  private static final long serialVersionUID = 1L;

  private final Broadcast<SerializableHadoopConf> conf;
  private final List<OutputColumn> columns;
  private final ReadTaskOptions options;
  private final long limit;

  NpyPartitionReaderFactory(
      Broadcast<SerializableHadoopConf> conf,
      List<OutputColumn> columns,
      ReadTaskOptions options,
      long limit) {
    this.conf = conf;
    this.columns = columns;
    this.options = options;
    this.limit = limit;
  }

  @Override
  public boolean supportColumnarReads(InputPartition partition) {
    return true;
  }

  @Override
  public PartitionReader<ColumnarBatch> createColumnarReader(InputPartition partition) {
    return new NpyColumnarReader(
        (NpyInputPartition) partition, columns, options, conf.value().get(), limit);
  }

  @Override
  public PartitionReader<InternalRow> createReader(InputPartition partition) {
    return new NpyRowReader(
        new NpyColumnarReader(
            (NpyInputPartition) partition, columns, options, conf.value().get(), limit));
  }
}
