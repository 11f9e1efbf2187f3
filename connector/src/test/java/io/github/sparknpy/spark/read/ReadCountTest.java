package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code count()} answers from the headers, and rows of zero bytes do not drive the split planner:
 * a 128-byte file of shape {@code (10**15, 0)} plans one partition and counts at once.
 */
class ReadCountTest extends NpyReadTestBase {

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aQuadrillionRowsOfNoBytesCountAtOnceAndPlanOnePartition() {
    Path file = tmp.resolve("empty-rows.npy");
    assertThat(
            numpy(
                    "np.save(sys.argv[1], np.empty((10**15, 0)))\n"
                        + "import os; a = np.load(sys.argv[1]); print(a.shape[0], os.path.getsize(sys.argv[1]))",
                    file)
                .trim())
        .isEqualTo("1000000000000000 128");
    var df = spark().read().format("npy").load(file.toString());

    long started = System.nanoTime();
    assertThat(df.count()).isEqualTo(1_000_000_000_000_000L);
    assertThat(df.where("_row_index >= 10").count()).isEqualTo(1_000_000_000_000_000L - 10);
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(30));
    assertThat(df.rdd().getNumPartitions()).isEqualTo(1);
    assertThat(df.limit(3).collectAsList()).hasSize(3);
  }

  @Test
  void countMatchesNumpyAndIsAnsweredFromTheHeaders() {
    Path dir = tmp.resolve("counted");
    String rows =
        numpy(
            "import os\n"
                + "os.makedirs(sys.argv[1])\n"
                + "np.save(sys.argv[1] + '/a.npy', np.arange(70000.0).reshape(7000, 10))\n"
                + "np.save(sys.argv[1] + '/b.npy', np.arange(50.0).reshape(5, 10))\n"
                + "n = [np.load(sys.argv[1] + f).shape[0] for f in ('/a.npy', '/b.npy')]\n"
                + "print(sum(n), sum(max(0, k - 3) for k in n), sum(min(k, 4) for k in n))",
            dir);
    String[] expected = rows.trim().split(" ");
    var df = spark().read().format("npy").option("maxPartitionBytes", "65536").load(dir.toString());

    assertThat(df.count()).isEqualTo(Long.parseLong(expected[0]));
    assertThat(df.where("_row_index >= 3").count()).isEqualTo(Long.parseLong(expected[1]));
    assertThat(df.where("_row_index < 4").count()).isEqualTo(Long.parseLong(expected[2]));
    assertThat(
            sql("SELECT count(*), count(1) FROM npy.`%s`", dir).collectAsList().get(0).toString())
        .isEqualTo("[" + expected[0] + "," + expected[0] + "]");
    // The count scan opens no file: its plan says so, and the rows' own filter still works.
    assertThat(df.groupBy().count().queryExecution().executedPlan().toString())
        .contains("NpyCountScan[2 files, " + expected[0] + " rows counted from the headers]");
    assertThat(df.where("value[0] >= 100").count()).isEqualTo(7000 - 10);
  }
}
