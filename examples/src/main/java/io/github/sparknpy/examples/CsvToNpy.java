package io.github.sparknpy.examples;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.mean;
import static org.apache.spark.sql.functions.median;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Example 1, ETL: house listings in a CSV → cleaned, standardized features → {@code features.npy}
 * (a float32 matrix, {@code layout=matrix}, {@code dtype=<f4}) and {@code labels.npy} (int64), row
 * for row, ready for {@code np.load(…, mmap_mode="r")}.
 *
 * <p>Run: {@code bin/demo etl [OUT_DIR] [CSV]} (without a CSV it uses the bundled {@code
 * listings.csv}, 3,040 rows made by {@code examples/scripts/make_listings.py}).
 *
 * <p>Outputs in {@code OUT_DIR}: {@code features.npy} {@code (N, F)} float32, {@code labels.npy}
 * {@code (N,)} int64 ({@code sold_within_30d}), {@code ids.npy} {@code (N,)} int64 (the {@code
 * listing_id} of each row, to join predictions back), {@code features.json} (column names and the
 * mean and standard deviation each standardized column was scaled with), all ordered by {@code
 * listing_id}.
 */
public final class CsvToNpy {
  /** Built years become ages relative to this year (a constant, so reruns give the same file). */
  static final int REFERENCE_YEAR = 2026;

  /** Columns that are standardized to mean 0, standard deviation 1. */
  static final List<String> SCALED =
      List.of(
          "area_m2",
          "rooms",
          "age_years",
          "floor",
          "distance_center_km",
          "price_per_m2",
          "log_price");

  static final StructType CSV_SCHEMA =
      new StructType()
          .add("listing_id", DataTypes.LongType)
          .add("city", DataTypes.StringType)
          .add("built_year", DataTypes.IntegerType)
          .add("area_m2", DataTypes.DoubleType)
          .add("rooms", DataTypes.IntegerType)
          .add("floor", DataTypes.IntegerType)
          .add("distance_center_km", DataTypes.DoubleType)
          .add("has_garden", DataTypes.StringType)
          .add("asking_price_eur", DataTypes.LongType)
          .add("sold_within_30d", DataTypes.IntegerType);

  /** What {@link #run} wrote. */
  public record Result(
      Path features,
      Path labels,
      Path ids,
      Path featuresJson,
      List<String> featureColumns,
      long inputRows,
      long duplicates,
      long unlabeled,
      long noDistance,
      long rows) {}

