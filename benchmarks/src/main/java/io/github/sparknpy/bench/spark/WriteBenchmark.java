package io.github.sparknpy.bench.spark;

import io.github.sparknpy.bench.BenchCsv;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Side-by-side macro benchmark of the Spark writer, printed as a markdown table.
 *
 * <ul>
 *   <li><b>W1</b>: a DataFrame of 8 double columns ({@code sizeMiB} of raw data, 64 bytes a row,
 *       generated from {@code spark.range} with cheap expressions and cached before timing) written
 *       as one merged {@code .npy} with {@code layout=matrix}, end to end including the job commit,
 *       vs Spark's Parquet writer (default codec) on the same cached DataFrame. Repetitions
 *       alternate which side goes first; the ratio is the median of per-repetition ratios.
 *   <li><b>W2</b>: the npy job commit (concatenating the staged parts into the final file), timed
 *       from the write job's end ({@code SparkListenerJobEnd.time}) to {@code save()} returning, vs
 *       {@code cp} of the resulting file on the same file system.
 * </ul>
 *
 * <p>Run: {@code bin/bench-spark-write [DIR] [quick] [key=value ...]}; keys with defaults: {@code
 * sizeMiB=1024 reps=3 partitions=<cores> master=local[<cores>] generated=true}; {@code quick} means
 * {@code sizeMiB=128 reps=2}. {@code generated=false} skips W3: the same frame not cached, each
 * side generating it while it writes. Temp files go to {@code DIR} (default java.io.tmpdir) and are
 * deleted.
 */
