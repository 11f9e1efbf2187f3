package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.NpyAppendArray;
import io.github.sparknpy.npy.testing.Soak;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.lang3.exception.ExceptionUtils;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/**
 * Reads racing overwrites (a new file renamed over the path, as the writer publishes one): every
 * read returns one whole version or fails saying the file changed; never rows of two versions.
 */
class ReadDuringOverwriteTest extends NpyReadTestBase {
  private static final int[] ROWS = {480_000, 350_000, 410_000};
  private static final int MAX_ROUNDS = Soak.rounds(20);
  private static final long MAX_MILLIS = Soak.millis(40_000);

  /** Publishes {@code source} at {@code target} as the connector's writer does: one rename. */
  private static void publish(Path source, Path target) throws Exception {
    Path staged = target.resolveSibling(".staged-" + Thread.currentThread().getId());
    Files.copy(source, staged, StandardCopyOption.REPLACE_EXISTING);
    Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void aReadRacingOverwritesReturnsOneVersionOrFailsAsChanged() throws Exception {
    Path versions = newDir("versions");
    numpy(
        "for k, n in enumerate(json.loads(sys.argv[2])):\n"
            + "    np.save(sys.argv[1] + '/v%d.npy' % k, np.full(n, float(k)))",
        versions, "[480000, 350000, 410000]");
    Path target = newDir("table").resolve("data.npy");
    Files.copy(versions.resolve("v0.npy"), target);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger published = new AtomicInteger();
    Thread writer =
        new Thread(
            () -> {
              try {
                for (int i = 1; !stop.get(); i++) {
                  publish(versions.resolve("v" + (i % 3) + ".npy"), target);
                  published.incrementAndGet();
                  // bursts of overwrites, then a quiet second in which reads can finish whole
                  Thread.sleep(i % 4 == 0 ? 1000 : 20 + (i * 37) % 60);
                }
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            },
            "overwriter");
    writer.setDaemon(true);
    List<String> mixed = new ArrayList<>();
    int whole = 0;
    int changed = 0;
    long deadline = System.currentTimeMillis() + MAX_MILLIS;
    writer.start();
    try {
      for (int round = 0; round < MAX_ROUNDS && System.currentTimeMillis() < deadline; round++) {
        List<Double> rows;
        try {
          rows =
              spark()
                  .read()
                  .format("npy")
                  .option("maxPartitionBytes", "262144")
                  .load(target.toString())
                  .as(Encoders.DOUBLE())
                  .collectAsList();
        } catch (Exception e) {
          String trace = ExceptionUtils.getStackTrace(e);
          assertThat(trace)
              .contains("NpyFileChangedException")
              .contains("Cannot read " + target.toUri().toString().replace("file:///", "file:/"))
              .contains("it changed while the query ran")
              .contains("run the query again");
          changed++;
          continue;
        }
        double first = rows.get(0);
        long sameAsFirst = rows.stream().filter(v -> v == first).count();
        if (sameAsFirst != rows.size() || rows.size() != ROWS[(int) first]) {
          mixed.add(
              "round "
                  + round
                  + ": "
                  + rows.size()
                  + " rows, "
                  + sameAsFirst
                  + " of version "
                  + first);
        } else {
          whole++;
        }
      }
    } finally {
      stop.set(true);
      writer.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(published.get()).isPositive();
    assertThat(mixed)
        .as("reads that mixed versions (whole: %d, failed as changed: %d)", whole, changed)
        .isEmpty();
    assertThat(whole + changed).isPositive();
    // numpy agrees on what the versions hold
    assertThat(numpy("print(np.load(sys.argv[1]).shape[0])", versions.resolve("v1.npy")).trim())
        .isEqualTo("350000");
  }

  @Test
  void aDataFrameOverLongsFailsOnceTheFileWasReplacedByDoubles() throws Exception {
    Path dir = newDir("retyped");
    Path target = dir.resolve("x.npy");
    numpy(
        "np.save(sys.argv[1], np.arange(5, dtype='<i8'))\n"
            + "np.save(sys.argv[2], np.arange(5, dtype='<f8') + 0.5)",
        target,
        dir.resolve(".next.npy"));
    // the same length and the same listed (millisecond) modification time: only the inode tells
    // the scan that the file its DataFrame read at load is not there any more
    java.nio.file.attribute.FileTime sameMillisecond =
        java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_123L);
    Files.setLastModifiedTime(target, sameMillisecond);
    Files.setLastModifiedTime(dir.resolve(".next.npy"), sameMillisecond);
    var df = spark().read().format("npy").load(target.toString());
    assertThat(df.schema().apply("value").dataType()).isEqualTo(DataTypes.LongType);
    Files.move(
        dir.resolve(".next.npy"),
        target,
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(df::collectAsList)
        .isInstanceOf(NpyFileChangedException.class)
        .hasMessageContaining(
            "Cannot read column value of "
                + target.toUri().toString().replace("file:///", "file:/"))
        .hasMessageContaining("it was bigint when the DataFrame was defined")
        .hasMessageContaining("now makes it double")
        .hasMessageContaining("define the DataFrame again");
    // A DataFrame defined again reads what numpy reads.
    assertThat(
            spark()
                .read()
                .format("npy")
                .load(target.toString())
                .as(Encoders.DOUBLE())
                .collectAsList())
        .containsExactly(0.5, 1.5, 2.5, 3.5, 4.5);
    assertThat(numpy("print(np.load(sys.argv[1]).tolist())", target).trim())
        .isEqualTo("[0.5, 1.5, 2.5, 3.5, 4.5]");
  }

  @Test
  void aPlanReadsItsPlannedRowsOfAFileAppendedToInPlaceAfterPlanning() throws Exception {
    Path file = newDir("appended").resolve("log.npy");
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      for (int i = 0; i < 10; i++) {
        out.appendRow(new double[] {i});
      }
    }
    var plan =
        spark()
            .read()
            .format("npy")
            .load(file.toString())
            .selectExpr("value[0]")
            .queryExecution()
            .executedPlan();
    Object inode = Files.getAttribute(file, "unix:ino");
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      for (int i = 10; i < 15; i++) {
        out.appendRow(new double[] {i});
      }
    }
    assertThat(Files.getAttribute(file, "unix:ino")).isEqualTo(inode); // in place

    var rows = plan.executeCollect();
    assertThat(rows).hasSize(10);
    for (int i = 0; i < rows.length; i++) {
      assertThat(rows[i].getDouble(0)).isEqualTo((double) i);
    }
    assertThat(numpy("print(np.load(sys.argv[1]).shape)", file).trim()).isEqualTo("(15, 1)");
  }

  @Test
  void aFileReplacedAfterPlanningFailsEvenWithIgnoreCorruptFiles() throws Exception {
    Path dir = newDir("replaced");
    Path target = dir.resolve("x.npy");
    numpy(
        "np.save(sys.argv[1], np.arange(6.0))\n" + "np.save(sys.argv[2], np.arange(6.0) * 10)",
        target,
        dir.resolve(".next.npy"));
    var plan =
        spark()
            .read()
            .format("npy")
            .option("ignoreCorruptFiles", "true")
            .load(target.toString())
            .queryExecution()
            .executedPlan();
    Files.move(
        dir.resolve(".next.npy"),
        target,
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(plan::executeCollect)
        .hasStackTraceContaining("NpyFileChangedException")
        .hasStackTraceContaining(
            "Cannot read " + target.toUri().toString().replace("file:///", "file:/"))
        .hasStackTraceContaining(
            "it changed while the query ran (another file was published at its path)")
        .hasStackTraceContaining("Planned: 176 bytes")
        .hasStackTraceContaining("run the query again");
    assertThat(numpy("print(np.load(sys.argv[1])[-1])", target).trim()).isEqualTo("50.0");
  }

  @Test
  void readsRacingInPlaceAppendsSeeWholePrefixesAndNeverFailAsChanged() throws Exception {
    Path file = newDir("live-race").resolve("log.npy");
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      for (int i = 0; i < 20_000; i++) {
        out.appendRow(new double[] {i});
      }
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger appended = new AtomicInteger(20_000);
    Thread appender =
        new Thread(
            () -> {
              try (NpyAppendArray out = NpyAppendArray.open(file)) {
                for (int i = 20_000; !stop.get() && i < 300_000; i++) {
                  out.appendRow(new double[] {i});
                  appended.incrementAndGet();
                }
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            },
            "appender");
    appender.setDaemon(true);
    long deadline = System.currentTimeMillis() + Soak.millis(30_000);
    int rounds = 0;
    appender.start();
    try {
      for (; rounds < Soak.rounds(10) && System.currentTimeMillis() < deadline; rounds++) {
        List<Double> rows =
            spark()
                .read()
                .format("npy")
                .option("maxPartitionBytes", "262144")
                .load(file.toString())
                .selectExpr("value[0]")
                .as(Encoders.DOUBLE())
                .collectAsList();
        assertThat(rows.size()).isGreaterThanOrEqualTo(20_000);
        for (int i = 0; i < rows.size(); i++) {
          if (rows.get(i) != i) {
            throw new AssertionError("round " + rounds + ": row " + i + " is " + rows.get(i));
          }
        }
      }
    } finally {
      stop.set(true);
      appender.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(rounds).isPositive();
    assertThat(numpy("print(np.load(sys.argv[1]).shape[0])", file).trim())
        .isEqualTo(Integer.toString(appended.get()));
  }
}
