package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.CrashChild.Outcome;
import io.github.sparknpy.npy.CrashChild.Rows;
import io.github.sparknpy.npy.cli.NpyCli;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.testing.NumpyProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends deterministic rows and is killed with SIGKILL at random moments; after each
 * kill the file is recovered (API or CLI) and numpy must load an exact prefix of the rows holding
 * at least every acknowledged row and at most the rows in flight: one with a header rewrite per
 * append or {@code bufferBytes=0}, the rows since the last {@code flush()} when buffered. Then the
 * next child appends to the recovered file. The seed is printed; rerun with {@code
 * -Dcrash.seed=...}. Two files are worked on in parallel to halve the wall time.
 */
class CrashKillRecoveryTest {
  private static final long SEED = Long.getLong("crash.seed", System.nanoTime());

  static final String PRELUDE =
      String.join(
          "\n",
          "def rec(i):",
          "    a = np.zeros(len(i), dtype=[('id', '<i8'), ('x', '<f4'), ('tag', 'S4')])",
          "    a['id'] = i",
          "    a['x'] = (i * 0.25).astype(np.float32)",
          "    a['tag'] = [b'%04d' % (k % 10000) for k in i.tolist()]",
          "    return a",
          "WANT = {'I8': lambda i: " + Rows.I8.numpyExpected() + ",",
          "        'F8': lambda i: " + Rows.F8.numpyExpected() + ",",
          "        'REC': lambda i: " + Rows.REC.numpyExpected() + "}",
          "def prefix(path, kind):",
          "    a = np.load(path, mmap_mode='r')",
          "    n = a.shape[0]",
          "    i = np.arange(n, dtype=np.float64 if kind == 'F8' else np.int64)",
          "    want = WANT[kind](i)",
          "    if a.dtype != want.dtype or a.shape != want.shape:",
          "        return 'bad layout %s %s' % (a.dtype, a.shape)",
          "    diff = a != want",
          "    if diff.ndim > 1:",
          "        diff = diff.any(axis=1)",
          "    if diff.any():",
          "        return 'bad row %d of %d' % (int(np.argmax(diff)), n)",
          "    return n",
          "def loads(path):",
          "    np.load(path, mmap_mode='r')",
          "    return 'loaded'",
          "");

  private static NumpyProcess numpy;

  @TempDir Path dir;

  @BeforeAll
  static void startNumpy() {
    System.out.println("CrashKillRecoveryTest seed: -Dcrash.seed=" + SEED);
    numpy = new NumpyProcess(PRELUDE);
  }

  @AfterAll
  static void stopNumpy() throws Exception {
    numpy.close();
  }

  @Test
  void killedWhileAppendingWithHeaderRewritesLosesAtMostTheRowInFlight() throws Exception {
    runLanes(
        new Lane("rewrite", Rows.I8, 1, 10, false, 30_000_000),
        new Lane("rewrite", Rows.REC, 1, 6, false, 30_000_000));
  }

  @Test
  void killedWhileAppendingUnbufferedLosesAtMostTheRowInFlight() throws Exception {
    runLanes(
        new Lane("unbuffered", Rows.F8, 1, 5, false, 30_000_000),
        new Lane("unbuffered", Rows.I8, 1, 5, false, 30_000_000));
  }

  @Test
  void killedWhileAppendingBufferedLosesAtMostTheRowsSinceTheLastFlush() throws Exception {
    runLanes(
        new Lane("buffered", Rows.I8, 50, 5, false, 30_000_000),
        new Lane("buffered", Rows.F8, 50, 5, false, 30_000_000));
  }

  @Test
  void killedWhileCreatingTheFileLeavesNothingOrARecoverableFile() throws Exception {
    runLanes(
        new Lane("rewrite", Rows.I8, 1, 8, true, 600_000),
        new Lane("buffered", Rows.REC, 1, 8, true, 600_000));
  }