public final class WriteBenchmark {
  private WriteBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> s = new HashMap<>();
    int cores = Runtime.getRuntime().availableProcessors();
    s.put("sizeMiB", "1024");
    s.put("reps", "3");
    s.put("partitions", Integer.toString(cores));
    s.put("master", "local[" + cores + "]");
    Path base = Path.of(System.getProperty("java.io.tmpdir"));
    for (String a : args) {
      if (a.equals("quick")) {
        s.put("sizeMiB", "128");
        s.put("reps", "2");
      } else if (a.contains("=")) {
        s.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      } else {
        base = Path.of(a);
      }
    }
    long sizeMiB = Long.parseLong(s.get("sizeMiB"));
    int reps = Integer.parseInt(s.get("reps"));
    int partitions = Integer.parseInt(s.get("partitions"));
    Path dir = Files.createTempDirectory(base, "bench-spark-write-");
    SparkSession spark =
        SparkSession.builder()
            .master(s.get("master"))
            .appName("bench-spark-write")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    // the committer's own "Committed npy write ... in N ms" lines go to stderr
    org.apache.logging.log4j.core.config.Configurator.setLevel(
        "io.github.sparknpy.spark.write", org.apache.logging.log4j.Level.INFO);
    AtomicLong lastJobEnd = new AtomicLong();
    spark
        .sparkContext()
        .addSparkListener(
            new SparkListener() {
              @Override
              public void onJobEnd(SparkListenerJobEnd jobEnd) {
                lastJobEnd.accumulateAndGet(jobEnd.time(), Math::max);
              }
            });
    try {
      long rows = sizeMiB * 1024 * 1024 / 64;
      Dataset<Row> generated =
          spark
              .range(0, rows, 1, partitions)
              .selectExpr(
                  "CAST(id AS DOUBLE) AS c0",
                  "id * 0.5D AS c1",
                  "id * 0.25D + 1 AS c2",
                  "-1.5D * id AS c3",
                  "CAST(id % 1000 AS DOUBLE) AS c4",
                  "id * 1e-3D AS c5",
                  "CAST(id AS DOUBLE) / 7 AS c6",
                  "sqrt(CAST(id AS DOUBLE)) AS c7");
      Dataset<Row> df = generated.persist(StorageLevel.MEMORY_ONLY());
      long counted = df.count();
      System.err.printf(Locale.ROOT, "cached %,d rows (%d MiB of doubles)%n", counted, sizeMiB);
      Path npy = dir.resolve("bench.npy");
      Path parquet = dir.resolve("bench.parquet");
      Path copy = dir.resolve("cp-copy.npy");
      List<Double> npySec = new ArrayList<>();
      List<Double> parquetSec = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      List<Double> commitMiBs = new ArrayList<>();
      List<Double> cpMiBs = new ArrayList<>();
      List<Double> commitRatios = new ArrayList<>();
      long npyBytes = 0;
      long parquetBytes = 0;
      for (int r = -1; r < reps; r++) { // r = -1: warm-up, not counted
        double tn = 0;
        double tp = 0;
        long commitMs = 0;
        for (int side = 0; side < 2; side++) {
          boolean npyTurn = (side == 0) == (r % 2 == 0);
          if (npyTurn) {
            Files.deleteIfExists(npy); // as for Parquet: no old output to unlink while timing
            long before = lastJobEnd.get();
            long t0 = System.nanoTime();
            df.write()
                .format("npy")
                .option("layout", "matrix")
                .mode(SaveMode.Overwrite)
                .save(npy.toString());
            long t1 = System.nanoTime();
            long end = System.currentTimeMillis();
            while (lastJobEnd.get() == before) {
              Thread.sleep(5); // the listener bus delivers the job end asynchronously
            }
            commitMs = Math.max(1, end - lastJobEnd.get());
            tn = (t1 - t0) / 1e9;
          } else {
            deleteTree(parquet);
            long t0 = System.nanoTime();
            df.write().mode(SaveMode.Overwrite).parquet(parquet.toString());
            tp = (System.nanoTime() - t0) / 1e9;
          }
        }
        npyBytes = Files.size(npy);
        parquetBytes = treeSize(parquet);
        long c0 = System.nanoTime();
        Process cp = new ProcessBuilder("cp", npy.toString(), copy.toString()).inheritIO().start();
        if (cp.waitFor() != 0) {
          throw new IOException("cp failed");
        }
        double cpSec = (System.nanoTime() - c0) / 1e9;
        Files.delete(copy);
        double mib = npyBytes / (1024.0 * 1024.0);
        System.err.printf(
            Locale.ROOT,
            "rep %d: npy %.2f s (commit %d ms), parquet %.2f s, cp %.3f s%n",
            r,
            tn,
            commitMs,
            tp,
            cpSec);
        if (r >= 0) {
          npySec.add(tn);
          parquetSec.add(tp);
          ratios.add(tp / tn);
          commitMiBs.add(mib / (commitMs / 1000.0));
          cpMiBs.add(mib / cpSec);
          commitRatios.add((mib / (commitMs / 1000.0)) / (mib / cpSec));
        }
      }
      df.unpersist();
      // W3: the same frame not cached, so that each side generates it while it writes.
      List<Double> npyGen = new ArrayList<>();
      List<Double> parquetGen = new ArrayList<>();
      List<Double> genRatios = new ArrayList<>();
      if (Boolean.parseBoolean(s.getOrDefault("generated", "true"))) {
        for (int r = -1; r < reps; r++) {
          double tn = 0;
          double tp = 0;
          for (int side = 0; side < 2; side++) {
            boolean npyTurn = (side == 0) == (r % 2 == 0);
            if (npyTurn) {
              Files.deleteIfExists(npy);
              long t0 = System.nanoTime();
              generated
                  .write()
                  .format("npy")
                  .option("layout", "matrix")
                  .mode(SaveMode.Overwrite)
                  .save(npy.toString());
              tn = (System.nanoTime() - t0) / 1e9;
            } else {
              deleteTree(parquet);
              long t0 = System.nanoTime();
              generated.write().mode(SaveMode.Overwrite).parquet(parquet.toString());
              tp = (System.nanoTime() - t0) / 1e9;
            }
          }
          System.err.printf(
              Locale.ROOT, "generated rep %d: npy %.2f s, parquet %.2f s%n", r, tn, tp);
          if (r >= 0) {
            npyGen.add(tn);
            parquetGen.add(tp);
            genRatios.add(tp / tn);
          }
        }
      }
      System.out.println("| scenario | requirement | this project | baseline | ratio | result |");
      System.out.println("|---|---|---:|---:|---:|---|");
      double wr = median(ratios);
      System.out.printf(
          Locale.ROOT,
          "| W1 write %d MiB DataFrame (8 double columns, %,d rows, %d partitions, cached) as one"
              + " merged .npy with layout=matrix, end to end incl. job commit (%,d bytes) vs"
              + " Parquet writer, default codec (%,d bytes) | ≥ 1.5× faster | %.2f s | %.2f s |"
              + " %.2f | %s |%n",
          sizeMiB,
          rows,
          partitions,
          npyBytes,
          parquetBytes,
          median(npySec),
          median(parquetSec),
          wr,
          wr >= 1.5 ? "PASS" : "FAIL");
      double cr = median(commitRatios);
      System.out.printf(
          Locale.ROOT,
          "| W2 job commit: concatenate %d staged parts into the final .npy (%,d bytes) vs cp of"
              + " that file, same file system | ≥ 0.80 × cp throughput | %,.0f MiB/s | %,.0f MiB/s"
              + " | %.2f | %s |%n",
          partitions,
          npyBytes,
          median(commitMiBs),
          median(cpMiBs),
          cr,
          cr >= 0.8 ? "PASS" : "FAIL");
      if (!genRatios.isEmpty()) {
        double gr = median(genRatios);
        System.out.printf(
            Locale.ROOT,
            "| W3 write the same %d MiB frame not cached (each side generates it while writing) as"
                + " one merged .npy with layout=matrix vs Parquet | ≥ 3× faster | %.2f s | %.2f s |"
                + " %.2f | %s |%n",
            sizeMiB,
            median(npyGen),
            median(parquetGen),
            gr,
            gr >= 3 ? "PASS" : "FAIL");
      }
      String cached = sizeMiB + " MiB merged .npy; cached frame";
      BenchCsv.row("write", cached, "spark-npy", median(npySec), false);
      BenchCsv.row("write", cached, "Parquet", median(parquetSec), true);
      if (!genRatios.isEmpty()) {
        String gen = sizeMiB + " MiB merged .npy; generated while written";
        BenchCsv.row("write", gen, "spark-npy", median(npyGen), false);
        BenchCsv.row("write", gen, "Parquet", median(parquetGen), true);
      }
      System.out.printf(
          Locale.ROOT,
          "%nper repetition: npy s %s, parquet s %s, commit MiB/s %s, cp MiB/s %s%n",
          fmt(npySec),
          fmt(parquetSec),
          fmt(commitMiBs),
          fmt(cpMiBs));
    } finally {
      spark.stop();
      deleteTree(dir);
    }
  }

  private static String fmt(List<Double> v) {
    return v.stream().map(d -> String.format(Locale.ROOT, "%.2f", d)).toList().toString();
  }

  private static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private static long treeSize(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .sum();
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
