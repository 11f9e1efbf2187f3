package io.github.sparknpy.examples;

import io.github.sparknpy.npy.Npy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Example 3, SQL over {@code .npy} files: weather readings written from SQL into one {@code .npy}
 * per day ({@code CREATE TABLE … USING npy LOCATION 'day.npy'} + {@code INSERT OVERWRITE}), one
 * table over the directory, aggregations, the {@code _file} and {@code _row_index} metadata
 * columns, a row range read through {@code _row_index}, a single file queried by path ({@code
 * npy.`/path/x.npy`}) and a summary written back to {@code .npy}.
 *
 * <p>Run: {@code bin/demo sql [OUT_DIR]}. Every statement is printed before its result.
 */
public final class SqlOverNpy {
  static final List<String> DAYS = List.of("2026-11-01", "2026-11-02", "2026-11-03");

  /** Readings per station and day: one every 15 minutes. */
  static final int READINGS_PER_STATION = 96;

  static final int STATIONS = 4;

  /** Every query's rows, by a short name, for the tests. */
  public record Result(Path readings, Path summary, Map<String, List<Row>> queries) {}

  private SqlOverNpy() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "sql-output").toAbsolutePath();
    Files.createDirectories(out);
    try (SparkSession spark = LocalSpark.start("spark-npy example: SQL", out)) {
      run(spark, out, System.out);
    }
  }

  public static Result run(SparkSession spark, Path out, PrintStream report) throws IOException {
    Path readings = out.resolve("readings");
    Files.createDirectories(readings);
    // A fresh start: the outputs of an earlier run go (only the .npy files this example writes).
    for (String day : DAYS) {
      Files.deleteIfExists(readings.resolve(day + ".npy"));
    }
    Files.deleteIfExists(out.resolve("daily_summary.npy"));
    Map<String, List<Row>> results = new LinkedHashMap<>();

    // 1. One .npy per day, written from SQL: a table per file, INSERT OVERWRITE from a generator.
    //    The SELECT names its columns: the npy table accepts any schema, and the written record
    //    fields take the query's column names, not the table's.
    //    Station s reads 8 + 1.5 s °C plus 0.25 °C per hour of the day plus 0.5 °C per day; it
    //    rains at some hours.
    for (int d = 0; d < DAYS.size(); d++) {
      String table = "readings_" + DAYS.get(d).replace('-', '_');
      Path file = readings.resolve(DAYS.get(d) + ".npy");
      exec(spark, report, "DROP TABLE IF EXISTS " + table);
      exec(
          spark,
          report,
          "CREATE TABLE "
              + table
              + " (station INT, minute INT, temperature FLOAT, rain_mm FLOAT)"
              + " USING npy LOCATION '"
              + file
              + "'");
      exec(
          spark,
          report,
          String.format(
              Locale.ROOT,
              "INSERT OVERWRITE %s SELECT CAST(id %% %d + 1 AS INT) AS station,"
                  + " CAST(id DIV %d * 15 AS INT) AS minute,"
                  + " CAST(8 + 1.5 * (id %% %d + 1) + 0.25 * (id DIV %d DIV 4) + 0.5 * %d AS FLOAT)"
                  + " AS temperature,"
                  + " CAST(IF((id * 7 + %d) %% 11 = 0, (id %% 5 + %d) * 0.5, 0) AS FLOAT) AS rain_mm"
                  + " FROM range(%d)",
              table,
              STATIONS,
              STATIONS,
              STATIONS,
              STATIONS,
              d,
              d,
              d,
              STATIONS * READINGS_PER_STATION));
    }
    report.printf(
        Locale.ROOT,
        "%s: %d files of %,d rows (%s)%n%n",
        readings,
        DAYS.size(),
        STATIONS * READINGS_PER_STATION,
        Npy.readHeader(readings.resolve(DAYS.get(0) + ".npy")).header().dtype());

    // 2. One table over the directory: the schema comes from the files' headers.
    exec(spark, report, "DROP TABLE IF EXISTS readings");
    exec(spark, report, "CREATE TABLE readings USING npy LOCATION '" + readings + "'");
    show(spark, report, results, "schema", "DESCRIBE TABLE readings");

    // 3. Aggregations.
    show(
        spark,
        report,
        results,
        "perStation",
        "SELECT station, count(*) AS readings, round(avg(temperature), 3) AS avg_temp,"
            + " max(temperature) AS max_temp, sum(rain_mm) AS rain_mm"
            + " FROM readings GROUP BY station ORDER BY station");

    // 4. Metadata columns: the file each row comes from and its row index in that file.
    show(
        spark,
        report,
        results,
        "perFile",
        "SELECT regexp_extract(_file, '([^/]+)\\\\.npy$', 1) AS day, count(*) AS rows,"
            + " min(_row_index) AS first_row, max(_row_index) AS last_row, sum(rain_mm) AS rain_mm"
            + " FROM readings GROUP BY _file ORDER BY _file");
    // _row_index ranges are pushed into the scan: only rows 40 and 41 of each file are read.
    show(
        spark,
        report,
        results,
        "rowRange",
        "SELECT regexp_extract(_file, '([^/]+)\\\\.npy$', 1) AS day, _row_index, station, minute,"
            + " temperature FROM readings WHERE _row_index BETWEEN 40 AND 41"
            + " ORDER BY _file, _row_index");

    // 5. One file by path through the `npy` catalog, no table needed.
    Path day2 = readings.resolve(DAYS.get(1) + ".npy");
    show(
        spark,
        report,
        results,
        "byPath",
        "SELECT count(*) AS rows, min(temperature) AS min_temp, max(temperature) AS max_temp"
            + " FROM npy.`"
            + day2
            + "`");

    // 6. A result written back to .npy from SQL (a record array: one field per column).
    Path summary = out.resolve("daily_summary.npy");
    exec(spark, report, "DROP TABLE IF EXISTS daily_summary");
    exec(
        spark,
        report,
        "CREATE TABLE daily_summary (day DATE, station INT, max_temp FLOAT, rain_mm DOUBLE)"
            + " USING npy LOCATION '"
            + summary
            + "'");
    exec(
        spark,
        report,
        "INSERT OVERWRITE daily_summary"
            + " SELECT to_date(regexp_extract(_file, '([0-9-]+)\\\\.npy$', 1)) AS day, station,"
            + " max(temperature) AS max_temp, sum(rain_mm) AS rain_mm"
            + " FROM readings GROUP BY _file, station ORDER BY day, station");
    report.printf(
        Locale.ROOT,
        "Wrote %s (%s, shape %s)%n",
        summary,
        Npy.readHeader(summary).header().dtype(),
        Arrays.toString(Npy.readHeader(summary).header().shape()));
    report.println("In numpy: s = np.load(\"" + summary + "\"); s[\"day\"], s[\"max_temp\"]");
    return new Result(readings, summary, results);
  }

  private static void exec(SparkSession spark, PrintStream report, String sql) {
    report.println("spark-sql> " + sql + ";");
    spark.sql(sql).collectAsList();
  }

  private static void show(
      SparkSession spark,
      PrintStream report,
      Map<String, List<Row>> results,
      String name,
      String sql) {
    report.println("spark-sql> " + sql + ";");
    Dataset<Row> df = spark.sql(sql);
    List<Row> rows = df.collectAsList();
    report.print(LocalSpark.table(df.columns(), rows));
    report.println();
    results.put(name, rows);
  }
}
