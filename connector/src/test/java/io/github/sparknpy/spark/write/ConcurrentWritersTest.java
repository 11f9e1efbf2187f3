package io.github.sparknpy.spark.write;

import static io.github.sparknpy.npy.testing.LockProbe.lockedForOtherProcesses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.sparknpy.npy.ExclusiveFile;
import io.github.sparknpy.npy.NpyAppendArray;
import io.github.sparknpy.npy.error.NpyFileBusyException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.npy.testing.Soak;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several writers on one path, as in production: Spark jobs and a core logger process appending to
 * one file, jobs creating the same new path, jobs appending to a file without spare header space.
 * No acknowledged row is ever lost; the losing side of a race gets a clear error or waits. Races
 * run a few bounded rounds; numpy checks every file.
 */
class ConcurrentWritersTest extends WriterTestBase {

  @AfterEach
  void noFaults() {
    CommitFaults.clear();
    FaultyFileSystem.reset();
  }

  /**
   * Child process: a logger appending rows {@code [-1, i]} for i in [0, count) one at a time, with
   * header rewrites and the lock taken per append (as processes sharing a file must), pausing now
   * and then like a real one.
   */
  public static void main(String[] args) throws Exception {
    try (NpyAppendArray out = NpyAppendArray.builder(Paths.get(args[0])).holdLock(false).open()) {
      for (int i = 0, n = Integer.parseInt(args[1]); i < n; i++) {
        out.append(new long[] {-1, i}, 1, 2);
        if (i % 5 == 0) {
          Thread.sleep(1);
        }
      }
    }
  }

  private static void appendRange(Path out, long from, long to, int partitions) {
    sql("SELECT id AS a, id AS b FROM range(%d, %d, 1, %d)", from, to, partitions)
        .write()
        .format("npy")
        .mode(SaveMode.Append)
        .option("layout", "matrix")
        .save(out.toString());
  }

  @Test
  void aLocalAppendHoldsTheFileLockUntilItsHeaderIsWritten() throws Exception {
    Path out = tmp.resolve("locked.npy");
    appendRange(out, 0, 10, 1);
    List<Boolean> locked = new CopyOnWriteArrayList<>();
    CommitFaults.install(
        (step, file) -> locked.add(lockedForOtherProcesses(Path.of(file.toUri()))));
    appendRange(out, 10, 20, 2);
    // Before: the commit re-opened the file to read its header, and closing that descriptor
    // released its lock; another process could append between the data and the header.
    assertThat(locked).containsExactly(true, true); // DATA_WRITTEN, HEADER_WRITTEN
    assertThat(
            Numpy.run("print(np.load(sys.argv[1]).tolist() == [[i, i] for i in range(20)])", out))
        .isEqualToIgnoringWhitespace("True");
  }

  @Test
  void sparkAppendsAndALoggerProcessOnOneFileLoseNoRow() throws Exception {
    Path out = tmp.resolve("shared.npy");
    appendRange(out, 0, 1, 1);
    int loggerRows = 4000;
    Process logger =
        new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ConcurrentWritersTest.class.getName(),
                out.toString(),
                String.valueOf(loggerRows))
            .inheritIO()
            .start();
    int rounds = 0;
    long next = 1;
    while (logger.isAlive() || rounds < Soak.rounds(3)) {
      appendRange(out, next, next + 20_000, 2);
      next += 20_000;
      rounds++;
    }
    assertThat(logger.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(logger.exitValue()).isZero();
    String check =
        "a = np.load(sys.argv[1])\n"
            + "n, spark = int(sys.argv[2]), int(sys.argv[3])\n"
            + "log = a[a[:, 0] == -1]\n"
            + "rest = a[a[:, 0] != -1]\n"
            + "assert log[:, 1].tolist() == list(range(n)), 'logger rows lost or reordered'\n"
            + "assert rest[:, 0].tolist() == list(range(spark)), 'spark rows lost or reordered'\n"
            + "assert (rest[:, 0] == rest[:, 1]).all()\n"
            + "print('ok', a.shape[0])\n";
    assertThat(Numpy.run(check, out, loggerRows, next).trim())
        .isEqualTo("ok " + (loggerRows + next));
  }

