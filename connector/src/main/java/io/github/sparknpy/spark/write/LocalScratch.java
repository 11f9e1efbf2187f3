package io.github.sparknpy.spark.write;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * Where a task writer keeps its local part file: one of the executor's local directories, chosen
 * the way Spark chooses the ones it spills to (YARN's {@code LOCAL_DIRS} inside a YARN container,
 * else {@code SPARK_EXECUTOR_DIRS}, {@code SPARK_LOCAL_DIRS}, then {@code spark.local.dir}), with
 * {@code java.io.tmpdir} last. Read from the public configuration, not Spark's internal {@code
 * Utils}, whose signatures change between Spark releases.
 */
final class LocalScratch {
  private LocalScratch() {}

  /** A writable local directory for partition {@code partitionId}: tasks spread over the disks. */
  static Path root(int partitionId) {
    SparkEnv env = SparkEnv.get();
    List<String> dirs = configured(env != null ? env.conf() : null, System.getenv());
    int n = dirs.size();
    for (int i = 0; i < n; i++) {
      Path dir = Path.of(dirs.get(Math.floorMod(partitionId + i, n)));
      if (Files.isDirectory(dir) && Files.isWritable(dir)) {
        return dir;
      }
    }
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  /** The local directories Spark is configured with, in its order of precedence. */
  static List<String> configured(SparkConf conf, Map<String, String> env) {
    String dirs;
    String separator = ",";
    if (env.containsKey("CONTAINER_ID") && env.get("LOCAL_DIRS") != null) {
      dirs = env.get("LOCAL_DIRS");
    } else if (env.get("SPARK_EXECUTOR_DIRS") != null) {
      dirs = env.get("SPARK_EXECUTOR_DIRS");
      separator = File.pathSeparator;
    } else if (env.get("SPARK_LOCAL_DIRS") != null) {
      dirs = env.get("SPARK_LOCAL_DIRS");
    } else if (conf != null && conf.contains("spark.local.dir")) {
      dirs = conf.get("spark.local.dir");
    } else {
      dirs = System.getProperty("java.io.tmpdir");
    }
    List<String> out = new ArrayList<>();
    for (String d : dirs.split(Pattern.quote(separator))) {
      if (!d.isBlank()) {
        out.add(d.strip());
      }
    }
    return out;
  }
}
