package io.github.sparknpy.bench.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import io.github.sparknpy.bench.BenchCsv;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The reader's performance requirement, side by side in one run: summing every column of an {@code
 * (N, 8)} float64 C-order {@code .npy} ({@code layout=matrix}) against Spark's Parquet reader on
 * the same data (8 double columns written by Spark with its default codec), plus the default {@code
 * value: array<double>} layout and numpy's {@code np.load(mmap_mode="r").sum(axis=0)}. Each
 * scenario runs {@code warmup} times, then {@code reps} measured times in rotating order; the table
 * shows the median wall time of the whole query (plan, read, aggregate, collect) and the median CPU
 * time of its tasks (Spark's {@code executorCpuTime}; numpy's process time). Two baselines show
 * where the time goes: Spark's compute floor (the same 8 sums over {@code spark.range}, no file)
 * and the mapped file summed in plain Java, one thread per core (the cost of touching the bytes).
 *
 * <p>Command (builds connector and benchmarks, then runs this class with the Maven classpath):
 *
 * <pre>bin/bench-spark-read [DIR] [sizeMiB=1024] [recordMiB=256] [reps=5] [warmup=2] [extras=true]
 *     [memoryMap=true]</pre>
 *
 * <p>{@code extras=false} skips the record-pruning and vectored-read tables; {@code
 * memoryMap=false} reads the {@code .npy} scenarios of the first table with positioned reads (the
 * read option of that name).
 *
 * <p>A second table shows record-field pruning: the sum of 1 of 10 float64 fields of a {@code
 * recordMiB} record array against the sum of all 10; a third, ranged reads of a {@code recordMiB}
 * Fortran-order array with and without Hadoop vectored reads.
 *
 * <p>{@code DIR} (default {@code java.io.tmpdir}) holds the files, deleted at the end. The sums of
 * every scenario are checked against each other (relative 1e-9) before the table is printed.
 */
