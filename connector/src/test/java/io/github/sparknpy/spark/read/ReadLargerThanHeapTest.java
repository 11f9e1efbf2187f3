package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.spark.SparkTestBase;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Memory is bounded by the batch, not the file: a 3 GiB file (sparse, so it costs no disk) reads in
 * a test JVM whose heap is 1 GiB (connector/pom.xml), every row, to the last one.
 */
class ReadLargerThanHeapTest extends SparkTestBase {
  @Test
  void aFileThreeTimesTheHeapReadsToTheEnd() throws Exception {
    long maxHeap = Runtime.getRuntime().maxMemory();
    long rows = (3L << 30) / 64;
    Path file = tmp.resolve("big.npy");
    byte[] header = NpyHeader.of(ScalarDType.FLOAT64, false, rows, 8).encode();
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.write(header);
      f.setLength(header.length + rows * 64);
      ByteBuffer last = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
      for (int c = 0; c < 8; c++) {
        last.putDouble(c + 0.5);
      }
      f.seek(header.length + (rows - 1) * 64);
      f.write(last.array());
    }
    assertThat(file.toFile().length()).isGreaterThan(3 * maxHeap);

    Row result =
        spark()
            .read()
            .format("npy")
            .option("layout", "matrix")
            .load(file.toString())
            .selectExpr("count(*)", "sum(_0)", "sum(_7)", "max(_row_index)")
            .first();

    assertThat(result.getLong(0)).isEqualTo(rows);
    assertThat(result.getDouble(1)).isEqualTo(0.5);
    assertThat(result.getDouble(2)).isEqualTo(7.5);
    assertThat(result.getLong(3)).isEqualTo(rows - 1);
  }
}
