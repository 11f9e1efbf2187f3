package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.spark.metrics.NpyBytesReadMetric;
import io.github.sparknpy.spark.metrics.NpyFilesOpenedMetric;
import io.github.sparknpy.spark.metrics.NpyRowsProducedMetric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Row-range splitting within files, and what pruning, count, {@code _row_index} ranges and LIMIT
 * save, proven with the scan's custom metrics (bytes read, files opened, rows produced).
 */
class ReadSplitAndPushdownTest extends NpyReadTestBase {
  private static final int N = 20_000;
  @TempDir static Path dir;

  @BeforeAll
  static void files() {
    numpy(
        "d, n = sys.argv[1], int(sys.argv[2])\n"
            + "rng = np.random.default_rng(7)\n"
            + "np.save(d + '/c.npy', rng.standard_normal((n, 8)))\n"
            + "np.save(d + '/f.npy', np.asfortranarray(rng.integers(-9, 9, (n, 8), 'i4')))\n"
            + "np.save(d + '/rec.npy', np.array([(i, -i, str(i)) for i in range(n)],"
            + " [('a', '>i8'), ('b', 'i2'), ('s', 'U6')]))\n"
            + "np.savez_compressed(d + '/z.npz', a=np.arange(n, dtype='f8'),"
            + " b=np.arange(n * 3, dtype='i4').reshape(n, 3))\n"
            + "np.savez(d + '/s.npz', a=np.arange(n, dtype='f8'), b=np.zeros((n, 3), 'i4'))\n",
        dir,
        N);
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }

  private static Dataset<Row> read(String name, Map<String, String> options) {
    return spark().read().format("npy").options(options).load(path(name));
  }

  /** Split reads use positioned reads (memoryMap=false, as on HDFS or S3); whole ones mmap. */
  @Test
  void tinyPartitionsGiveTheSameRowsInTheSameOrder() {
    for (String name : new String[] {"c.npy", "f.npy", "rec.npy", "s.npz", "z.npz"}) {
      for (String layout :
          name.endsWith(".npy") && !name.equals("rec.npy")
              ? new String[] {"auto", "matrix"}
              : new String[] {"auto"}) {
        Dataset<Row> whole = read(name, Map.of("layout", layout));
        Dataset<Row> split =
            read(
                name,
                Map.of(
                    "layout", layout,
                    "maxPartitionBytes", "16000",
                    "batchSize", "100",
                    "memoryMap", "false"));
        assertThat(whole.rdd().getNumPartitions()).as(name).isEqualTo(1);
        int parts = split.rdd().getNumPartitions();
        if (name.equals("z.npz")) {
          assertThat(parts).as("deflated members are not split").isEqualTo(1);
        } else {
          assertThat(parts).as(name).isGreaterThan(15);
        }
        assertThat(canonRows(split, false)).containsExactlyElementsOf(canonRows(whole, false));
        // Each partition holds whole, consecutive rows: its _row_index values are a range.
        List<List<Row>> byPartition = split.select("_row_index").javaRDD().glom().collect();
        long next = 0;
        for (List<Row> p : byPartition) {
          for (Row r : p) {
            assertThat(r.getLong(0)).isEqualTo(next++);
          }
        }
        assertThat(next).isEqualTo(N);
      }
    }
  }

  @Test
  void valuesMatchNumpyAfterSplitting() {
    List<String> want =
        jsonStrings(
            numpy(
                "x = np.load(sys.argv[1])\nprint(json.dumps(rows(x[::997], matrix=True)))",
                path("f.npy")));
    List<String> got = new ArrayList<>();
    List<Row> rows =
        read("f.npy", Map.of("layout", "matrix", "maxPartitionBytes", "5000"))
            .where("_row_index % 997 = 0")
            .collectAsList();
    for (Row r : rows) {
      got.add(canon(r));
    }
    assertThat(got).containsExactlyElementsOf(want);
  }