  private CsvToNpy() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "etl-output").toAbsolutePath();
    Files.createDirectories(out);
    Path csv = args.length > 1 ? Path.of(args[1]).toAbsolutePath() : bundledCsv(out);
    try (SparkSession spark = LocalSpark.start("spark-npy example: CSV to .npy", out)) {
      Result r = run(spark, csv, out);
      report(r, csv, System.out);
    }
  }

  /**
   * Copies the bundled {@code listings.csv} to {@code OUT_DIR/input/} (Spark reads files, not
   * class-path resources).
   */
  static Path bundledCsv(Path out) throws IOException {
    Path csv = out.resolve("input").resolve("listings.csv");
    Files.createDirectories(csv.getParent());
    try (InputStream in = CsvToNpy.class.getResourceAsStream("/listings.csv")) {
      if (in == null) {
        throw new IOException(
            "listings.csv is not on the class path (examples/src/main/resources)");
      }
      Files.copy(in, csv, StandardCopyOption.REPLACE_EXISTING);
    }
    return csv;
  }

  /** Reads {@code csv}, cleans it and writes the outputs into {@code out} (replacing old ones). */
  public static Result run(SparkSession spark, Path csv, Path out) throws IOException {
    Dataset<Row> raw =
        spark.read().option("header", "true").schema(CSV_SCHEMA).csv(csv.toUri().toString());
    long inputRows = raw.count();

    // 1. Rows to drop: listings exported twice, listings still on the market (no label), and
    //    listings without a location (no distance to impute from).
    Dataset<Row> unique = raw.dropDuplicates("listing_id");
    long uniqueRows = unique.count();
    Dataset<Row> labeled = unique.where(col("sold_within_30d").isNotNull());
    long labeledRows = labeled.count();
    Dataset<Row> located = labeled.na().drop(new String[] {"distance_center_km"});

    // 2. Missing values to fill: the area with the city's median area, the rooms from the area,
    //    the floor with 0 (the most common one); the garden flag comes as yes/no/Y/N.
    Dataset<Row> filled =
        located
            .withColumn(
                "area_m2",
                coalesce(col("area_m2"), median(col("area_m2")).over(Window.partitionBy("city"))))
            .withColumn(
                "rooms",
                coalesce(
                    col("rooms"), greatest(lit(1), round(col("area_m2").divide(25)).cast("int"))))
            .na()
            .fill(0, new String[] {"floor"})
            .withColumn(
                "has_garden",
                when(lower(trim(col("has_garden"))).isin("yes", "y", "true", "1"), 1.0)
                    .otherwise(0.0));

    // 3. Derived features: age, price per m2, log price, one column per city (one-hot).
    Dataset<Row> derived =
        filled
            .withColumn("age_years", lit(REFERENCE_YEAR).minus(col("built_year")))
            .withColumn("price_per_m2", col("asking_price_eur").divide(col("area_m2")))
            .withColumn("log_price", log(col("asking_price_eur")));
    List<String> cities =
        derived.select("city").distinct().orderBy("city").collectAsList().stream()
            .map(r -> r.getString(0))
            .collect(Collectors.toList());
    for (String city : cities) {
      derived =
          derived.withColumn(cityColumn(city), when(col("city").equalTo(city), 1.0).otherwise(0.0));
    }

    // 4. Standardize the continuous columns with the mean and population standard deviation of
    //    this data set (one aggregation; the values go to features.json for later inference).
    List<Column> stats = new ArrayList<>();
    for (String c : SCALED) {
      stats.add(mean(col(c)));
      stats.add(stddev_pop(col(c)));
    }
    Row moments =
        derived.agg(stats.get(0), stats.subList(1, stats.size()).toArray(new Column[0])).first();
    double[] means = new double[SCALED.size()];
    double[] stds = new double[SCALED.size()];
    Dataset<Row> scaled = derived;
    for (int i = 0; i < SCALED.size(); i++) {
      means[i] = moments.getDouble(2 * i);
      stds[i] = moments.getDouble(2 * i + 1);
      String c = SCALED.get(i);
      scaled = scaled.withColumn(c, col(c).minus(means[i]).divide(stds[i]));
    }

    // 5. A deterministic row order shared by all outputs, computed once.
    List<String> featureColumns = new ArrayList<>(SCALED);
    featureColumns.add("has_garden");
    cities.forEach(city -> featureColumns.add(cityColumn(city)));
    Dataset<Row> ordered = scaled.orderBy("listing_id").cache();
    try {
      long rows = ordered.count();
      Path features = out.resolve("features.npy");
      Path labels = out.resolve("labels.npy");
      Path ids = out.resolve("ids.npy");
      // 6. The outputs: one .npy file each, in the order of `ordered`'s partitions and rows.
      ordered
          .select(featureColumns.stream().map(c -> col(c)).toArray(Column[]::new))
          .write()
          .format("npy")
          .mode(SaveMode.Overwrite)
          .option("layout", "matrix")
          .option("dtype", "<f4")
          .save(features.toString());
      ordered
          .select(col("sold_within_30d").cast("long"))
          .write()
          .format("npy")
          .mode(SaveMode.Overwrite)
          .save(labels.toString());
      ordered
          .select("listing_id")
          .write()
          .format("npy")
          .mode(SaveMode.Overwrite)
          .save(ids.toString());
      Path json = out.resolve("features.json");
      Files.writeString(json, featuresJson(featureColumns, means, stds), StandardCharsets.UTF_8);
      return new Result(
          features,
          labels,
          ids,
          json,
          List.copyOf(featureColumns),
          inputRows,
          inputRows - uniqueRows,
          uniqueRows - labeledRows,
          labeledRows - rows,
          rows);
    } finally {
      ordered.unpersist();
    }
  }

  static String cityColumn(String city) {
    return "city_" + city.replaceAll("[^A-Za-z0-9]+", "_");
  }

  /** {"columns": [...], "mean": [...], "std": [...]}: mean/std null for unscaled columns. */
  static String featuresJson(List<String> columns, double[] means, double[] stds) {
    List<String> m = new ArrayList<>();
    List<String> s = new ArrayList<>();
    for (String c : columns) {
      int i = SCALED.indexOf(c);
      m.add(i < 0 ? "null" : Double.toString(means[i]));
      s.add(i < 0 ? "null" : Double.toString(stds[i]));
    }
    String names = columns.stream().map(c -> "\"" + c + "\"").collect(Collectors.joining(", "));
    return "{\n  \"columns\": ["
        + names
        + "],\n  \"mean\": ["
        + String.join(", ", m)
        + "],\n  \"std\": ["
        + String.join(", ", s)
        + "]\n}\n";
  }

  /** Prints what was read, dropped and written, and how to open it in numpy. */
  static void report(Result r, Path csv, PrintStream out) throws IOException {
    out.printf(
        Locale.ROOT,
        "Read %,d rows from %s%n"
            + "Dropped %,d duplicate listings, %,d without a label (still on the market),"
            + " %,d without a distance; kept %,d listings%n%n",
        r.inputRows(),
        csv,
        r.duplicates(),
        r.unlabeled(),
        r.noDistance(),
        r.rows());
    out.println("Wrote:");
    out.printf(Locale.ROOT, "  %s  %s%n", r.features(), describe(r.features()));
    out.printf(Locale.ROOT, "  %s  %s  sold_within_30d%n", r.labels(), describe(r.labels()));
    out.printf(Locale.ROOT, "  %s  %s  listing_id of each row%n", r.ids(), describe(r.ids()));
    out.printf(
        Locale.ROOT, "  %s  column names, mean and std of the scaled columns%n", r.featuresJson());
    out.println("  columns: " + r.featureColumns());
    out.println();
    out.println("Open them in numpy (memory-mapped, nothing is loaded until used):");
    out.println("  import json, numpy as np");
    out.printf(Locale.ROOT, "  X = np.load(\"%s\", mmap_mode=\"r\")%n", r.features());
    out.printf(Locale.ROOT, "  y = np.load(\"%s\", mmap_mode=\"r\")%n", r.labels());
    out.printf(Locale.ROOT, "  columns = json.load(open(\"%s\"))[\"columns\"]%n", r.featuresJson());
  }

  /** "shape (2817, 12), dtype <f4", from the file's own header. */
  static String describe(Path npy) throws IOException {
    NpyHeader h = Npy.readHeader(npy).header();
    return "shape "
        + Arrays.stream(h.shape())
            .mapToObj(Long::toString)
            .collect(Collectors.joining(", ", "(", h.ndim() == 1 ? ",)" : ")"))
        + ", dtype "
        + h.dtype().toString().replace("'", "");
  }
}