public final class ReadBenchmark {
  private ReadBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path base = Path.of(System.getProperty("java.io.tmpdir"));
    long sizeMiB = 1024;
    long recordMiB = 256;
    int reps = 5;
    int warmup = 2;
    boolean extras = true;
    boolean memoryMap = true;
    for (String a : args) {
      if (a.startsWith("sizeMiB=")) {
        sizeMiB = Long.parseLong(a.substring(8));
      } else if (a.startsWith("recordMiB=")) {
        recordMiB = Long.parseLong(a.substring(10));
      } else if (a.startsWith("reps=")) {
        reps = Integer.parseInt(a.substring(5));
      } else if (a.startsWith("warmup=")) {
        warmup = Integer.parseInt(a.substring(7));
      } else if (a.startsWith("extras=")) {
        extras = Boolean.parseBoolean(a.substring(7));
      } else if (a.startsWith("memoryMap=")) {
        memoryMap = Boolean.parseBoolean(a.substring(10));
      } else {
        base = Path.of(a);
      }
    }
    Path dir = Files.createTempDirectory(base, "npy-read-bench");
    try {
      run(dir, sizeMiB, recordMiB, reps, warmup, extras, memoryMap);
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void run(
      Path dir,
      long sizeMiB,
      long recordMiB,
      int reps,
      int warmup,
      boolean extras,
      boolean memoryMap)
      throws Exception {
    long rows = sizeMiB * (1L << 20) / 64;
    Path npy = dir.resolve("x.npy");
    writeNpy(npy, rows);
    SparkSession spark =
        SparkSession.builder()
            .master("local[*]")
            .appName("npy-read-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    TaskCpu taskCpu = TaskCpu.register(spark);
    String parquet = dir.resolve("x.parquet").toString();
    spark
        .read()
        .format("npy")
        .option("layout", "matrix")
        .load(npy.toString())
        .write()
        .parquet(parquet);

    Column[] matrixSums = new Column[8];
    Column[] arraySums = new Column[8];
    for (int i = 0; i < 8; i++) {
      matrixSums[i] = sum(col("_" + i));
      arraySums[i] = sum(col("value").getItem(i));
    }
    List<Scenario> scenarios = new ArrayList<>();
    scenarios.add(
        new Scenario(
            "npy, layout=matrix",
            () ->
                spark
                    .read()
                    .format("npy")
                    .option("layout", "matrix")
                    .option("memoryMap", memoryMap)
                    .load(npy.toString())
                    .agg(matrixSums[0], Arrays.copyOfRange(matrixSums, 1, 8))
                    .first()));
    scenarios.add(
        new Scenario(
            "Parquet (Spark default codec)",
            () ->
                spark
                    .read()
                    .parquet(parquet)
                    .agg(matrixSums[0], Arrays.copyOfRange(matrixSums, 1, 8))
                    .first()));
    scenarios.add(
        new Scenario(
            "npy, value: array<double>",
            () ->
                spark
                    .read()
                    .format("npy")
                    .option("memoryMap", memoryMap)
                    .load(npy.toString())
                    .agg(arraySums[0], Arrays.copyOfRange(arraySums, 1, 8))
                    .first()));
    scenarios.add(
        Scenario.outside("numpy np.load(mmap_mode='r').sum(axis=0)", sums -> numpy(npy, sums)));
    // Spark's compute floor: the same 8 sums over as many generated rows, no file at all.
    String[] generated = new String[8];
    for (int i = 0; i < 8; i++) {
      generated[i] = "cast(id + " + i + " as double) as _" + i;
    }
    scenarios.add(
        new Scenario(
            "Spark compute floor: the 8 sums over spark.range (no I/O)",
            () ->
                spark
                    .range(rows)
                    .selectExpr(generated)
                    .agg(matrixSums[0], Arrays.copyOfRange(matrixSums, 1, 8))
                    .first()));
    // What touching the file's bytes costs without Spark: the mapped file summed column by column
    // in plain Java, one thread per core, as the read tasks do it.
    scenarios.add(
        Scenario.outside(
            "plain Java: the mapped file summed by "
                + Runtime.getRuntime().availableProcessors()
                + " threads (no Spark)",
            sums -> mappedSum(npy, rows, sums)));

    for (int r = 0; r < warmup + reps; r++) {
      for (int k = 0; k < scenarios.size(); k++) {
        Scenario s = scenarios.get((k + r) % scenarios.size());
        double[] timing;
        s.sums = new double[8];
        if (s.query == null) {
          timing = s.outside.run(s.sums);
        } else {
          int jobs = taskCpu.reset();
          long t0 = System.nanoTime();
          Row row = s.query.get();
          double seconds = (System.nanoTime() - t0) / 1e9;
          timing = new double[] {seconds, taskCpu.await(jobs)};
          for (int i = 0; i < 8; i++) {
            s.sums[i] = row.getDouble(i);
          }
        }
        if (r >= warmup) {
          s.times.add(timing[0]);
          s.cpu.add(timing[1]);
        }
      }
    }
    double[] numpySums = scenarios.get(3).sums;
    for (Scenario s :
        List.of(scenarios.get(0), scenarios.get(1), scenarios.get(2), scenarios.get(5))) {
      for (int i = 0; i < 8; i++) {
        double want = numpySums[i];
        if (Math.abs(s.sums[i] - want) > 1e-9 * Math.max(1, Math.abs(want))) {
          throw new AssertionError(
              s.name + " sum of column " + i + " is " + s.sums[i] + ", numpy says " + want);
        }
      }
    }
    double parquetTime = scenarios.get(1).median();
    double gib = sizeMiB / 1024.0;
    System.out.printf(
        Locale.ROOT,
        "%nSum of every column of a %d MiB (%d, 8) float64 C-order array%s; %d cores, median of"
            + " %d (after %d warm-up)%n%n",
        sizeMiB,
        rows,
        memoryMap ? "" : " (npy: memoryMap=false)",
        Runtime.getRuntime().availableProcessors(),
        reps,
        warmup);
    System.out.println(
        "| scenario | median s | GiB/s | speed vs Parquet | CPU s (Spark: the tasks') |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (Scenario s : scenarios) {
      double t = s.median();
      System.out.printf(
          Locale.ROOT,
          "| %s | %.3f | %.2f | %.2fx | %.3f |%n",
          s.name,
          t,
          gib / t,
          parquetTime / t,
          Scenario.median(s.cpu));
    }
    System.out.printf(
        Locale.ROOT,
        "%nlayout=matrix takes %.2fx the compute floor's time; value: array<double> %.2fx%n",
        scenarios.get(0).median() / scenarios.get(4).median(),
        scenarios.get(2).median() / scenarios.get(4).median());
    System.out.printf(
        Locale.ROOT,
        "CPU of the read tasks: layout=matrix %.3f s = the compute floor's %.3f s + %.3f s;"
            + " summing the mapped file in plain Java takes %.3f s of CPU%n",
        Scenario.median(scenarios.get(0).cpu),
        Scenario.median(scenarios.get(4).cpu),
        Scenario.median(scenarios.get(0).cpu) - Scenario.median(scenarios.get(4).cpu),
        Scenario.median(scenarios.get(5).cpu));
    String scenario = "sum 8 columns of " + sizeMiB + " MiB (layout=matrix)";
    String[] systems = {
      "spark-npy",
      "Parquet",
      "spark-npy (value: array<double>)",
      "numpy mmap",
      "Spark compute floor (no I/O)"
    };
    for (int i = 0; i < systems.length; i++) {
      BenchCsv.row("read", scenario, systems[i], scenarios.get(i).median(), i == 1);
    }
    if (extras) {
      records(spark, dir, recordMiB, reps, warmup);
      vectored(spark, dir, recordMiB, reps, warmup);
    }
    spark.stop();
  }

  /** Column pruning of record fields: the sum of 1 of 10 float64 fields vs all 10. */
  private static void records(SparkSession spark, Path dir, long sizeMiB, int reps, int warmup)
      throws IOException {
    long rows = sizeMiB * (1L << 20) / 80;
    List<RecordDType.Field> fields = new ArrayList<>();
    Column[] sums = new Column[10];
    for (int i = 0; i < 10; i++) {
      fields.add(RecordDType.Field.of("f" + i, ScalarDType.FLOAT64));
      sums[i] = sum(col("f" + i));
    }
    Path file = dir.resolve("records.npy");
    writeData(file, NpyHeader.of(RecordDType.packed(fields), false, rows).encode(), rows * 10);
    String path = file.toString();
    List<Scenario> scenarios =
        List.of(
            new Scenario(
                "records, sum of 1 of 10 fields",
                () -> spark.read().format("npy").load(path).agg(sums[3]).first()),
            new Scenario(
                "records, sum of all 10 fields",
                () ->
                    spark
                        .read()
                        .format("npy")
                        .load(path)
                        .agg(sums[0], Arrays.copyOfRange(sums, 1, 10))
                        .first()));
    for (int r = 0; r < warmup + reps; r++) {
      for (int k = 0; k < scenarios.size(); k++) {
        Scenario s = scenarios.get((k + r) % scenarios.size());
        long t0 = System.nanoTime();
        s.query.get();
        if (r >= warmup) {
          s.times.add((System.nanoTime() - t0) / 1e9);
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%nRecord pruning: a %d MiB (%d,) array of 10 float64 fields (C order)%n%n",
        sizeMiB,
        rows);
    System.out.println("| scenario | median s | speed vs all fields |");
    System.out.println("|---|---:|---:|");
    double all = scenarios.get(1).median();
    for (Scenario s : scenarios) {
      System.out.printf(
          Locale.ROOT, "| %s | %.3f | %.2fx |%n", s.name, s.median(), all / s.median());
    }
  }

  /**
   * Ranged reads through Hadoop (memoryMap=false, as on HDFS or S3) of a Fortran-order {@code (N,
   * 8)} float64 array, whose batches are 8 runs, one per column: one Hadoop vectored read per batch
   * (vectoredReads=true, the default where Hadoop has them) against one positioned read per run
   * (vectoredReads=false: what Spark 3.5 on its own Hadoop 3.3.4 does).
   */
  private static void vectored(SparkSession spark, Path dir, long sizeMiB, int reps, int warmup)
      throws IOException {
    long rows = sizeMiB * (1L << 20) / 64;
    Path file = dir.resolve("fortran.npy");
    writeData(file, NpyHeader.of(ScalarDType.FLOAT64, true, rows, 8).encode(), rows * 8);
    String path = file.toString();
    Column[] sums = new Column[8];
    for (int i = 0; i < 8; i++) {
      sums[i] = sum(col("_" + i));
    }
    List<Scenario> scenarios = new ArrayList<>();
    for (String vectored : List.of("true", "false")) {
      scenarios.add(
          new Scenario(
              "Fortran order, memoryMap=false, vectoredReads=" + vectored,
              () ->
                  spark
                      .read()
                      .format("npy")
                      .option("layout", "matrix")
                      .option("memoryMap", "false")
                      .option("vectoredReads", vectored)
                      .load(path)
                      .agg(sums[0], Arrays.copyOfRange(sums, 1, 8))
                      .first()));
    }
    for (int r = 0; r < warmup + reps; r++) {
      for (int k = 0; k < scenarios.size(); k++) {
        Scenario s = scenarios.get((k + r) % scenarios.size());
        long t0 = System.nanoTime();
        Row row = s.query.get();
        if (r >= warmup) {
          s.times.add((System.nanoTime() - t0) / 1e9);
        }
        s.sums = new double[] {row.getDouble(0), row.getDouble(7)};
      }
    }
    if (!Arrays.equals(scenarios.get(0).sums, scenarios.get(1).sums)) {
      throw new AssertionError("vectored and positioned reads summed differently");
    }
    System.out.printf(
        Locale.ROOT,
        "%nRanged reads through Hadoop's local file system: a %d MiB (%d, 8) float64 array in"
            + " Fortran order (8 runs per batch)%n%n",
        sizeMiB,
        rows);
    System.out.println("| scenario | median s | speed vs one read per run |");
    System.out.println("|---|---:|---:|");
    double positioned = scenarios.get(1).median();
    for (Scenario s : scenarios) {
      System.out.printf(
          Locale.ROOT, "| %s | %.3f | %.2fx |%n", s.name, s.median(), positioned / s.median());
    }
  }

  private static final class Scenario {
    final String name;
    final Supplier<Row> query;
    final Outside outside;
    final List<Double> times = new ArrayList<>();
    final List<Double> cpu = new ArrayList<>();
    double[] sums;

    Scenario(String name, Supplier<Row> query) {
      this(name, query, null);
    }

    private Scenario(String name, Supplier<Row> query, Outside outside) {
      this.name = name;
      this.query = query;
      this.outside = outside;
    }

    /** A scenario run outside Spark. */
    static Scenario outside(String name, Outside run) {
      return new Scenario(name, null, run);
    }

    double median() {
      return median(times);
    }

    static double median(List<Double> values) {
      double[] t = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return t.length % 2 == 1 ? t[t.length / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
    }
  }

  /** A measurement outside Spark: fills the 8 sums, returns its wall and CPU seconds. */
  private interface Outside {
    double[] run(double[] sums) throws Exception;
  }

  /**
   * Sums the 8 columns of the {@code (rows, 8)} float64 file as the read tasks would: each of
   * {@code availableProcessors} threads maps its share of the rows in 128 MiB windows and adds each
   * column in row order. Returns the wall seconds and the threads' CPU seconds.
   */
  private static double[] mappedSum(Path npy, long rows, double[] sums) throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double[][] partial = new double[threads][8];
    long[] cpu = new long[threads];
    long t0 = System.nanoTime();
    try (FileChannel ch = FileChannel.open(npy, StandardOpenOption.READ)) {
      long dataOffset = ch.size() - rows * 64;
      long share = (rows + threads - 1) / threads;
      Thread[] workers = new Thread[threads];
      Exception[] failure = new Exception[1];
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers[t] =
            new Thread(
                () -> {
                  long first = Math.min(rows, id * share);
                  long end = Math.min(rows, first + share);
                  double[] s = partial[id];
                  try {
                    for (long row = first; row < end; ) {
                      int n = (int) Math.min(end - row, (128L << 20) / 64);
                      ByteBuffer w =
                          ch.map(FileChannel.MapMode.READ_ONLY, dataOffset + row * 64, n * 64L)
                              .order(ByteOrder.LITTLE_ENDIAN);
                      for (int i = 0; i < n; i++) {
                        for (int c = 0; c < 8; c++) {
                          s[c] += w.getDouble(i * 64 + c * 8);
                        }
                      }
                      row += n;
                    }
                  } catch (IOException e) {
                    synchronized (failure) {
                      failure[0] = e;
                    }
                  }
                  cpu[id] = mx.getCurrentThreadCpuTime();
                });
        workers[t].start();
      }
      for (Thread w : workers) {
        w.join();
      }
      if (failure[0] != null) {
        throw failure[0];
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Arrays.fill(sums, 0);
    for (double[] p : partial) {
      for (int c = 0; c < 8; c++) {
        sums[c] += p[c];
      }
    }
    return new double[] {seconds, Arrays.stream(cpu).sum() / 1e9};
  }

  /** Random doubles, written in 8 MiB chunks after np.save's header for shape (rows, 8). */
  private static void writeNpy(Path file, long rows) throws IOException {
    writeData(file, NpyHeader.of(ScalarDType.FLOAT64, false, rows, 8).encode(), rows * 8);
  }

  /** {@code header}, then {@code doubles} random doubles in [-1, 1). */
  private static void writeData(Path file, byte[] header, long doubles) throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    ByteBuffer chunk = ByteBuffer.allocate(8 << 20).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel out =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      out.write(ByteBuffer.wrap(header));
      long left = doubles;
      while (left > 0) {
        chunk.clear();
        int n = (int) Math.min(left, chunk.capacity() / 8);
        for (int i = 0; i < n; i++) {
          chunk.putDouble(random.nextDouble() * 2 - 1);
        }
        chunk.flip();
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
        left -= n;
      }
    }
  }

  /** Runs numpy; returns the seconds of load + sum measured inside python, fills {@code sums}. */
  /** numpy's sum of the file's columns: fills {@code sums}, returns its wall and CPU seconds. */
  private static double[] numpy(Path npy, double[] sums) throws IOException, InterruptedException {
    String script =
        "import sys, time, json\nimport numpy as np\n"
            + "t0 = time.perf_counter()\n"
            + "c0 = time.process_time()\n"
            + "s = np.load(sys.argv[1], mmap_mode='r').sum(axis=0)\n"
            + "t = time.perf_counter() - t0\n"
            + "c = time.process_time() - c0\n"
            + "print(json.dumps([t, c] + [float(v) for v in s]))\n";
    Process p = new ProcessBuilder("python3", "-c", script, npy.toString()).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    if (p.waitFor() != 0) {
      throw new IOException(
          "python3 failed: "
              + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
    String[] parts = out.substring(1, out.length() - 1).split(",");
    for (int i = 0; i < 8; i++) {
      sums[i] = Double.parseDouble(parts[i + 2].trim());
    }
    return new double[] {Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())};
  }
}
