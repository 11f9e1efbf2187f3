package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.spark.metrics.NpyBytesReadMetric;
import io.github.sparknpy.spark.metrics.NpyFilesOpenedMetric;
import io.github.sparknpy.spark.metrics.NpyRowsProducedMetric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.junit.jupiter.api.Test;

/** The reader protocol without a Spark job: row reader, batch reuse, metrics, close. */
class NpyRowReaderTest extends NpyReadTestBase {

  private Scan scan(Path file, Map<String, String> options) {
    Map<String, String> all = new java.util.HashMap<>(options);
    all.put("path", file.toString());
    CaseInsensitiveStringMap map = new CaseInsensitiveStringMap(all);
    StructType schema = NpyTableSchema.infer(spark(), map).orElseThrow().schema();
    return new NpyScanBuilder(spark(), map, schema).build();
  }

  @Test
  void rowReaderGivesTheBatchesRowsAndTheReaderFollowsTheProtocol() throws Exception {
    Path file = newDir("rows").resolve("x.npy");
    numpy("np.save(sys.argv[1], np.arange(30, dtype='>i4').reshape(10, 3))", file);
    Scan scan = scan(file, Map.of("layout", "matrix", "batchSize", "4"));
    InputPartition[] partitions = scan.toBatch().planInputPartitions();
    assertThat(partitions).hasSize(1);
    PartitionReaderFactory factory = scan.toBatch().createReaderFactory();
    assertThat(factory.supportColumnarReads(partitions[0])).isTrue();

    List<Integer> fromRows = new ArrayList<>();
    try (PartitionReader<InternalRow> rows = factory.createReader(partitions[0])) {
      while (rows.next()) {
        InternalRow r = rows.get();
        fromRows.add(r.getInt(0) * 10000 + r.getInt(1) * 100 + r.getInt(2));
      }
      assertThat(metric(rows.currentMetricsValues(), NpyRowsProducedMetric.NAME)).isEqualTo(10);
    }
    List<Integer> want = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      want.add(3 * i * 10000 + (3 * i + 1) * 100 + 3 * i + 2);
    }
    assertThat(fromRows).containsExactlyElementsOf(want);

    PartitionReader<ColumnarBatch> batches = factory.createColumnarReader(partitions[0]);
    List<Integer> sizes = new ArrayList<>();
    ColumnarBatch first = null;
    while (batches.next()) {
      ColumnarBatch b = batches.get();
      first = first == null ? b : first;
      assertThat(b).isSameAs(first);
      sizes.add(b.numRows());
    }
    assertThat(sizes).containsExactly(4, 4, 2);
    assertThat(metric(batches.currentMetricsValues(), NpyBytesReadMetric.NAME)).isEqualTo(120);
    assertThat(metric(batches.currentMetricsValues(), NpyFilesOpenedMetric.NAME)).isEqualTo(1);
    batches.close();
    batches.close();
    assertThatThrownBy(batches::next)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  private static long metric(CustomTaskMetric[] metrics, String name) {
    for (CustomTaskMetric m : metrics) {
      if (m.name().equals(name)) {
        return m.value();
      }
    }
    throw new AssertionError("no metric " + name);
  }
}
