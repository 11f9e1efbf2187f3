package io.github.sparknpy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Reads and writes on a standalone cluster of separate JVMs, with the connector from its jar. */
@ExtendWith(SparkCluster.class)
class ClusterIT {
  private final SparkSession spark = SparkCluster.spark();

  @Test
  void writesMergedAndReadsBackInSplitsOnSeveralExecutors() throws Exception {
    Path out = ItConfig.workDir("cluster-rw").resolve("points.npy");
    Dataset<Row> df =
        spark
            .range(0, 200_000, 1, 6)
            .selectExpr("id", "cast(id as double) * 0.5 as x", "cast(id % 7 as int) as k");

    try (TaskLog tasks = TaskLog.start(spark)) {
      df.write().format("npy").save(out.toString());
      assertThat(tasks.executors()).hasSize(SparkCluster.EXECUTORS);
    }

    // One merged file, rows in partition order: numpy sees exactly the frame.
    assertThat(
            Numpy.run(
                "a = np.load(sys.argv[1], mmap_mode='r')\n"
                    + "ids = np.arange(200000)\n"
                    + "assert a.dtype == np.dtype([('id', '<i8'), ('x', '<f8'), ('k', '<i4')]),"
                    + " a.dtype\n"
                    + "assert (a['id'] == ids).all() and (a['x'] == ids * 0.5).all()\n"
                    + "assert (a['k'] == ids % 7).all()\n"
                    + "print(a.shape[0])",
                out))
        .isEqualToIgnoringWhitespace("200000");

    try (TaskLog tasks = TaskLog.start(spark)) {
      Dataset<Row> back =
          spark.read().format("npy").option("maxPartitionBytes", "400000").load(out.toString());
      assertThat(back.rdd().getNumPartitions()).isGreaterThanOrEqualTo(8);
      Row agg =
          back.selectExpr("count(*)", "sum(id)", "sum(x)", "sum(k)", "count(distinct _file)")
              .first();
      assertThat(agg.getLong(0)).isEqualTo(200_000L);
      assertThat(agg.getLong(1)).isEqualTo(199_999L * 200_000 / 2);
      assertThat(agg.getDouble(2)).isEqualTo(199_999.0 * 200_000 / 4);
      assertThat(agg.getLong(3)).isEqualTo(df.selectExpr("sum(k)").first().getLong(0));
      assertThat(agg.getLong(4)).isEqualTo(1L);
      assertThat(tasks.executors()).hasSize(SparkCluster.EXECUTORS);
    }
  }

  @Test
  void writesUnmergedPartsFromSeveralExecutors() throws Exception {
    Path dir = ItConfig.workDir("cluster-parts").resolve("parts");
    spark
        .range(0, 50_000, 1, 5)
        .selectExpr("cast(id as float) as v")
        .write()
        .format("npy")
        .option("merge", "false")
        .save(dir.toString());

    List<Path> parts;
    try (var s = Files.list(dir)) {
      parts = s.filter(p -> p.getFileName().toString().endsWith(".npy")).sorted().toList();
    }
    assertThat(parts).hasSize(5);
    assertThat(dir.resolve("_SUCCESS")).exists();
    long rows = 0;
    for (Path p : parts) {
      try (NpyFile f = NpyFile.open(p)) {
        assertThat(f.dtype().descr()).isEqualTo("'<f4'");
        ByteBuffer b = f.rows(0, f.rowCount());
        for (int i = 0; i < f.rowCount(); i++) {
          assertThat(b.getFloat(i * 4)).isEqualTo((float) (rows + i));
        }
        rows += f.rowCount();
      }
    }
    assertThat(rows).isEqualTo(50_000L);
    assertThat(spark.read().format("npy").load(dir.toString()).count()).isEqualTo(50_000L);
  }

  /**
   * Kills (SIGKILL) an executor JVM while it runs write tasks; Spark reruns the lost tasks on the
   * other executor and on the replacement the master launches, and the commit protocol keeps
   * exactly one attempt per partition: the file holds every input row once, in order.
   */
  @Test
  void executorKilledMidWriteStillWritesEveryRowExactlyOnce() throws Exception {
    Path out = ItConfig.workDir("cluster-kill").resolve("ids.npy");
    int rows = 6_000;
    // 6 partitions of 1,000 rows that sleep 3 ms per row: each task runs about 3 s.
    Dataset<Row> slow =
        spark
            .range(0, rows, 1, 6)
            .where("reflect('java.lang.Thread', 'sleep', cast(3 as bigint)) IS NOT NULL")
            .selectExpr("id");

    String appId = spark.sparkContext().applicationId();
    try (TaskLog tasks = TaskLog.start(spark)) {
      FutureTask<Void> write =
          new FutureTask<>(() -> slow.write().format("npy").save(out.toString()), null);
      Thread writer = new Thread(write, "npy-it-writer");
      writer.start();

      awaitRunningTaskOnAnExecutor(tasks, write);
      Thread.sleep(800); // tasks are now in the middle of their rows
      // the victim: an executor with a task running right now
      String victim =
          tasks.running().values().stream()
              .findFirst()
              .orElseThrow(() -> new AssertionError("No write task running to interrupt"));
      ProcessHandle executor =
          StandaloneCluster.executorProcesses(appId).stream()
              .filter(p -> StandaloneCluster.executorId(p).equals(victim))
              .findFirst()
              .orElseThrow(() -> new AssertionError("No JVM found for executor " + victim));
      assertThat(executor.destroyForcibly()).isTrue();
      executor.onExit().get(30, TimeUnit.SECONDS);

      write.get(180, TimeUnit.SECONDS);
      assertThat(tasks.failures())
          .as("the kill must have failed a running task")
          .anyMatch(f -> f.startsWith("ExecutorLostFailure"));
    }

    try (NpyFile f = NpyFile.open(out)) {
      assertThat(f.dtype().descr()).isEqualTo("'<i8'");
      assertThat(f.rowCount()).isEqualTo(rows);
      ByteBuffer b = f.rows(0, rows);
      for (int i = 0; i < rows; i++) {
        assertThat(b.getLong(i * 8)).isEqualTo(i);
      }
    }
    try (var s = Files.list(out.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("ids.npy");
    }
    // The master replaces the lost executor; later tests get two again.
    SparkCluster.awaitExecutors(SparkCluster.EXECUTORS);
  }

  private static String awaitRunningTaskOnAnExecutor(TaskLog tasks, FutureTask<Void> write)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (write.isDone()) {
        write.get();
        throw new AssertionError("The write finished before any executor could be killed");
      }
      Map<Long, String> running = tasks.running();
      if (running.size() >= SparkCluster.EXECUTORS) {
        return running.values().iterator().next();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("No write task started within 60 s");
  }
}
