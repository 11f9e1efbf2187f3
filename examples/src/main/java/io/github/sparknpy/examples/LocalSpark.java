package io.github.sparknpy.examples;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The embedded Spark the examples run on: {@code local[*]}, the local file system, no UI, the
 * {@code npy} path catalog registered for SQL. On a cluster, drop the master and ship the connector
 * jar with {@code --jars}/{@code --packages} instead.
 */
public final class LocalSpark {
  private LocalSpark() {}

  /**
   * A local session; {@code workDir} holds Spark's warehouse directory (so nothing is written into
   * the current directory).
   */
  public static SparkSession start(String appName, Path workDir) {
    return SparkSession.builder()
        .master("local[*]")
        .appName(appName)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.debug.maxToStringFields", "200")
        .config("spark.sql.warehouse.dir", workDir.resolve("spark-warehouse").toUri().toString())
        // SELECT … FROM npy.`/path/x.npy` in SQL (a format("npy") call would register it too)
        .config("spark.sql.catalog.npy", "io.github.sparknpy.spark.NpyCatalog")
        .getOrCreate();
  }
}
