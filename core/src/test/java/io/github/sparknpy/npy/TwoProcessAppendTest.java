package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.testing.Numpy;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two JVM processes append to one file at the same time; the OS file lock keeps every row whole.
 * With {@code holdLock(false)} they take turns per append; by default the second waits for the
 * first to close.
 */
class TwoProcessAppendTest {
  @TempDir Path dir;

  /** Child process: appends rows {@code [id, i, i, i]} for i in [0, count) to the file. */
  public static void main(String[] args) throws Exception {
    Path file = Paths.get(args[0]);
    long id = Long.parseLong(args[1]);
    int count = Integer.parseInt(args[2]);
    boolean holdLock = Boolean.parseBoolean(args[3]);
    try (NpyAppendArray out = NpyAppendArray.builder(file).holdLock(holdLock).open()) {
      for (int i = 0; i < count; i++) {
        out.append(new long[] {id, i, i, i}, 1, 4);
      }
    }
  }

  @ParameterizedTest(name = "holdLock={0}")
  @ValueSource(booleans = {true, false})
  void twoProcessesAppendingKeepEveryRowWhole(boolean holdLock) throws Exception {
    Path file = dir.resolve("shared.npy");
    int count = 2000;
    List<Process> children = new ArrayList<>();
    for (int id = 1; id <= 2; id++) {
      children.add(startChild(file, id, count, holdLock));
    }
    for (Process p : children) {
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    }
    String check =
        "a = np.load(sys.argv[1], mmap_mode='r')\n"
            + "n = int(sys.argv[2])\n"
            + "assert a.shape == (2 * n, 4), a.shape\n"
            + "for pid in (1, 2):\n"
            + "    rows = a[a[:, 0] == pid]\n"
            + "    assert rows[:, 1].tolist() == list(range(n)), pid\n"
            + "    assert (rows[:, 1] == rows[:, 2]).all() and (rows[:, 1] == rows[:, 3]).all()\n"
            + "switches = int((a[1:, 0] != a[:-1, 0]).sum())\n"
            + "print('ok', switches > 0, 'switches=%d' % switches)";
    // Every row is whole and each process's rows keep their order; taking turns per append they
    // usually interleave, holding the lock the second process's rows follow the first's.
    String result = Numpy.run(check, file, count).trim();
    assertThat(result).startsWith("ok");
    if (holdLock) {
      assertThat(result).isEqualTo("ok True switches=1");
    }
  }

  /**
   * This JVM holds the file's lock until close and reads the file between its appends: each close
   * of a reading descriptor drops the process's POSIX lock, and the lease takes it again at once; a
   * child process taking turns ({@code holdLock(false)}) waits in the kernel for the lock and gets
   * it in that window. The lease then waits for the child's append, reads the file's length again
   * and appends after the child's rows: every row of both is whole and in order.
   */
  @Test
  void anAppenderThatLosesItsLockToAReadersCloseWaitsAndAppendsAfterTheOtherProcess()
      throws Exception {
    Path file = dir.resolve("lost.npy");
    int count = 1000;
    Process child;
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(new long[] {1, 0, 0, 0}, 1, 4);
      child = startChild(file, 2, count, false);
      for (int i = 1; i < count; i++) {
        try (NpyFile f = NpyFile.open(file)) {
          assertThat(f.rowCount()).isGreaterThanOrEqualTo(i);
        }
        out.append(new long[] {1, i, i, i}, 1, 4);
        if (i % 100 == 0) {
          Thread.sleep(5);
        }
      }
    }
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isZero();
    String check =
        "a = np.load(sys.argv[1], mmap_mode='r')\n"
            + "n = int(sys.argv[2])\n"
            + "import os\n"
            + "on_disk = (os.path.getsize(sys.argv[1]) - a.offset) // 32\n"
            + "raw = np.memmap(sys.argv[1], dtype='<i8', mode='r', offset=a.offset).reshape(-1, 4)\n"
            + "ids = raw[:, 0].tolist()\n"
            + "assert a.shape == (2 * n, 4), (a.shape, on_disk, ids.count(1), ids.count(2),"
            + " [i for i, r in enumerate(raw.tolist()) if r[0] not in (1, 2)][:5])\n"
            + "for pid in (1, 2):\n"
            + "    rows = a[a[:, 0] == pid]\n"
            + "    assert rows[:, 1].tolist() == list(range(n)), pid\n"
            + "    assert (rows[1:, 1] == rows[1:, 2]).all() and (rows[1:, 1] == rows[1:, 3]).all()\n"
            + "print('ok', 'switches=%d' % int((a[1:, 0] != a[:-1, 0]).sum()))";
    String result = Numpy.run(check, file, count).trim();
    System.out.println("lost-lock race: " + result);
    assertThat(result).startsWith("ok");
  }

  /** A child JVM running {@link #main}: appends {@code count} rows tagged {@code id}. */
  private static Process startChild(Path file, long id, int count, boolean holdLock)
      throws java.io.IOException {
    return new ProcessBuilder(
            Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            TwoProcessAppendTest.class.getName(),
            file.toString(),
            String.valueOf(id),
            String.valueOf(count),
            String.valueOf(holdLock))
        .inheritIO()
        .start();
  }
}
