package io.github.sparknpy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
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
   * exactly one attempt per partition: the file holds every input row once, in order, and nothing
   * else is left beside it (no staging directory, no temporary file).
   */
  @Test
  void executorKilledMidWriteStillWritesEveryRowExactlyOnce() throws Exception {
    Path out = ItConfig.workDir("cluster-kill").resolve("ids.npy");
    writeWhileKillingAnExecutor(out, SaveMode.ErrorIfExists, 0, 6_000);
    assertIds(out, 6_000);
    assertAloneInItsDirectory(out);
  }

  /** The same kill during an Append (in place, local file system) to a file that has rows. */
  @Test
  void executorKilledMidAppendKeepsThePreviousRowsAndAddsEveryRowOnce() throws Exception {
    Path out = ItConfig.workDir("cluster-kill-append").resolve("ids.npy");
    spark.range(0, 1_000, 1, 2).write().format("npy").save(out.toString());
    writeWhileKillingAnExecutor(out, SaveMode.Append, 1_000, 7_000);
    assertIds(out, 7_000);
    assertAloneInItsDirectory(out);
  }

  private void writeWhileKillingAnExecutor(Path out, SaveMode mode, long from, long to)
      throws Exception {
    // 6 partitions of 1,000 rows that sleep 3 ms per row: each task runs about 3 s.
    Dataset<Row> slow =
        spark
            .range(from, to, 1, 6)
            .where("reflect('java.lang.Thread', 'sleep', cast(3 as bigint)) IS NOT NULL")
            .selectExpr("id");

    String appId = spark.sparkContext().applicationId();
    try (TaskLog tasks = TaskLog.start(spark)) {
      FutureTask<Void> write =
          new FutureTask<>(() -> slow.write().format("npy").mode(mode).save(out.toString()), null);
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
    // The master replaces the lost executor; later tests get two again.
    SparkCluster.awaitExecutors(SparkCluster.EXECUTORS);
  }

  /**
   * Speculation forced: partition 2's first attempt claims a marker file (a symlink: created once
   * across JVMs) and then sleeps 30 s; Spark (speculation on, see {@link SparkCluster}) launches a
   * copy on the other worker's host, which finds the marker taken, writes its rows and commits; the
   * sleeping original is killed. The listener must have seen the speculative attempt succeed, and
   * the file holds every row once, in order, with nothing left beside it or in the executors' local
   * directories.
   */
  @Test
  void aSpeculativeCopyOfASlowWriteTaskCommitsAndEveryRowIsWrittenOnce() throws Exception {
    assumeTrue(
        StandaloneCluster.distinctWorkerHosts(),
        "127.0.0.2 cannot be bound: Spark never runs a copy on the host of the original");
    Path dir = ItConfig.workDir("cluster-speculation");
    Path out = dir.resolve("ids.npy");
    Path claim = dir.getParent().resolve(dir.getFileName() + ".slow-claim");
    Dataset<Row> df =
        spark
            .range(0, 4_000, 1, 4)
            .where(
                "CASE WHEN spark_partition_id() = 2 AND id % 1000 = 300 THEN"
                    + " (CASE WHEN reflect('org.apache.hadoop.fs.FileUtil', 'symLink', '/', '"
                    + claim
                    + "') = '0' THEN reflect('java.lang.Thread', 'sleep', cast(30000 as bigint))"
                    + " IS NOT NULL ELSE true END) ELSE true END")
            .selectExpr("id");
    List<Path> leftoversBefore = taskLocalDirs();

    long t0 = System.nanoTime();
    List<String> speculative;
    try (TaskLog tasks = TaskLog.start(spark)) {
      df.write().format("npy").save(out.toString());
      speculative = tasks.speculative();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;

    assertThat(Files.isSymbolicLink(claim)).as("the slow first attempt ran").isTrue();
    assertThat(speculative)
        .as("speculative attempts")
        .anyMatch(s -> s.contains(" partition 2 attempt 1 ") && s.endsWith(" succeeded"));
    assertThat(seconds)
        .as("the copy, not the sleeping original, finished the write")
        .isLessThan(30);
    assertIds(out, 4_000);
    assertAloneInItsDirectory(out);
    // the killed original aborts asynchronously: its local part file goes with its directory
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!taskLocalDirs().equals(leftoversBefore) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(taskLocalDirs()).isEqualTo(leftoversBefore);
  }

  /** Task writers' local directories ({@code npy-write-*}) under the workers' local dirs. */
  private static List<Path> taskLocalDirs() throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path local : SparkCluster.cluster().localDirs()) {
      Files.walkFileTree(
          local,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
              if (d.getFileName().toString().startsWith("npy-write-")) {
                found.add(d);
                return FileVisitResult.SKIP_SUBTREE;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
              return FileVisitResult.CONTINUE; // deleted while walking
            }
          });
    }
    found.sort(null);
    return found;
  }

  /** The .npy holds the longs 0 … rows-1, in order. */
  /**
   * A merged write to a {@code file:} path from executors in other JVMs (a shared POSIX file
   * system; here they share the disk): by default the executors copy the parts into the merged file
   * at their offsets, in a second short job; with commitCopy=driver the driver copies them. Both
   * give numpy the same file; the job commits are timed side by side (printed, medians of 3).
   */
  @Test
  void theExecutorsCopyAMergedFilesPartsOnASharedFileSystem() throws Exception {
    Path dir = ItConfig.workDir("cluster-copy");
    Dataset<Row> df = spark.range(0, 2L << 20, 1, 4).selectExpr("id", "id * 0.5D AS x");
    List<Long> executors = new ArrayList<>();
    List<Long> driver = new ArrayList<>();
    for (int rep = 0; rep < 3; rep++) {
      for (String mode : new String[] {"executors", "auto"}) {
        Path out = dir.resolve(mode + ".npy");
        JobTimes jobs = JobTimes.start(spark);
        df.write()
            .format("npy")
            .option("commitCopy", mode)
            .mode(SaveMode.Overwrite)
            .save(out.toString());
        long commitMs = System.currentTimeMillis() - jobs.firstJobEnd();
        List<String> descriptions = jobs.stop();
        boolean copyJob =
            descriptions.stream().anyMatch(d -> d.startsWith("npy commit: copy 3 parts"));
        // auto: a local disk, so the driver copies
        assertThat(copyJob).as(mode + ": " + descriptions).isEqualTo(mode.equals("executors"));
        (mode.equals("executors") ? executors : driver).add(commitMs);
      }
    }
    for (String mode : new String[] {"executors", "auto"}) {
      assertThat(
              Numpy.run(
                  "a = np.load(sys.argv[1], mmap_mode='r')\n"
                      + "ids = np.arange(2 << 20)\n"
                      + "assert (a['id'] == ids).all() and (a['x'] == ids * 0.5).all()\n"
                      + "print(a.shape[0])",
                  dir.resolve(mode + ".npy")))
          .isEqualToIgnoringWhitespace(String.valueOf(2L << 20));
    }
    executors.sort(null);
    driver.sort(null);
    System.out.printf(
        "Merged write of 32 MiB in 4 parts on a standalone cluster (2 executors): job commit"
            + " %d ms with the executors copying, %d ms with the driver copying (medians of 3;"
            + " all: %s, %s)%n",
        executors.get(1), driver.get(1), executors, driver);
  }

  private static void assertIds(Path out, long rows) throws IOException {
    try (NpyFile f = NpyFile.open(out)) {
      assertThat(f.dtype().descr()).isEqualTo("'<i8'");
      assertThat(f.rowCount()).isEqualTo(rows);
      ByteBuffer b = f.rows(0, rows);
      for (int i = 0; i < rows; i++) {
        assertThat(b.getLong(i * 8)).isEqualTo(i);
      }
    }
  }

  /** Nothing beside the output: no staging directory, temporary or moved-aside file. */
  private static void assertAloneInItsDirectory(Path out) throws IOException {
    try (var s = Files.list(out.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString()).toList())
          .containsExactly(out.getFileName().toString());
    }
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
