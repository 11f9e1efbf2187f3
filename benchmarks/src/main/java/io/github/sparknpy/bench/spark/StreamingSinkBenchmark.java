package io.github.sparknpy.bench.spark;

import io.github.sparknpy.npy.NpyAppendArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Side-by-side benchmark of the streaming sink, printed as a markdown table: a stream of rows of 8
 * doubles (the npy source over a prepared {@code (N, 8)} file, {@code layout=matrix}, micro-batches
 * cut by {@code maxBytesPerTrigger}, {@code Trigger.AvailableNow}) written by the npy sink into one
 * {@code .npy}, vs the same stream written by Spark's own file sink as Parquet. For small (default
 * 1,000 rows) and large (1,000,000 rows) micro-batches: rows per second over the whole query (start
 * to end, so the per-batch overheads of Spark's planning and offset log count on both sides), the
 * median time of a micro-batch's write ({@code durationMs.addBatch}: tasks and sink commit), and
 * for npy the median of its commit alone (the sink's "Committed micro-batch … in N ms" line).
 * Repetitions alternate which side goes first; medians over them.
 *
 * <p>Run: {@code bin/bench-spark-stream [DIR] [quick] [key=value ...]}; keys with defaults: {@code
 * smallRows=1000 smallBatches=100 largeRows=1000000 largeBatches=4 reps=3 master=local[<cores>]};
 * {@code quick} means {@code smallBatches=30 largeBatches=2 reps=2}.
 */
public final class StreamingSinkBenchmark {
  private static final Pattern COMMIT = Pattern.compile("Committed micro-batch .* in (\\d+) ms");

  private StreamingSinkBenchmark() {}

  /** One side's result for one repetition. */
  private record Run(double seconds, long rows, double addBatchMs, double commitMs) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> s = new HashMap<>();
    int cores = Runtime.getRuntime().availableProcessors();
    s.put("smallRows", "1000");
    s.put("smallBatches", "100");
    s.put("largeRows", "1000000");
    s.put("largeBatches", "4");
    s.put("reps", "3");
    s.put("master", "local[" + cores + "]");
    Path base = Path.of(System.getProperty("java.io.tmpdir"));
    for (String a : args) {
      if (a.equals("quick")) {
        s.put("smallBatches", "30");
        s.put("largeBatches", "2");
        s.put("reps", "2");
      } else if (a.contains("=")) {
        s.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      } else {
        base = Path.of(a);
      }
    }
    int reps = Integer.parseInt(s.get("reps"));
    Path dir = Files.createTempDirectory(base, "bench-spark-stream-");
    SparkSession spark =
        SparkSession.builder()
            .master(s.get("master"))
            .appName("bench-spark-stream")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.streaming.numRecentProgressUpdates", "100000")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    List<Long> commits = new CopyOnWriteArrayList<>();
    captureCommits(commits);
    try {
      System.out.println(
          "| scenario | this project (npy sink) | baseline (Parquet file sink) | ratio |");
      System.out.println("|---|---:|---:|---:|");
      for (String size : List.of("small", "large")) {
        long batchRows = Long.parseLong(s.get(size + "Rows"));
        int batches = Integer.parseInt(s.get(size + "Batches"));
        Path source = dir.resolve(size + "-in.npy");
        writeSource(source, batchRows * batches);
        List<Run> npy = new ArrayList<>();
        List<Run> parquet = new ArrayList<>();
        for (int r = -1; r < reps; r++) { // r = -1: warm-up, not counted
          for (int side = 0; side < 2; side++) {
            boolean npyTurn = (side == 0) == (r % 2 == 0);
            commits.clear();
            Run run = runQuery(spark, source, batchRows, dir, npyTurn, commits);
            System.err.printf(
                Locale.ROOT,
                "%s rep %d %s: %.2f s, %,d rows, addBatch %.1f ms, commit %.1f ms%n",
                size,
                r,
                npyTurn ? "npy" : "parquet",
                run.seconds(),
                run.rows(),
                run.addBatchMs(),
                run.commitMs());
            if (r >= 0) {
              (npyTurn ? npy : parquet).add(run);
            }
          }
        }
        double npyRate = median(npy.stream().map(x -> x.rows() / x.seconds()).toList());
        double parquetRate = median(parquet.stream().map(x -> x.rows() / x.seconds()).toList());
        double npyAdd = median(npy.stream().map(Run::addBatchMs).toList());
        double parquetAdd = median(parquet.stream().map(Run::addBatchMs).toList());
        String label =
            String.format(
                Locale.ROOT,
                "%s micro-batches (%,d rows of 8 doubles × %d)",
                size,
                batchRows,
                batches);
        System.out.printf(
            Locale.ROOT,
            "| %s: rows per second, whole query | %,.0f | %,.0f | %.2f |%n",
            label,
            npyRate,
            parquetRate,
            npyRate / parquetRate);
        System.out.printf(
            Locale.ROOT,
            "| %s: write of one micro-batch (addBatch, median) | %.1f ms | %.1f ms | %.2f |%n",
            label,
            npyAdd,
            parquetAdd,
            parquetAdd / npyAdd);
        System.out.printf(
            Locale.ROOT,
            "| %s: npy sink commit per micro-batch (median) | %.1f ms | – | – |%n",
            label,
            median(npy.stream().map(Run::commitMs).toList()));
        Files.delete(source);
      }
    } finally {
      spark.stop();
      deleteTree(dir);
    }
  }

  /** The source: {@code rows} rows of 8 doubles, row i holding i, i + 1, …, i + 7. */
  private static void writeSource(Path file, long rows) throws IOException {
    int chunk = 65_536;
    double[] block = new double[chunk * 8];
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      for (long first = 0; first < rows; first += chunk) {
        int n = (int) Math.min(chunk, rows - first);
        for (int i = 0; i < n; i++) {
          for (int c = 0; c < 8; c++) {
            block[i * 8 + c] = first + i + c;
          }
        }
        out.append(n == chunk ? block : Arrays.copyOf(block, n * 8), n, 8);
      }
    }
  }

  private static Run runQuery(
      SparkSession spark, Path source, long batchRows, Path dir, boolean npy, List<Long> commits)
      throws Exception {
    Path out = dir.resolve(npy ? "out.npy" : "out.parquet");
    Path checkpoint = dir.resolve("checkpoint");
    deleteTree(out);
    deleteTree(dir.resolve("_npy_streaming"));
    deleteTree(checkpoint);
    long t0 = System.nanoTime();
    DataStreamWriter<Row> writer =
        spark
            .readStream()
            .format("npy")
            .option("layout", "matrix")
            .option("maxBytesPerTrigger", Long.toString(batchRows * 64))
            .load(source.toString())
            .writeStream()
            .format(npy ? "npy" : "parquet")
            .option("checkpointLocation", checkpoint.toString())
            .trigger(Trigger.AvailableNow());
    if (npy) {
      writer = writer.option("layout", "matrix");
    }
    StreamingQuery q = writer.start(out.toString());
    q.awaitTermination();
    double seconds = (System.nanoTime() - t0) / 1e9;
    long rows = 0;
    List<Double> addBatch = new ArrayList<>();
    for (StreamingQueryProgress p : q.recentProgress()) {
      rows += p.numInputRows();
      if (p.numInputRows() > 0 && p.durationMs().containsKey("addBatch")) {
        addBatch.add(p.durationMs().get("addBatch").doubleValue());
      }
    }
    List<Double> commitMs = commits.stream().map(Long::doubleValue).toList();
    return new Run(
        seconds, rows, median(addBatch), npy && !commitMs.isEmpty() ? median(commitMs) : 0);
  }

  /** Collects the npy sink's commit times from its INFO log line. */
  private static void captureCommits(List<Long> commits) {
    String logger = "io.github.sparknpy.spark.write.NpyStreamingWrite";
    Configurator.setLevel(logger, org.apache.logging.log4j.Level.INFO);
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    AbstractAppender appender =
        new AbstractAppender("npy-commits", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            Matcher m = COMMIT.matcher(event.getMessage().getFormattedMessage());
            if (m.find()) {
              commits.add(Long.parseLong(m.group(1)));
            }
          }
        };
    appender.start();
    LoggerConfig config = ctx.getConfiguration().getLoggerConfig(logger);
    config.addAppender(appender, null, null);
    config.setAdditive(false); // the table goes to stdout; keep the per-batch lines off stderr
    ctx.updateLoggers();
  }

  private static double median(List<Double> v) {
    if (v.isEmpty()) {
      return 0;
    }
    double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> st = Files.walk(p)) {
      for (Path f : st.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
