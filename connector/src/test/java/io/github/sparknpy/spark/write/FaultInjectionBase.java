package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.testing.DirectorySnapshot;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fault-injection tests' tools: frames whose tasks fail on demand, numpy's check that the output
 * holds exactly the expected rows in order, and snapshots of whole directory trees (every file,
 * hidden ones included, with its SHA-256) to show that a failed write changed nothing and left
 * nothing behind.
 */
abstract class FaultInjectionBase extends WriterTestBase {
  /** Rows per partition of {@link #frame}; a task fails at this offset within its partition. */
  static final long ROWS_PER_PARTITION = 1000;

  static final long FAIL_AT = 500;

  /** How the tasks of {@link #frame} fail. */
  enum TaskFault {
    NONE,
    /** Every partition's first attempt fails after {@link #FAIL_AT} rows; retries succeed. */
    FIRST_ATTEMPT,
    /** Partition 1 fails after {@link #FAIL_AT} rows on every attempt: the job aborts. */
    ALWAYS
  }

  @BeforeAll
  static void registerUdfs() {
    spark()
        .udf()
        .register(
            "npy_fault",
            (UDF2<Long, Integer, Long>)
                (id, fault) -> {
                  TaskContext tc = TaskContext.get();
                  boolean at = id % ROWS_PER_PARTITION == FAIL_AT;
                  if (at && fault == 1 && tc.attemptNumber() == 0) {
                    throw new IllegalStateException(
                        "injected failure in attempt 0 of partition " + tc.partitionId());
                  }
                  if (at && fault == 2 && tc.partitionId() == 1) {
                    throw new IllegalStateException(
                        "injected failure in attempt "
                            + tc.attemptNumber()
                            + " of partition "
                            + tc.partitionId());
                  }
                  return id;
                },
            DataTypes.LongType);
  }

  /**
   * Rows {@code [from, to)} in partitions of {@link #ROWS_PER_PARTITION}: {@code x} (long), {@code
   * y = x / 2} (double) and, with {@code strings}, {@code s = 'r' + x} (automatic width: the task
   * spills rows locally first).
   */
  static Dataset<Row> frame(long from, long to, TaskFault fault, boolean strings) {
    return sql(
        "SELECT npy_fault(id, %d) AS x, CAST(id AS DOUBLE) * 0.5 AS y%s FROM range(%d, %d, 1, %d)",
        fault.ordinal(),
        strings ? ", CONCAT('r', id) AS s" : "",
        from,
        to,
        (to - from) / ROWS_PER_PARTITION);
  }

  static void write(Dataset<Row> df, SaveMode mode, String path, boolean merge) {
    df.write()
        .format("npy")
        .mode(mode)
        .option("merge", String.valueOf(merge))
        .option("batchBytes", "4k") // several batches reach the task's file before a fault
        .save(path);
  }

  /**
   * numpy loads {@code target} (one file, or the {@code part-*.npy} of a directory in name order,
   * concatenated) and finds exactly the rows of {@code ranges} ("from:to,from:to"), in order.
   */
  static void assertRows(Path target, String ranges) {
    String n =
        Numpy.run(
            "import glob, os\n"
                + "p = sys.argv[1]\n"
                + "if os.path.isdir(p):\n"
                + "    a = np.concatenate([np.load(f) for f in"
                + " sorted(glob.glob(os.path.join(p, 'part-*.npy')))])\n"
                + "else:\n"
                + "    a = np.load(p)\n"
                + "e = np.concatenate([np.arange(int(r.split(':')[0]), int(r.split(':')[1]))"
                + " for r in sys.argv[2].split(',')])\n"
                + "assert a.shape == e.shape, (a.shape, e.shape)\n"
                + "assert (a['x'] == e).all(), 'x differs'\n"
                + "assert (a['y'] == e * 0.5).all(), 'y differs'\n"
                + "if 's' in a.dtype.names:\n"
                + "    assert (a['s'] == np.array(['r%d' % i for i in e])).all(), 's differs'\n"
                + "print(len(a))",
            target, ranges);
    assertThat(n.trim()).as("rows numpy reads from " + target).isNotEmpty();
  }

  /** Every file and directory under {@code root}, hidden ones included: relative path → SHA-256. */
  static Map<String, String> snapshot(Path root) {
    return DirectorySnapshot.of(root).digests();
  }

  @BeforeAll
  static void registerFileSystem() {
    FaultyFileSystem.register(spark().sparkContext().hadoopConfiguration());
  }

  /** No fault stays armed for the next test. */
  @AfterEach
  void noFaults() {
    CommitFaults.clear();
    FaultyFileSystem.reset();
  }

  /** Names anywhere under {@code root} that a finished write must not leave (hidden names). */
  static List<String> hiddenAnywhere(Path root) {
    return snapshot(root).keySet().stream()
        .filter(rel -> Stream.of(rel.split("/")).anyMatch(n -> n.startsWith(".")))
        .toList();
  }

  /** Task writers' local directories ({@code npy-write-*}) left in Spark's local dir. */
  static List<String> localWriterLeftovers() {
    Path local = LocalScratch.root(0);
    try (Stream<Path> s = Files.list(local)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("npy-write-"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Spark's task end events are asynchronous: a failed attempt's abort may still be running. */
  static List<String> localWriterLeftoversAfterTasksEnd() throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    List<String> left = localWriterLeftovers();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = localWriterLeftovers();
    }
    return left;
  }
}
