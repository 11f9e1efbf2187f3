package io.github.sparknpy.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Opt-in measurement ({@code -Dnpy.it.commitScalingMiB=256,1024,4096}): the job commit's wall time
 * of merged writes by output size, the file system's own assembly ({@code commitCopy=auto}) beside
 * the copy through the driver ({@code commitCopy=driver}) in the same run, printed as a markdown
 * table. The commit is timed from the write job's end (Spark's listener time) to {@code save()}
 * returning. A second table appends {@code -Dnpy.it.commitScalingAppendMiB} (default 64; 0 skips
 * it) to each output, again both ways, and checks the row count after each Append.
 */
final class CommitScaling {
  private CommitScaling() {}

  /** The sizes asked for, in MiB; empty when the measurement is not asked for. */
  static List<Long> sizesMiB() {
    List<Long> sizes = new ArrayList<>();
    String s = System.getProperty("npy.it.commitScalingMiB", "");
    for (String part : s.split(",")) {
      if (!part.isBlank()) {
        sizes.add(Long.parseLong(part.trim()));
      }
    }
    return sizes;
  }

  interface Delete {
    void delete(String path) throws Exception;
  }

  /**
   * A running count of the bytes the job commit may move through the driver: what the test can
   * observe (the driver thread's file system statistics, or the traffic to the S3 server) less
   * {@code staged}, the bytes the tasks' staging itself accounts for.
   */
  interface Moved {
    long bytes(long staged);
  }

  /** What the issue allows through the driver when the file system assembles the file. */
  static final long ASSEMBLED_LIMIT = 16L << 20;

  /**
   * Measures and prints both tables. A merged write with {@code commitCopy=auto} must move at most
   * {@link #ASSEMBLED_LIMIT} through the driver, and so must an Append where {@code
   * appendAssembled} (S3; an HDFS Append copies the old file).
   */
  static void run(
      SparkSession spark,
      String dir,
      String fileSystem,
      boolean appendAssembled,
      Delete delete,
      Moved moved)
      throws Exception {
    StringBuilder table =
        new StringBuilder(
            "| file system | output | commit (auto) | commit (commitCopy=driver) | ratio |"
                + " through the driver (auto) | through the driver (driver) |\n"
                + "|---|---|---|---|---|---|---|\n");
    long appendMiB = Long.getLong("npy.it.commitScalingAppendMiB", 64);
    StringBuilder appends = new StringBuilder(table.toString().replace("| output |", "| Append |"));
    for (long mib : sizesMiB()) {
      long rows = (mib << 20) / 16;
      long appendRows = (appendMiB << 20) / 16;
      long[] ms = new long[2];
      long[] bytes = new long[2];
      long[] appendMs = new long[2];
      long[] appendBytes = new long[2];
      String[] modes = {"auto", "driver"};
      for (int m = 0; m < 2; m++) {
        String path = dir + "/scaling-" + mib + "-" + modes[m] + ".npy";
        long[] written = write(spark, path, 0, rows, modes[m], SaveMode.Overwrite, moved);
        ms[m] = written[0];
        bytes[m] = written[1];
        if (appendRows > 0) {
          written = write(spark, path, rows, appendRows, modes[m], SaveMode.Append, moved);
          appendMs[m] = written[0];
          appendBytes[m] = written[1];
          long count = spark.read().format("npy").load(path).count();
          if (count != rows + appendRows) {
            throw new AssertionError(path + " has " + count + " rows after the Append");
          }
        }
        delete.delete(path);
      }
      if (bytes[0] > ASSEMBLED_LIMIT || (appendAssembled && appendBytes[0] > ASSEMBLED_LIMIT)) {
        throw new AssertionError(
            fileSystem
                + ": the commit moved "
                + bytes[0]
                + " bytes through the driver for "
                + mib
                + " MiB, "
                + appendBytes[0]
                + " for the Append");
      }
      table.append(line(fileSystem, mib + " MiB", ms, bytes));
      appends.append(
          line(fileSystem, appendMiB + " MiB onto " + mib + " MiB", appendMs, appendBytes));
    }
    System.out.println("Job commit time by output size (8 parts):\n" + table);
    if (appendMiB > 0) {
      System.out.println("Job commit time of an Append (8 parts):\n" + appends);
    }
  }

  /**
   * Writes rows {@code [first, first + count)} to {@code path} in 8 parts; returns the job commit's
   * wall time (ms) and the bytes it moved through the driver.
   */
  private static long[] write(
      SparkSession spark,
      String path,
      long first,
      long count,
      String commitCopy,
      SaveMode mode,
      Moved moved)
      throws Exception {
    long staged = count * 16 + 8 * 128;
    JobTimes jobs = JobTimes.start(spark);
    long before = moved.bytes(0);
    spark
        .range(first, first + count, 1, 8)
        .selectExpr("id", "id / 8.0D AS x")
        .write()
        .format("npy")
        .option("commitCopy", commitCopy)
        .mode(mode)
        .save(path);
    long ms = System.currentTimeMillis() - jobs.firstJobEnd();
    long bytes = moved.bytes(staged) - before;
    jobs.stop();
    return new long[] {ms, bytes};
  }

  private static String line(String fileSystem, String output, long[] ms, long[] bytes) {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %d ms | %d ms | %.1fx | %.1f MiB | %.1f MiB |%n",
        fileSystem,
        output,
        ms[0],
        ms[1],
        ms[1] / (double) Math.max(1, ms[0]),
        bytes[0] / 1048576.0,
        bytes[1] / 1048576.0);
  }
}
