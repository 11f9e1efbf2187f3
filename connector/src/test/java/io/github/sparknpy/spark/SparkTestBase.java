package io.github.sparknpy.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the connector's Spark tests: one {@code local[2,2]} session (two threads; a failed task
 * gets a second attempt, as on a cluster) shared by every test class in the JVM (Iceberg's {@code
 * TestBase} pattern), with {@link #sql} and {@link #withSQLConf}.
 */
public abstract class SparkTestBase {
  private static SparkSession shared;

  /** The Spark release the tests run on (not the one they were compiled against). */
  protected static final String SPARK_VERSION = org.apache.spark.package$.MODULE$.SPARK_VERSION();

  private static Path localDir() {
    try {
      return Files.createTempDirectory("spark-npy-tests-local-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @TempDir protected Path tmp;

  protected static synchronized SparkSession spark() {
    if (shared == null) {
      SparkSession.Builder builder =
          SparkSession.builder()
              .master("local[2,2]")
              .appName("spark-npy-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "4")
              .config("spark.sql.session.timeZone", "UTC")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              // task writers' part files go here: tests look for leftovers of this JVM only
              .config("spark.local.dir", localDir().toString());
      if (SPARK_VERSION.startsWith("3.")) {
        // CREATE TABLE … USING npy on Spark 3.5 needs the connector's session catalog (README)
        builder.config("spark.sql.catalog.spark_catalog", NpySessionCatalog.class.getName());
      }
      shared = builder.getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
    }
    return shared;
  }

  protected static Dataset<Row> sql(String query, Object... args) {
    return spark().sql(String.format(java.util.Locale.ROOT, query, args));
  }

  /** Runs {@code action} with SQL confs set, restoring the previous values afterwards. */
  protected static void withSQLConf(Map<String, String> conf, Runnable action) {
    Map<String, String> previous = new HashMap<>();
    for (String key : conf.keySet()) {
      previous.put(key, spark().conf().contains(key) ? spark().conf().get(key) : null);
    }
    conf.forEach((k, v) -> spark().conf().set(k, v));
    try {
      action.run();
    } finally {
      previous.forEach(
          (k, v) -> {
            if (v == null) {
              spark().conf().unset(k);
            } else {
              spark().conf().set(k, v);
            }
          });
    }
  }

  /** A fresh directory under the test's temp dir. */
  protected Path newDir(String name) throws IOException {
    return Files.createDirectories(tmp.resolve(name));
  }
}
