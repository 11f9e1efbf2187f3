package io.github.sparknpy.bench.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import io.github.sparknpy.bench.BenchCsv;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.header.NpyHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Planning time on many small files, side by side with Parquet in one run: {@code files} small
 * {@code .npy} files ({@code rows} float64 values each) and as many Parquet files with the same
 * values (one {@code double} column, written by Spark). Scenarios, each timed from {@code
 * spark.read…load(dir)}:
 *
 * <ul>
 *   <li>load: {@code load(dir)} alone: listing and schema inference (npy reads every header,
 *       Parquet one footer);
 *   <li>plan: {@code load(dir).rdd().getNumPartitions()}: listing, schema inference and the scan's
 *       partitions, no task;
 *   <li>count: {@code load(dir).count()} (npy answers it from the headers; Parquet runs a job that
 *       reads the footers);
 *   <li>sum: {@code load(dir).agg(sum(value)).first()}: plan and read every file.
 * </ul>
 *
 * Each scenario runs {@code warmup} times, then {@code reps} measured times in rotating order; the
 * table shows medians.
 *
 * <pre>
 * bin/bench-spark-planning [DIR] [files=10000] [rows=16] [reps=5] [warmup=2] [scenarios=load,plan,count,sum]
 * </pre>
 */
public final class PlanningBenchmark {
  private PlanningBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path base = Path.of(System.getProperty("java.io.tmpdir"));
    int files = 10_000;
    int rows = 16;
    int reps = 5;
    int warmup = 2;
    List<String> only = List.of("load", "plan", "count", "sum");
    for (String a : args) {
      if (a.startsWith("files=")) {
        files = Integer.parseInt(a.substring(6));
      } else if (a.startsWith("rows=")) {
        rows = Integer.parseInt(a.substring(5));
      } else if (a.startsWith("reps=")) {
        reps = Integer.parseInt(a.substring(5));
      } else if (a.startsWith("warmup=")) {
        warmup = Integer.parseInt(a.substring(7));
      } else if (a.startsWith("scenarios=")) {
        only = List.of(a.substring(10).split(","));
      } else {
        base = Path.of(a);
      }
    }
    Path dir = Files.createTempDirectory(base, "npy-planning-bench");
    try {
      run(dir, files, rows, reps, warmup, only);
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void run(Path dir, int files, int rows, int reps, int warmup, List<String> only)
      throws Exception {
    Path npyDir = Files.createDirectories(dir.resolve("npy"));
    byte[] header = NpyHeader.of(ScalarDType.FLOAT64, false, rows).encode();
    for (int f = 0; f < files; f++) {
      ByteBuffer b = ByteBuffer.allocate(header.length + rows * 8).order(ByteOrder.LITTLE_ENDIAN);
      b.put(header);
      for (int r = 0; r < rows; r++) {
        b.putDouble((double) f * rows + r);
      }
      Files.write(npyDir.resolve(String.format(Locale.ROOT, "part-%06d.npy", f)), b.array());
    }
    SparkSession spark =
        SparkSession.builder()
            .master("local[*]")
            .appName("npy-planning-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    String parquet = dir.resolve("parquet").toString();
    spark.read().format("npy").load(npyDir.toString()).repartition(files).write().parquet(parquet);
    long parquetFiles;
    try (Stream<Path> s = Files.list(Path.of(parquet))) {
      parquetFiles = s.filter(p -> p.toString().endsWith(".parquet")).count();
    }
    String npy = npyDir.toString();
    long total = (long) files * rows;
    double expectedSum = (double) total * (total - 1) / 2;

    List<Scenario> scenarios = new ArrayList<>();
    scenarios.add(
        new Scenario("load", "npy", () -> spark.read().format("npy").load(npy).schema().size()));
    scenarios.add(
        new Scenario("load", "Parquet", () -> spark.read().parquet(parquet).schema().size()));
    scenarios.add(
        new Scenario(
            "plan", "npy", () -> spark.read().format("npy").load(npy).rdd().getNumPartitions()));
    scenarios.add(
        new Scenario(
            "plan", "Parquet", () -> spark.read().parquet(parquet).rdd().getNumPartitions()));
    scenarios.add(new Scenario("count", "npy", () -> spark.read().format("npy").load(npy).count()));
    scenarios.add(new Scenario("count", "Parquet", () -> spark.read().parquet(parquet).count()));
    scenarios.add(
        new Scenario(
            "sum",
            "npy",
            () ->
                Math.round(
                    spark
                        .read()
                        .format("npy")
                        .load(npy)
                        .agg(sum(col("value")))
                        .first()
                        .getDouble(0))));
    scenarios.add(
        new Scenario(
            "sum",
            "Parquet",
            () ->
                Math.round(
                    spark.read().parquet(parquet).agg(sum(col("value"))).first().getDouble(0))));

    scenarios.removeIf(s -> !only.contains(s.what));
    for (int r = 0; r < warmup + reps; r++) {
      for (int k = 0; k < scenarios.size(); k++) {
        Scenario s = scenarios.get((k + r) % scenarios.size());
        long t0 = System.nanoTime();
        long result = s.query.getAsLong();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (s.what.equals("count") && result != total) {
          throw new AssertionError(s.name() + " counted " + result + ", not " + total);
        }
        if (s.what.equals("sum") && result != Math.round(expectedSum)) {
          throw new AssertionError(s.name() + " summed " + result + ", not " + expectedSum);
        }
        if (r >= warmup) {
          s.times.add(seconds);
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%n%d .npy files of %d float64 values and %d Parquet files (one double column); %d cores,"
            + " median of %d (after %d warm-up)%n%n",
        files,
        rows,
        parquetFiles,
        Runtime.getRuntime().availableProcessors(),
        reps,
        warmup);
    System.out.println("| scenario | npy median s | Parquet median s | npy / Parquet |");
    System.out.println("|---|---:|---:|---:|");
    for (int k = 0; k < scenarios.size(); k += 2) {
      double n = scenarios.get(k).median();
      double p = scenarios.get(k + 1).median();
      System.out.printf(
          Locale.ROOT, "| %s | %.3f | %.3f | %.2fx |%n", scenarios.get(k).what, n, p, n / p);
    }
    for (Scenario s : scenarios) {
      BenchCsv.row(
          "small files",
          String.format(Locale.ROOT, "%d files of %d rows; %s", files, rows, s.what),
          s.source.equals("npy") ? "spark-npy" : "Parquet",
          s.median(),
          s.source.equals("Parquet"));
    }
    spark.stop();
  }

  private static final class Scenario {
    final String what;
    final String source;
    final LongSupplier query;
    final List<Double> times = new ArrayList<>();

    Scenario(String what, String source, LongSupplier query) {
      this.what = what;
      this.source = source;
      this.query = query;
    }

    String name() {
      return source + " " + what;
    }

    double median() {
      double[] t = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return t.length % 2 == 1 ? t[t.length / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
    }
  }
}
