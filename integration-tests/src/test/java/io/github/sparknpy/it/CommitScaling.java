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
 * returning.
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

  static void run(SparkSession spark, String dir, String fileSystem, Delete delete, Moved moved)
      throws Exception {
    StringBuilder table =
        new StringBuilder(
            "| file system | output | commit (auto) | commit (commitCopy=driver) | ratio |"
                + " through the driver (auto) | through the driver (driver) |\n"
                + "|---|---|---|---|---|---|---|\n");
    for (long mib : sizesMiB()) {
      long rows = (mib << 20) / 16;
      long[] ms = new long[2];
      long[] bytes = new long[2];
      long staged = rows * 16 + 8 * 128;
      String[] modes = {"auto", "driver"};
      for (int m = 0; m < 2; m++) {
        String path = dir + "/scaling-" + mib + "-" + modes[m] + ".npy";
        JobTimes jobs = JobTimes.start(spark);
        long before = moved.bytes(0);
        spark
            .range(0, rows, 1, 8)
            .selectExpr("id", "id / 8.0D AS x")
            .write()
            .format("npy")
            .option("commitCopy", modes[m])
            .mode(SaveMode.Overwrite)
            .save(path);
        ms[m] = System.currentTimeMillis() - jobs.firstJobEnd();
        bytes[m] = moved.bytes(staged) - before;
        jobs.stop();
        delete.delete(path);
      }
      table.append(
          String.format(
              Locale.ROOT,
              "| %s | %d MiB | %d ms | %d ms | %.1fx | %.1f MiB | %.1f MiB |%n",
              fileSystem,
              mib,
              ms[0],
              ms[1],
              ms[1] / (double) Math.max(1, ms[0]),
              bytes[0] / 1048576.0,
              bytes[1] / 1048576.0));
    }
    System.out.println("Job commit time by output size (8 parts):\n" + table);
  }
}
