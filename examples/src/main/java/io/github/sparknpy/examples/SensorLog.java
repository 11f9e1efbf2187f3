package io.github.sparknpy.examples;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.NpyAppendArray;
import io.github.sparknpy.npy.RecoveryResult;
import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.header.EncodedHeader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Example 2, a binary log: a sensor loop appends one record per sample to {@code sensors.npy} with
 * {@link NpyAppendArray} and deferred headers ({@code rewriteHeaderOnAppend=false}: the fastest
 * mode, the header is written on {@code close()}). The logger runs in its own JVM and is killed
 * with {@code kill -9} mid-run, so the file is what a real crash leaves: a header that still says 0
 * rows, followed by every row that reached the file. {@link Npy#recover} rewrites the header from
 * the data; the logger then resumes on the same file, and Spark reads the log.
 *
 * <p>Run: {@code bin/demo log [OUT_DIR]}. A record is {@code [('time', '<M8[ms]'), ('sensor',
 * '<i2'), ('temperature', '<f4'), ('humidity', '<f4')]}, 18 bytes; Spark reads it as {@code time
 * timestamp, sensor smallint, temperature float, humidity float}.
 */
public final class SensorLog {
  /** One sample. */
  static final DType SAMPLE =
      DType.parse(
          "[('time', '<M8[ms]'), ('sensor', '<i2'), ('temperature', '<f4'), ('humidity', '<f4')]");

  static final int SENSORS = 4;
  static final long START_MS = Instant.parse("2026-11-25T00:00:00Z").toEpochMilli();

  /** The logger's write buffer: small, so the crash leaves rows on disk to recover. */
  static final int LOGGER_BUFFER_BYTES = 4096;

  /** What {@link #run} saw and did. */
  public record Result(
      Path log,
      long bytesAtCrash,
      long headerRowsAtCrash,
      RecoveryResult recovery,
      long resumedRows,
      long rows,
      List<Row> perSensor) {}

  private SensorLog() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--logger")) {
      logUntilKilled(Path.of(args[1]));
      return;
    }
    Path out = Path.of(args.length > 0 ? args[0] : "log-output").toAbsolutePath();
    Files.createDirectories(out);
    try (SparkSession spark = LocalSpark.start("spark-npy example: binary log", out)) {
      run(spark, out, 200_000, System.out);
    }
  }

  /**
   * Sample {@code i} (deterministic, so the log can be checked): sensor {@code i % 4} every second,
   * temperature and humidity on slow ramps (values exact in float32).
   */
  static void sample(long i, ByteBuffer row) {
    int sensor = (int) (i % SENSORS);
    long tick = i / SENSORS;
    row.clear();
    row.putLong(START_MS + tick * 1000);
    row.putShort((short) sensor);
    row.putFloat(18.0f + 1.5f * sensor + (tick % 240) * 0.0625f);
    row.putFloat(55.0f - (i % 40) * 0.25f);
    row.flip();
  }

  /** The sensor loop, in the logger JVM: appends samples, a little under 4 µs apart, forever. */
  static void logUntilKilled(Path log) throws IOException {
    ByteBuffer row = ByteBuffer.allocate(SAMPLE.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
    try (NpyAppendArray out =
        NpyAppendArray.builder(log)
            .deleteIfExists(true)
            .rewriteHeaderOnAppend(false)
            .bufferBytes(LOGGER_BUFFER_BYTES)
            .open()) {
      for (long i = 0; ; i++) {
        sample(i, row);
        out.append(row, SAMPLE, 1);
        if (i % SENSORS == SENSORS - 1) {
          LockSupport.parkNanos(10_000); // the sensors' pace
        }
      }
    }
  }

  /**
   * Starts the logger JVM, kills it ({@code kill -9}) once the log holds at least {@code
   * crashAfterBytes}, recovers the log, resumes logging in this JVM and reads the log with Spark.
   */
  public static Result run(SparkSession spark, Path out, long crashAfterBytes, PrintStream report)
      throws IOException, InterruptedException {
    Path log = out.resolve("sensors.npy");
    Files.deleteIfExists(log);

    // 1. The logger, in its own JVM (this class, same class path), killed mid-run.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process logger =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                SensorLog.class.getName(),
                "--logger",
                log.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(log) || Files.size(log) < crashAfterBytes) {
      if (!logger.isAlive()) {
        throw new IOException(
            "The logger JVM exited with " + logger.exitValue() + " before the crash");
      }
      if (System.nanoTime() > deadline) {
        logger.destroyForcibly();
        throw new IOException("The logger wrote less than " + crashAfterBytes + " bytes in 60 s");
      }
      Thread.sleep(5);
    }
    logger.destroyForcibly(); // SIGKILL: no close(), no shutdown hook, the buffer is lost
    logger.waitFor();
    long bytesAtCrash = Files.size(log);
    EncodedHeader stale = Npy.readHeader(log);
    long rowsInFile = (bytesAtCrash - stale.dataOffset()) / SAMPLE.itemSize();
    report.printf(
        Locale.ROOT,
        "Logger JVM (pid %d) appended with rewriteHeaderOnAppend=false and was killed (kill -9).%n"
            + "  %s: %,d bytes; the header says %,d rows, the data holds %,d whole rows"
            + " (+%d bytes); needsRecovery=%s%n",
        logger.pid(),
        log,
        bytesAtCrash,
        stale.header().rowCount(),
        rowsInFile,
        (bytesAtCrash - stale.dataOffset()) % SAMPLE.itemSize(),
        Npy.needsRecovery(log));

    // What a reader makes of the crashed file: Spark trusts the header (and refuses files whose
    // data is shorter than it), so the rows after the stale header's count are invisible to it.
    report.printf(
        Locale.ROOT,
        "Before recovery Spark reads %,d rows of it (the header's count)%n",
        spark.read().format("npy").load(log.toString()).count());

    // 2. Recovery: the header is rewritten from the file size (an incomplete last row is cut).
    RecoveryResult recovery = Npy.recover(log, false);
    report.printf(
        Locale.ROOT,
        "Npy.recover: rows %,d -> %,d, %d bytes of an incomplete row cut; needsRecovery=%s%n",
        recovery.rowsBefore(),
        recovery.rowsAfter(),
        recovery.bytesTruncated(),
        Npy.needsRecovery(log));

    // 3. The log is appendable again: the logger resumes where the file ends.
    long resumed = 4_000;
    ByteBuffer row = ByteBuffer.allocate(SAMPLE.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
    try (NpyAppendArray appender =
        NpyAppendArray.builder(log).rewriteHeaderOnAppend(false).open()) {
      long first = appender.header().rowCount();
      for (long i = first; i < first + resumed; i++) {
        sample(i, row);
        appender.append(row, SAMPLE, 1);
      }
    }
    report.printf(Locale.ROOT, "Resumed logging: %,d more rows, closed cleanly%n%n", resumed);

    // 4. Spark reads the log: one record field per column.
    Dataset<Row> samples = spark.read().format("npy").load(log.toString());
    long rows = samples.count();
    report.println("Spark schema: " + samples.schema().simpleString());
    Dataset<Row> perSensor =
        samples
            .groupBy("sensor")
            .agg(
                count("*").as("samples"),
                min("time").as("first"),
                max("time").as("last"),
                avg("temperature").as("avg_temperature"),
                max(col("humidity")).as("max_humidity"))
            .orderBy("sensor");
    report.printf(Locale.ROOT, "%,d rows; per sensor:%n", rows);
    List<Row> table = perSensor.collectAsList();
    report.print(LocalSpark.table(perSensor.columns(), table));
    report.println("In numpy: np.load(\"" + log + "\", mmap_mode=\"r\")[\"temperature\"]");
    return new Result(log, bytesAtCrash, stale.header().rowCount(), recovery, resumed, rows, table);
  }
}