  @Test
  void recoverRefusesAnEmptyFileWithAdvice() throws Exception {
    Path file = dir.resolve("empty.npy");
    Files.createFile(file);
    assertThatThrownBy(() -> Npy.recover(file, false))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("empty")
        .hasMessageContaining("delete it");
    // What the message promises: appending treats the empty file as new.
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(new long[] {0, 1, 0, 0}, 1, 4);
    }
    assertThat(numpy.call("prefix", file, "I8")).isEqualTo("1");
  }

  /** One file worked on by a series of children, each killed at a random moment. */
  private record Lane(
      String mode, Rows kind, int flushEvery, int kills, boolean fresh, long maxDelayNanos) {}

  private Map<String, Integer> runLanes(Lane... lanes) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(lanes.length);
    Map<String, Integer> states = new TreeMap<>();
    try {
      List<Future<Map<String, Integer>>> futures = new ArrayList<>();
      for (int l = 0; l < lanes.length; l++) {
        Lane lane = lanes[l];
        Path work = Files.createDirectory(dir.resolve("lane" + l));
        Random random = new Random(SEED + l);
        futures.add(pool.submit(() -> runLane(lane, work, random)));
      }
      for (Future<Map<String, Integer>> f : futures) {
        f.get().forEach((k, v) -> states.merge(k, v, Integer::sum));
      }
      System.out.println("CrashKillRecoveryTest " + List.of(lanes) + " states: " + states);
    } finally {
      pool.shutdownNow();
    }
    return states;
  }

  private static Map<String, Integer> runLane(Lane lane, Path work, Random random)
      throws Exception {
    Path file = work.resolve("rows.npy");
    Path status = work.resolve("status");
    String kind = lane.kind().name();
    long bound = lane.mode().equals("buffered") ? lane.flushEvery() : 1;
    Map<String, Integer> states = new TreeMap<>();
    long lastRows = 0;
    for (int k = 0; k < lane.kills(); k++) {
      if (lane.fresh()) {
        Files.deleteIfExists(file);
        lastRows = 0;
      }
      long delay = (long) (random.nextDouble() * lane.maxDelayNanos());
      Outcome o =
          CrashChild.runAndKill(
              status,
              delay,
              "append",
              file.toString(),
              status.toString(),
              lane.mode(),
              kind,
              String.valueOf(lane.flushEvery()));
      String where = lane + " kill " + k + " after " + delay + " ns, ack " + o.ack();
      assertThat(o.exitCode()).as(where).isEqualTo(137);
      assertThat(o.ack()).as(where).isGreaterThanOrEqualTo(lastRows);
      if (!Files.exists(file)) {
        assertThat(o.ack()).as(where).isZero();
        states.merge("absent", 1, Integer::sum);
        continue;
      }
      if (Files.size(file) == 0) {
        // Killed between creating the file and writing its header: nothing to recover.
        assertThat(o.ack()).as(where).isZero();
        assertThatThrownBy(() -> Npy.recover(file, false))
            .as(where)
            .isInstanceOf(NpyFormatException.class)
            .hasMessageContaining(file.toString())
            .hasMessageContaining("empty");
        states.merge("empty", 1, Integer::sum);
        continue;
      }
      // Before recovery numpy already loads an exact prefix (the header never counts rows whose
      // data is not there); with header rewrites that prefix holds every acknowledged row.
      String before = numpy.call("prefix", file, kind);
      assertThat(before).as(where).matches("\\d+");
      if (lane.mode().equals("rewrite")) {
        assertThat(Long.parseLong(before)).as(where).isBetween(o.ack(), o.ack() + 1);
      }
      boolean needed = Npy.needsRecovery(file);
      if (needed) {
        assertThatThrownBy(() -> NpyAppendArray.open(file))
            .as(where)
            .isInstanceOf(NpyNeedsRecoveryException.class)
            .hasMessageContaining(file.toString())
            .hasMessageContaining("Npy.recover");
      }
      long rows;
      if (k % 2 == 0) {
        rows = Npy.recover(file, false).rowsAfter();
      } else {
        rows = cliRecover(file, where);
      }
      String after = numpy.call("prefix", file, kind);
      assertThat(after).as(where).isEqualTo(String.valueOf(rows));
      assertThat(rows).as(where).isBetween(o.ack(), o.ack() + bound);
      assertThat(rows).as(where).isGreaterThanOrEqualTo(Long.parseLong(before));
      try (NpyFile f = NpyFile.open(file)) {
        assertThat(f.needsRecovery()).as(where).isFalse();
        assertThat(f.rowCount()).as(where).isEqualTo(rows);
      }
      states.merge(
          (rows == 0 ? "header-only" : "rows")
              + (needed ? "+recovered" : "")
              + (rows > o.ack() ? "+inflight" : ""),
          1,
          Integer::sum);
      lastRows = rows;
    }
    return states;
  }

  private static long cliRecover(Path file, String where) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = NpyCli.run(new String[] {"recover", file.toString()}, o, e);
    }
    assertThat(code).as(where + ": " + err.toString(StandardCharsets.UTF_8)).isZero();
    try (NpyFile f = NpyFile.open(file)) {
      return f.rowCount();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
