package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.NpyAppendArray;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming query's JVM killed with SIGKILL, again and again, while a producer process appends
 * to the file it streams from and while it commits micro-batches to the file it streams into; each
 * time restarted from its checkpoint. At the end numpy must find every appended row in the sink
 * exactly once, in order: the source delivered each row once and the sink committed each
 * micro-batch once. Runs on one Spark line (each kill costs a JVM and a Spark start); {@link
 * StreamingSinkTest} runs the protocol's cases on every line.
 */
@EnabledIfSystemProperty(named = "npy.spark.line", matches = "4")
class StreamingSinkKillTest {
  private static final int KILLS = 10;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  @TempDir Path tmp;

  @Test
  void killedAtRandomPointsOfItsCommitsTheQueryLosesAndRepeatsNoRow() throws Exception {
    Path source = tmp.resolve("in.npy");
    Path sink = tmp.resolve("out.npy");
    Path checkpoint = tmp.resolve("cp");
    Path log = tmp.resolve(EpochLog.DIR).resolve("out.npy");
    Random random = new Random(ThreadLocalRandom.current().nextLong());
    long appended = 0;
    appended = append(source, appended, 1000);
    int killedMidCommit = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      long startEpoch = lastCommitted(log);
      Process child = startChild(source, sink, checkpoint, "run");
      try {
        // The producer appends while the query runs. Once this child has committed a micro-batch,
        // the kill lands in a commit (its pending entry is there) at a random point of it, or at
        // a random moment.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        boolean onCommit = kill % 2 == 0;
        long killAt = Long.MAX_VALUE;
        long lastAppend = 0;
        while (child.isAlive() && System.nanoTime() < deadline) {
          if (System.nanoTime() - lastAppend > TimeUnit.MILLISECONDS.toNanos(20)) {
            appended = append(source, appended, 50 + random.nextInt(200));
            lastAppend = System.nanoTime();
          }
          long committed = lastCommitted(log);
          if (killAt == Long.MAX_VALUE && committed > startEpoch) {
            killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(random.nextInt(1500));
          }
          if (killAt != Long.MAX_VALUE) {
            if (onCommit ? pendingEpoch(log) > committed : System.nanoTime() > killAt) {
              if (onCommit) {
                Thread.sleep(random.nextInt(200));
              }
              break;
            }
          }
          Thread.sleep(1);
        }
        assertThat(child.isAlive()).as("the query runs until it is killed").isTrue();
        assertThat(killAt)
            .as("the query committed a micro-batch before the kill")
            .isNotEqualTo(Long.MAX_VALUE);
      } finally {
        child.destroyForcibly(); // SIGKILL
        child.waitFor(30, TimeUnit.SECONDS);
      }
      if (pendingEpoch(log) > lastCommitted(log)) {
        killedMidCommit++;
      }
    }
    Process last = startChild(source, sink, checkpoint, "drain");
    assertThat(last.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(last.exitValue()).isZero();
    String childLog = Files.readString(tmp.resolve("child.log"));
    System.out.printf(
        "StreamingSinkKillTest: %d kills, %d during a commit, %d rows; restarts cut back %d"
            + " commits%n",
        KILLS,
        killedMidCommit,
        appended,
        childLog.lines().filter(l -> l.contains("was not committed")).count());
    assertThat(killedMidCommit).as("kills that cut a commit short").isGreaterThanOrEqualTo(3);
    assertThat(childLog)
        .as("a restart took out a cut-short commit's rows")
        .contains("was not committed");
    String check =
        "a = np.load(sys.argv[1], mmap_mode='r')\n"
            + "n = int(sys.argv[2])\n"
            + "assert a.dtype == np.dtype('<i8') and a.shape == (n,), (a.dtype, a.shape, n)\n"
            + "assert (a == np.arange(n)).all(), 'rows lost, repeated or reordered'\n"
            + "print('ok')\n";
    assertThat(Numpy.run(check, sink.toString(), Long.toString(appended)).trim()).isEqualTo("ok");
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")))
          .as("staging directories and temporary files of killed commits, once replayed")
          .isEmpty();
    }
    assertThat(log.resolve("pending")).doesNotExist();
  }

  /** The newest epoch in the sink's log (one query writes there), -1 before the first. */
  private static long lastCommitted(Path log) throws IOException {
    if (!Files.isDirectory(log)) {
      return -1;
    }
    try (Stream<Path> queries = Files.list(log)) {
      long last = -1;
      for (Path q : queries.filter(Files::isDirectory).toList()) {
        try (Stream<Path> epochs = Files.list(q)) {
          last =
              Math.max(
                  last,
                  epochs
                      .map(e -> e.getFileName().toString())
                      .filter(n -> n.chars().allMatch(Character::isDigit))
                      .mapToLong(Long::parseLong)
                      .max()
                      .orElse(-1));
        }
      }
      return last;
    }
  }

  /** The epoch of the sink's pending entry, -1 when there is none. */
  private static long pendingEpoch(Path log) {
    try {
      return JSON.readTree(log.resolve("pending").toFile()).get("epoch").asLong();
    } catch (IOException | RuntimeException e) {
      return -1; // none, or being written
    }
  }

  /** Appends rows {@code from}, {@code from + 1}, … as the producer; returns the new total. */
  private static long append(Path file, long from, int rows) throws IOException {
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(LongStream.range(from, from + rows).toArray(), rows);
    }
    return from + rows;
  }

  private static Process startChild(Path source, Path sink, Path checkpoint, String mode)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-XX:+IgnoreUnrecognized")) {
        cmd.add(arg);
      }
    }
    cmd.addAll(
        List.of(
            "-Xmx512m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            StreamingSinkKillTest.class.getName(),
            source.toString(),
            sink.toString(),
            checkpoint.toString(),
            mode));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(sink.resolveSibling("child.log").toFile()))
        .start();
  }

  /**
   * The child: streams {@code source} into {@code sink} until killed ({@code run}), or until
   * everything there is delivered ({@code drain}). Its commits pause at random at their steps, so
   * that kills land between them.
   */
  public static void main(String[] args) throws Exception {
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("npy-sink-kill-child")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
    boolean drain = args[3].equals("drain");
    if (!drain) {
      CommitFaults.install(
          (step, at) -> {
            try {
              Thread.sleep(ThreadLocalRandom.current().nextInt(50, 150));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
    StreamingQuery q =
        spark
            .readStream()
            .format("npy")
            .load(args[0])
            .writeStream()
            .format("npy")
            .option("checkpointLocation", args[2])
            .trigger(drain ? Trigger.AvailableNow() : Trigger.ProcessingTime(0))
            .start(args[1]);
    q.awaitTermination();
    spark.stop();
  }
}