  @Test
  void countReadsNoDataAndOpensNoFile() {
    // COUNT(*) is answered from the headers: the scan produces the one row holding the count
    Map<String, Long> m = scanMetrics(read("c.npy", Map.of()).groupBy().count());
    assertThat(m.get(NpyBytesReadMetric.NAME)).isZero();
    assertThat(m.get(NpyFilesOpenedMetric.NAME)).isZero();
    assertThat(m.get(NpyRowsProducedMetric.NAME)).isEqualTo(1);
    // a count that cannot be pushed (a filter on data) still opens no file for _row_index only
    Map<String, Long> rows =
        scanMetrics(read("c.npy", Map.of()).where("_row_index % 2 = 0").groupBy().count());
    assertThat(rows.get(NpyBytesReadMetric.NAME)).isZero();
    assertThat(rows.get(NpyFilesOpenedMetric.NAME)).isZero();
    assertThat(rows.get(NpyRowsProducedMetric.NAME)).isEqualTo(N);
    assertThat(read("c.npy", Map.of()).count()).isEqualTo(N);
    assertThat(read("z.npz", Map.of()).count()).isEqualTo(N);
  }

  @Test
  void prunedColumnsOfFortranMatrixAndNpzMembersReadFewerBytes() {
    Map<String, Long> full = scanMetrics(read("f.npy", Map.of("layout", "matrix")));
    Map<String, Long> one = scanMetrics(read("f.npy", Map.of("layout", "matrix")).select("_3"));
    assertThat(full.get(NpyBytesReadMetric.NAME)).isEqualTo(N * 8L * 4);
    assertThat(one.get(NpyBytesReadMetric.NAME)).isEqualTo(N * 4L);
    assertThat(one.get(NpyFilesOpenedMetric.NAME)).isEqualTo(1);
    Map<String, Long> positioned =
        scanMetrics(read("f.npy", Map.of("layout", "matrix", "memoryMap", "false")).select("_3"));
    assertThat(positioned.get(NpyBytesReadMetric.NAME)).isEqualTo(N * 4L);

    Map<String, Long> both = scanMetrics(read("s.npz", Map.of()));
    Map<String, Long> a = scanMetrics(read("s.npz", Map.of()).select("a"));
    assertThat(both.get(NpyBytesReadMetric.NAME)).isEqualTo(N * 8L + N * 12L);
    assertThat(a.get(NpyBytesReadMetric.NAME)).isEqualTo(N * 8L);
    Map<String, Long> onlyMeta = scanMetrics(read("s.npz", Map.of()).select("_row_index"));
    assertThat(onlyMeta.get(NpyBytesReadMetric.NAME)).isZero();
  }

  @Test
  void rowIndexRangesAndLimitReadOnlyThoseRows() {
    Dataset<Row> range =
        read("c.npy", Map.of("maxPartitionBytes", "64000"))
            .where("_row_index >= 1000 AND _row_index < 1100");
    assertThat(range.select("_row_index").as(org.apache.spark.sql.Encoders.LONG()).collectAsList())
        .containsExactlyElementsOf(java.util.stream.LongStream.range(1000, 1100).boxed().toList());
    Map<String, Long> m = scanMetrics(range);
    assertThat(m.get(NpyRowsProducedMetric.NAME)).isEqualTo(100);
    assertThat(m.get(NpyBytesReadMetric.NAME)).isEqualTo(100 * 64L);

    Map<String, Long> eq = scanMetrics(read("c.npy", Map.of()).where("_row_index = 5"));
    assertThat(eq.get(NpyRowsProducedMetric.NAME)).isEqualTo(1);
    Dataset<Row> mixed = read("c.npy", Map.of()).where("_row_index < 10 OR _row_index > 19995");
    assertThat(mixed.count()).isEqualTo(14);

    Dataset<Row> limited = read("c.npy", Map.of("maxPartitionBytes", "64000")).limit(5);
    Map<String, Long> lm = scanMetrics(limited);
    assertThat(lm.get(NpyRowsProducedMetric.NAME)).isEqualTo(5);
    assertThat(limited.collectAsList()).hasSize(5);
  }
}
