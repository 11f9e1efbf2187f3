package io.github.sparknpy.examples;

import io.github.sparknpy.npy.NpyFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Example 4, a stream into one growing {@code .npy}: Spark's {@code rate} source stands in for a
 * sensor feed (no socket, no Kafka); each row becomes a reading of one of four sensors, and the
 * streaming sink appends every micro-batch to {@code readings.npy} exactly once. While the query
 * runs, the file is opened as it grows (here by the core's reader; {@code bin/demo stream} also has
 * numpy open it), and at the end the query is stopped and restarted from its checkpoint: it goes on
 * after the last committed row.
 *
 * <p>Run: {@code bin/demo stream [OUT_DIR] [SECONDS]}.
 */
public final class SensorStream {
  static final int SENSORS = 4;

  /** Rows the rate source makes per second. */
  static final int ROWS_PER_SECOND = 500;

  public record Result(Path readings, long rows, long batches) {}

  private SensorStream() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "stream-output").toAbsolutePath();
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    SparkSession spark = LocalSpark.start("npy-sensor-stream", out);
    try {
      run(spark, out, seconds, System.out);
    } finally {
      spark.stop();
    }
  }

  /** The sensor feed: {@code seq} counts from 0 with no gap, one reading per row. */
  static Dataset<Row> readings(SparkSession spark) {
    return spark
        .readStream()
        .format("rate")
        .option("rowsPerSecond", ROWS_PER_SECOND)
        // one partition: the rate source deals values out to its partitions in turn, and the sink
        // appends a micro-batch's partitions one after the other, so seq stays in order
        .option("numPartitions", 1)
        .load()
        .selectExpr(
            "value AS seq",
            "timestamp AS time",
            "CAST(value % " + SENSORS + " AS SMALLINT) AS sensor",
            "CAST(20 + 5 * sin(value / 400.0) + (value % "
                + SENSORS
                + ") AS FLOAT) AS temperature");
  }

  public static Result run(SparkSession spark, Path out, int seconds, PrintStream report)
      throws IOException, TimeoutException, InterruptedException {
    Files.createDirectories(out);
    Path readings = out.resolve("readings.npy");
    Path checkpoint = out.resolve("checkpoint");
    // each run starts afresh
    deleteTree(readings);
    deleteTree(out.resolve("_npy_streaming"));
    deleteTree(checkpoint);

    long batches = 0;
    for (int run = 1; run <= 2; run++) {
      StreamingQuery q =
          readings(spark)
              .writeStream()
              .format("npy")
              .option("checkpointLocation", checkpoint.toString())
              .trigger(Trigger.ProcessingTime("1 second"))
              .queryName("sensor-stream")
              .start(readings.toString());
      report.printf(
          Locale.ROOT,
          "%s query %s (run %d): rate source -> %s%n",
          run == 1 ? "Started" : "Restarted from the checkpoint,",
          q.id(),
          run,
          readings);
      long until =
          System.nanoTime() + (run == 1 ? seconds : Math.max(2, seconds / 3)) * 1_000_000_000L;
      while (System.nanoTime() < until) {
        Thread.sleep(1000);
        report.printf(Locale.ROOT, "  %s%n", describe(readings));
      }
      q.stop();
      batches += q.recentProgress().length;
    }
    long rows;
    try (NpyFile f = NpyFile.open(readings)) {
      rows = f.rowCount();
    }
    report.printf(
        Locale.ROOT,
        "Stopped: %s holds %d readings; its log of committed micro-batches is in %s%n",
        readings.getFileName(),
        rows,
        out.resolve("_npy_streaming"));
    long perSensor =
        spark.read().format("npy").load(readings.toString()).where("sensor = 0").count();
    report.printf(Locale.ROOT, "Spark reads it back: %d readings of sensor 0%n", perSensor);
    return new Result(readings, rows, batches);
  }

  /** What a reader opening the file right now finds. */
  static String describe(Path file) throws IOException {
    try (NpyFile f = NpyFile.open(file)) {
      return String.format(
          Locale.ROOT,
          "readings.npy now: %s %s",
          f.dtype().descr(),
          java.util.Arrays.toString(f.shape()));
    } catch (NoSuchFileException e) {
      return "readings.npy: not there yet (the first micro-batch creates it)";
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
