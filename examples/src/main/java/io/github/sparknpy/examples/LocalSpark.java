package io.github.sparknpy.examples;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The embedded Spark the examples run on: {@code local[*]}, the local file system, no UI, the
 * {@code npy} path catalog registered for SQL. On a cluster, drop the master and ship the connector
 * jar with {@code --jars}/{@code --packages} instead.
 */
public final class LocalSpark {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  private LocalSpark() {}

  /**
   * A local session; {@code workDir} holds Spark's warehouse directory (so nothing is written into
   * the current directory).
   */
  public static SparkSession start(String appName, Path workDir) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .master("local[*]")
            .appName(appName)
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.debug.maxToStringFields", "200")
            .config(
                "spark.sql.warehouse.dir", workDir.resolve("spark-warehouse").toUri().toString())
            // SELECT … FROM npy.`/path/x.npy` in SQL (a format("npy") call would register it too)
            .config("spark.sql.catalog.npy", "io.github.sparknpy.spark.NpyCatalog");
    if (org.apache.spark.package$.MODULE$.SPARK_VERSION().startsWith("3.")) {
      // CREATE TABLE … USING npy on Spark 3.5 goes through the connector's session catalog
      builder.config(
          "spark.sql.catalog.spark_catalog", "io.github.sparknpy.spark.NpySessionCatalog");
    }
    SparkSession spark = builder.getOrCreate();
    System.out.printf(
        Locale.ROOT,
        "(running on Spark %s, Scala %s, Java %s)%n",
        spark.version(),
        scala.util.Properties$.MODULE$.versionNumberString(),
        Runtime.version().feature());
    return spark;
  }

  /**
   * {@code rows} as a text table with a header line, as {@code Dataset.show()} prints it (but into
   * a string the examples can send anywhere): floats rounded to 3 decimals, values left-aligned.
   */
  public static String table(String[] columns, List<Row> rows) {
    List<String[]> cells = new ArrayList<>();
    cells.add(columns);
    for (Row r : rows) {
      String[] line = new String[columns.length];
      for (int i = 0; i < columns.length; i++) {
        Object v = r.get(i);
        if (v instanceof Double || v instanceof Float) {
          line[i] = String.format(Locale.ROOT, "%.3f", ((Number) v).doubleValue());
        } else if (v instanceof LocalDateTime t) {
          line[i] = TIME.format(t);
        } else if (v instanceof java.sql.Timestamp t) {
          // the session time zone of these examples is UTC
          line[i] = TIME.format(LocalDateTime.ofInstant(t.toInstant(), java.time.ZoneOffset.UTC));
        } else {
          line[i] = String.valueOf(v);
        }
      }
      cells.add(line);
    }
    int[] width = new int[columns.length];
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        width[i] = Math.max(width[i], line[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int l = 0; l < cells.size(); l++) {
      String[] line = cells.get(l);
      sb.append("  ");
      for (int i = 0; i < line.length; i++) {
        sb.append(
            i + 1 < line.length
                ? String.format(Locale.ROOT, "%-" + width[i] + "s  ", line[i])
                : line[i] + "\n");
      }
      if (l == 0) {
        sb.append("  ");
        for (int i = 0; i < line.length; i++) {
          sb.append("-".repeat(width[i])).append(i + 1 < line.length ? "  " : "\n");
        }
      }
    }
    return sb.toString();
  }
}