  @Test
  void aPathCreatedByAnotherWriteBeforeTheCommitIsNeverReplaced() throws Exception {
    Path out = tmp.resolve("created.npy");
    String other = "np.save(sys.argv[1], np.array([[-5, -5], [-6, -6]], dtype='<i8'))";
    CommitFaults.install(
        (step, file) -> {
          if (!Files.exists(out)) {
            Numpy.run(other, out);
          }
        });
    // ErrorIfExists (CREATE TABLE AS SELECT): fails, the other write's file stays as it was
    Throwable failure =
        catchThrowable(
            () ->
                sql("SELECT id AS a, id AS b FROM range(0, 4, 1, 2)")
                    .write()
                    .format("npy")
                    .option("layout", "matrix")
                    .save(out.toString()));
    assertThat(root(failure))
        .isInstanceOf(NpyWriteException.class)
        .hasMessageContaining("Cannot create file:" + out)
        .hasMessageContaining("another write created it while this job ran")
        .hasMessageContaining("Nothing was written");
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", out).trim())
        .isEqualTo("[[-5, -5], [-6, -6]]");
    assertThat(hiddenLeftovers(tmp)).isEmpty();

    // Append to a path that did not exist at planning: appends to what the other write created
    Files.delete(out);
    appendRange(out, 0, 4, 2);
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", out).trim())
        .isEqualTo("[[-5, -5], [-6, -6], [0, 0], [1, 1], [2, 2], [3, 3]]");

    // Overwrite: replaces it
    Files.delete(out);
    sql("SELECT id AS a, id AS b FROM range(7, 9, 1, 2)")
        .write()
        .format("npy")
        .mode(SaveMode.Overwrite)
        .option("layout", "matrix")
        .save(out.toString());
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", out).trim())
        .isEqualTo("[[7, 7], [8, 8]]");
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void twoJobsCreatingOnePathOneWinsTheOtherFailsClearly() throws Exception {
    for (int round = 0; round < Soak.rounds(3); round++) {
      Path out = tmp.resolve("race-" + round + ".npy");
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      List<Integer> winners = new CopyOnWriteArrayList<>();
      race(
          job -> {
            try {
              sql("SELECT %d AS a, id AS b FROM range(0, 50000, 1, 2)", job)
                  .write()
                  .format("npy")
                  .option("layout", "matrix")
                  .save(out.toString());
              winners.add(job);
            } catch (Exception e) {
              failures.add(e);
            }
          });
      assertThat(winners).hasSize(1);
      assertThat(failures).hasSize(1);
      // Spark's check on the driver, or the commit's if both planned before either committed
      assertThat(root(failures.get(0)).getMessage())
          .containsAnyOf("already exists", "another write");
      assertThat(
              Numpy.run(
                  "a = np.load(sys.argv[1]); print(a.shape[0], sorted(set(a[:, 0].tolist())))",
                  out))
          .isEqualToIgnoringWhitespace("50000[" + winners.get(0) + "]");
    }
  }

  @Test
  void twoJobsAppendingToOneNewPathKeepEveryRow() throws Exception {
    for (int round = 0; round < Soak.rounds(3); round++) {
      Path out = tmp.resolve("both-" + round + ".npy");
      race(job -> appendJob(out, job, 50_000));
      assertBlocks(out, 50_000, 1, 2);
    }
  }

  @Test
  void twoJobsAppendingToAFileWithoutSpareHeaderSpaceKeepEveryRow() throws Exception {
    for (int round = 0; round < Soak.rounds(3); round++) {
      Path out = tmp.resolve("legacy-" + round + ".npy");
      Numpy.run(
          "a = np.zeros((3, 2), dtype='<i8')\n"
              + "h = \"{'descr': '<i8', 'fortran_order': False, 'shape': (3, 2), }\"\n"
              + "h = h + ' ' * ((16 - (10 + len(h) + 1) % 16) % 16) + '\\n'\n"
              + "with open(sys.argv[1], 'wb') as f:\n"
              + "    f.write(b'\\x93NUMPY\\x01\\x00' + len(h).to_bytes(2, 'little') + h.encode())\n"
              + "    f.write(a.tobytes())\n",
          out);
      race(job -> appendJob(out, job, 200_000));
      assertBlocks(out, 200_000, 1, 2);
      assertThat(Numpy.run("print(np.load(sys.argv[1])[:3].tolist())", out).trim())
          .isEqualTo("[[0, 0], [0, 0], [0, 0]]");
    }
  }

  @Test
  void anAppendPlannedWhileAnotherWriterIsMidAppendWaitsForIt() throws Exception {
    Path out = tmp.resolve("mid.npy");
    appendRange(out, 0, 2, 1);
    Future<?> job;
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (ExclusiveFile other = ExclusiveFile.open(out)) {
      // another writer's append, half done: its rows are on disk, its header not yet
      ByteBuffer rows = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
      rows.putLong(100).putLong(100).putLong(101).putLong(101).flip();
      long end = other.size();
      other.channel().write(rows, end);
      job = pool.submit(() -> appendRange(out, 2, 4, 1));
      Thread.sleep(1500);
      assertThat(job.isDone()).as("the planning waits for the other append").isFalse();
      EncodedHeader h = other.readHeader(EncodedHeader.DEFAULT_MAX_HEADER_BYTES);
      NpyHeader grown = h.header().withRowCount(4);
      other.channel().write(ByteBuffer.wrap(grown.encode(h.version(), h.dataOffset())), 0);
    } finally {
      pool.shutdown();
    }
    job.get(120, TimeUnit.SECONDS);
    assertThat(Numpy.run("print(np.load(sys.argv[1])[:, 0].tolist())", out).trim())
        .isEqualTo("[0, 1, 100, 101, 2, 3]");
  }

  @Test
  void anAppendToAFileWithUncountedRowsSaysToWaitOrRecover() throws Exception {
    Path out = tmp.resolve("deferred.npy");
    // a logger with deferred header writes between two header updates: more data than counted
    try (NpyAppendArray log =
        NpyAppendArray.builder(out)
            .rewriteHeaderOnAppend(false)
            .bufferBytes(0)
            .holdLock(false)
            .open()) {
      log.append(new long[] {1, 1}, 1, 2);
      log.flush();
      assertThatThrownBy(() -> appendRange(out, 0, 2, 1))
          .isInstanceOf(NpyNeedsRecoveryException.class)
          .hasMessageContaining("Cannot append to " + out + ":")
          .hasMessageContaining("header says 0 bytes of data but the file has 16")
          .hasMessageContaining("wait until it closes the file")
          .hasMessageContaining("if none is, an append was interrupted: run 'npy recover");
    }
  }

  @Test
  void anAppendToAFileALoggerOfThisJvmHoldsIsRefusedAndLeavesItAsItWas() throws Exception {
    Path out = tmp.resolve("held.npy");
    try (NpyAppendArray log = NpyAppendArray.open(out)) {
      log.append(new long[] {1, 1}, 1, 2);
      byte[] before = Files.readAllBytes(out);
      Throwable thrown = catchThrowable(() -> appendRange(out, 0, 2, 1));
      Throwable busy = thrown;
      while (busy != null && !(busy instanceof NpyFileBusyException)) {
        busy = busy.getCause();
      }
      assertThat(busy)
          .as("cause of %s", thrown)
          .isInstanceOf(NpyFileBusyException.class)
          .hasMessageContaining("Cannot lock " + out.toRealPath() + ": an NpyAppendArray in this")
          .hasMessageContaining("Close that appender first");
      assertThat(Files.readAllBytes(out)).isEqualTo(before);
      log.append(new long[] {2, 2}, 1, 2);
    }
    appendRange(out, 3, 5, 1);
    assertThat(Numpy.run("print(np.load(sys.argv[1])[:, 0].tolist())", out).trim())
        .isEqualTo("[1, 2, 3, 4]");
  }

  @Test
  void partFilesOfTwoJobsInOneDirectoryGetDisjointOrderedNumbers() throws Exception {
    Path out = tmp.resolve("parts");
    for (int round = 0; round < Soak.rounds(3); round++) {
      race(job -> writeParts(out, job, SaveMode.Append));
    }
    List<String> names;
    try (var s = Files.list(out)) {
      names =
          s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".npy")).sorted().toList();
    }
    int rounds = Soak.rounds(3);
    assertThat(names).hasSize(6 * rounds).allMatch(n -> n.matches("part-\\d{5}-.*\\.npy"));
    // each number once; a query's parts are consecutive numbers, never interleaved with another
    // query's (a number may be skipped: one a commit claimed, lost to the other, and gave back)
    List<String> queries = new ArrayList<>();
    int previous = -1;
    for (int i = 0; i < names.size(); i++) {
      int number = Integer.parseInt(names.get(i).substring(5, 10));
      String query = names.get(i).substring(11);
      if (i % 3 == 0) {
        assertThat(number).isGreaterThan(previous);
        assertThat(queries).doesNotContain(query);
        queries.add(query);
      } else {
        assertThat(number).as(names.get(i)).isEqualTo(previous + 1);
        assertThat(query).isEqualTo(queries.get(queries.size() - 1));
      }
      previous = number;
    }
    assertThat(
            Numpy.run(PARTS + "print(a.shape[0], (a[:, 0] == 1).sum(), (a[:, 0] == 2).sum())", out)
                .trim())
        .isEqualTo((60000 * rounds) + " " + (30000 * rounds) + " " + (30000 * rounds));
    try (var s = Files.list(out)) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")))
          .as("no claim left behind")
          .isEmpty();
    }
  }

  @Test
  void twoOverwritesOfOnePartDirectoryLeaveOneJobsParts() throws Exception {
    Path out = tmp.resolve("overwritten");
    for (int round = 0; round < Soak.rounds(3); round++) {
      race(job -> writeParts(out, job, SaveMode.Overwrite));
      String seen =
          Numpy.run(
                  PARTS
                      + "print(a.shape[0], sorted(set(a[:, 0].tolist())),"
                      + " a[:, 1].tolist() == list(range(30000)))",
                  out)
              .trim();
      assertThat(seen).matches("30000 \\[[12]\\] True");
    }
  }

  @Test
  void aRemoteAppendReadsTheFileAgainIfItChangedWhileCopying() throws Exception {
    FakeRemoteFileSystem.register(spark().sparkContext().hadoopConfiguration());
    Path out = tmp.resolve("remote.npy");
    Numpy.run("np.save(sys.argv[1], np.array([[-1, 0]], dtype='<i8'))", out);
    java.util.concurrent.atomic.AtomicInteger changes =
        new java.util.concurrent.atomic.AtomicInteger();
    CommitFaults.install(
        (step, file) -> {
          if (changes.getAndIncrement() == 0) {
            // another job's Append publishes a longer file meanwhile (a new file renamed over it)
            Numpy.run(
                "import os\n"
                    + "np.save(sys.argv[1] + '.tmp.npy', np.array([[-1, 0], [-1, 1]], dtype='<i8'))\n"
                    + "os.replace(sys.argv[1] + '.tmp.npy', sys.argv[1])",
                out);
          }
        });
    sql("SELECT id AS a, id AS b FROM range(0, 3, 1, 2)")
        .write()
        .format("npy")
        .mode(SaveMode.Append)
        .option("layout", "matrix")
        .save(FakeRemoteFileSystem.SCHEME + "://" + out.toAbsolutePath());
    assertThat(changes.get()).isEqualTo(2);
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", out).trim())
        .isEqualTo("[[-1, 0], [-1, 1], [0, 0], [1, 1], [2, 2]]");
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void aFileDeletedWhileAnAppendIsPlannedIsListedAgainOrFailsClearly() throws Exception {
    FaultyFileSystem.register(spark().sparkContext().hadoopConfiguration());
    Path dir = tmp.resolve("deleting");
    writeParts(dir, 1, SaveMode.Append);
    String remote = FaultyFileSystem.SCHEME + "://" + dir.toAbsolutePath();
    // another write's Overwrite deletes the part this Append reads its header from (the first
    // open: a write does not read its target's schema)
    FaultyFileSystem.deleteOnOpen = "part-00000-.*\\.npy";
    FaultyFileSystem.opensBeforeDelete = 0;
    sql("SELECT 2 AS a, id AS b FROM range(0, 30000, 1, 3)")
        .write()
        .format("npy")
        .mode(SaveMode.Append)
        .option("merge", "false")
        .option("layout", "matrix")
        .save(remote);
    assertThat(Numpy.run(PARTS + "print(a.shape[0], (a[:, 0] == 2).sum())", dir).trim())
        .isEqualTo("50000 30000");

    Path file = tmp.resolve("deleting.npy");
    appendRange(file, 0, 3, 1);
    FaultyFileSystem.deleteOnOpen = "deleting\\.npy";
    FaultyFileSystem.opensBeforeDelete = 0;
    Throwable failure =
        catchThrowable(
            () ->
                sql("SELECT id AS a, id AS b FROM range(2)")
                    .write()
                    .format("npy")
                    .mode(SaveMode.Append)
                    .option("layout", "matrix")
                    .save(FaultyFileSystem.SCHEME + "://" + file.toAbsolutePath()));
    assertThat(root(failure).getClass().getSimpleName()).isIn("FileNotFoundException");
    assertThat(failure)
        .isInstanceOf(NpyWriteException.class)
        .hasMessageContaining("Cannot append to " + FaultyFileSystem.SCHEME + ":" + file)
        .hasMessageContaining("was deleted while this write was planned")
        .hasMessageContaining("Nothing was written; run the write again");
  }

  // ------------------------------------------------------------------------------- helpers

  private interface Job {
    void run(int job) throws Exception;
  }

  /** Runs jobs 1 and 2 at once, bounded in time. */
  private static void race(Job job) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Object>> done = new ArrayList<>();
      for (int j = 1; j <= 2; j++) {
        int id = j;
        Callable<Object> c =
            () -> {
              job.run(id);
              return null;
            };
        done.add(pool.submit(c));
      }
      for (Future<Object> f : done) {
        f.get(300, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * numpy: the part files of directory {@code sys.argv[1]} concatenated in name order, as {@code
   * a}.
   */
  private static final String PARTS =
      "import glob, os\n"
          + "files = sorted(glob.glob(os.path.join(sys.argv[1], 'part-*.npy')))\n"
          + "a = np.concatenate([np.load(f) for f in files])\n";

  /** 30,000 rows {@code [job, i]} as three part files. */
  private static void writeParts(Path out, int job, SaveMode mode) {
    sql("SELECT %d AS a, id AS b FROM range(0, 30000, 1, 3)", job)
        .write()
        .format("npy")
        .mode(mode)
        .option("merge", "false")
        .option("layout", "matrix")
        .save(out.toString());
  }

  private static void appendJob(Path out, int job, int rows) {
    sql("SELECT %d AS a, id AS b FROM range(0, %d, 1, 2)", job, rows)
        .write()
        .format("npy")
        .mode(SaveMode.Append)
        .option("layout", "matrix")
        .save(out.toString());
  }

  /** Each job's rows are all there, once, in order and in one block. */
  private static void assertBlocks(Path out, int rows, int... jobs) {
    String check =
        "a = np.load(sys.argv[1])\n"
            + "n = int(sys.argv[2])\n"
            + "for job in sys.argv[3:]:\n"
            + "    idx = np.nonzero(a[:, 0] == int(job))[0]\n"
            + "    assert len(idx) == n, (job, len(idx))\n"
            + "    assert (np.diff(idx) == 1).all(), 'not one block'\n"
            + "    assert a[idx, 1].tolist() == list(range(n)), 'rows out of order'\n"
            + "print('ok')\n";
    List<Object> args = new ArrayList<>(List.of(out, rows));
    for (int j : jobs) {
      args.add(j);
    }
    assertThat(Numpy.run(check, args.toArray()).trim()).isEqualTo("ok");
  }

  private static Throwable root(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
