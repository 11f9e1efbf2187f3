package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Threads appending to one {@link NpyAppendArray}, and readers (this library's mapped and ranged
 * paths in this JVM, numpy in another process) reading a file while it is appended to with header
 * rewrites: every row whole, each thread's rows in its order, every state a reader sees an exact
 * prefix.
 */
class ConcurrentAppendTest {
  private static final int THREADS = 16;
  private static final int APPENDS = 10_000;

  @TempDir Path dir;

  @ParameterizedTest(name = "rewriteHeaderOnAppend={0} appendRow={1}")
  @CsvSource({"true,false", "true,true", "false,false", "false,true"})
  void sixteenThreadsAppendTenThousandRowsEach(boolean rewrite, boolean appendRow)
      throws Exception {
    Path file = dir.resolve("threads.npy");
    long t0 = System.nanoTime();
    try (NpyAppendArray out = NpyAppendArray.builder(file).rewriteHeaderOnAppend(rewrite).open()) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        long thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (long k = 0; k < APPENDS; k++) {
                    long[] row = {thread, k, thread * 1_000_000 + k, (thread * 31) ^ k};
                    if (appendRow) {
                      out.appendRow(row);
                    } else {
                      out.append(row, 1, 4);
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
    }
    System.out.printf(
        java.util.Locale.ROOT,
        "%d x %d appends (rewrite=%s, appendRow=%s): %d ms%n",
        THREADS,
        APPENDS,
        rewrite,
        appendRow,
        (System.nanoTime() - t0) / 1_000_000);
    String check =
        "a = np.load(sys.argv[1], mmap_mode='r')\n"
            + "threads, n = int(sys.argv[2]), int(sys.argv[3])\n"
            + "assert a.shape == (threads * n, 4) and a.dtype == np.int64, (a.shape, a.dtype)\n"
            + "assert set(np.unique(a[:, 0]).tolist()) == set(range(threads))\n"
            + "for t in range(threads):\n"
            + "    r = a[a[:, 0] == t]\n"
            + "    assert r[:, 1].tolist() == list(range(n)), t\n"
            + "    assert (r[:, 2] == t * 1000000 + r[:, 1]).all(), t\n"
            + "    assert (r[:, 3] == (t * 31) ^ r[:, 1]).all(), t\n"
            + "print('ok', int((a[1:, 0] != a[:-1, 0]).sum()))";
    assertThat(Numpy.run(check, file, THREADS, APPENDS)).startsWith("ok");
  }

  /** What the readers saw: states read, largest prefix seen, refusals. */
  private static final class Seen {
    final AtomicLong states = new AtomicLong();
    final AtomicLong maxRows = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
  }

  /** Row i of the reader test: i, 3i+1, -i, i*i (the crash tests' I8 rows). */
  private static void checkPrefix(NpyFile f, Seen seen, String how) throws IOException {
    long n = f.rowCount();
    assertThat(f.shape()).as(how).containsExactly(n, 4);
    assertThat(f.dataLengthOnDisk()).as(how).isGreaterThanOrEqualTo(n * 32);
    LongBuffer rows = f.rows(0, n).asLongBuffer();
    for (long i = 0; i < n; i++) {
      int p = (int) (i * 4);
      if (rows.get(p) != i
          || rows.get(p + 1) != 3 * i + 1
          || rows.get(p + 2) != -i
          || rows.get(p + 3) != i * i) {
        throw new AssertionError(how + ": row " + i + " of " + n + " is not the row appended");
      }
    }
    seen.states.incrementAndGet();
    seen.maxRows.accumulateAndGet(n, Math::max);
  }

  @Test
  void aReaderTakesNoLockSoALockHeldInThisJvmOutsideTheLibraryDoesNotStopIt() throws Exception {
    // Readers check the header they read instead of locking: an OS lock that this JVM holds
    // through plain java.nio neither blocks them nor fails them with OverlappingFileLockException.
    Path file = dir.resolve("locked.npy");
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(new long[] {0, 1, 0, 0}, 1, 4);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock = ch.lock()) {
      long rows =
          CompletableFuture.supplyAsync(
                  () -> {
                    try (NpyFile f = NpyFile.open(file)) {
                      return f.rowCount();
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(rows).isEqualTo(1);
      assertThat(lock.isValid()).isTrue();
    }
  }

  @Test
  void readersDuringAppendsWithHeaderRewritesSeeOnlyExactPrefixes() throws Exception {
    Path file = dir.resolve("live.npy");
    Path stop = dir.resolve("stop");
    int total = 12_000;
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(new long[] {0, 1, 0, 0}, 1, 4);
    }
    String poll =
        "import os, json\n"
            + "path, stop = sys.argv[1], sys.argv[2]\n"
            + "open(sys.argv[3], 'w').close()\n"
            + "ok = bad = err = 0; most = 0\n"
            + "while not os.path.exists(stop) or ok == 0:\n"
            + "    try:\n"
            + "        a = np.load(path, mmap_mode='r')\n"
            + "    except Exception as e:\n"
            + "        err += 1; continue\n"
            + "    n = a.shape[0]; i = np.arange(n, dtype=np.int64)\n"
            + "    want = np.stack([i, 3 * i + 1, -i, i * i], axis=1)\n"
            + "    if a.shape != want.shape or not np.array_equal(a, want):\n"
            + "        bad += 1\n"
            + "    else:\n"
            + "        ok += 1; most = max(most, n)\n"
            + "print(json.dumps({'ok': ok, 'bad': bad, 'err': err, 'most': most}))";
    Path ready = dir.resolve("ready");
    CompletableFuture<String> numpy =
        CompletableFuture.supplyAsync(() -> Numpy.run(poll, file, stop, ready));
    for (int w = 0; w < 60_000 && !Files.exists(ready) && !numpy.isDone(); w += 10) {
      Thread.sleep(10);
    }

    AtomicBoolean writing = new AtomicBoolean(true);
    Seen mapped = new Seen();
    Seen ranged = new Seen();
    Seen copied = new Seen();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<?>> readers = new ArrayList<>();
    readers.add(
        pool.submit(
            () -> {
              while (writing.get()) {
                try (NpyFile f = NpyFile.open(file)) {
                  checkPrefix(f, mapped, "mapped");
                }
              }
              return null;
            }));
    readers.add(
        pool.submit(
            () -> {
              while (writing.get()) {
                try (NpyFile f = NpyFile.open(new ChannelInputFile(file))) {
                  checkPrefix(f, ranged, "ranged");
                } catch (NpyFormatException e) {
                  // A header read torn by a concurrent rewrite (this path takes no lock).
                  ranged.refused.incrementAndGet();
                }
              }
              return null;
            }));
    readers.add(
        pool.submit(
            () -> {
              while (writing.get()) {
                byte[] bytes = Files.readAllBytes(file);
                try (NpyFile f = NpyFile.open(new ByteArrayInputFile(bytes, "copy"))) {
                  checkPrefix(f, copied, "copied");
                } catch (NpyFormatException e) {
                  copied.refused.incrementAndGet();
                }
              }
              return null;
            }));
    long t0 = System.nanoTime();
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      for (long i = 1; i < total; i++) {
        out.append(new long[] {i, 3 * i + 1, -i, i * i}, 1, 4);
        if (i % 1000 == 0) {
          Thread.yield();
        }
      }
    } finally {
      writing.set(false);
      Files.createFile(stop);
    }
    long writeMs = (System.nanoTime() - t0) / 1_000_000;
    for (Future<?> r : readers) {
      r.get();
    }
    pool.shutdown();
    String py = numpy.get();
    System.out.printf(
        java.util.Locale.ROOT,
        "writer %d rows in %d ms; mapped %d states (max %d, refused %d), ranged %d (refused %d),"
            + " copied %d (refused %d); numpy %s%n",
        total,
        writeMs,
        mapped.states.get(),
        mapped.maxRows.get(),
        mapped.refused.get(),
        ranged.states.get(),
        ranged.refused.get(),
        copied.states.get(),
        copied.refused.get(),
        py.trim());
    assertThat(mapped.states.get()).isPositive();
    assertThat(ranged.states.get()).isPositive();
    assertThat(copied.states.get()).isPositive();
    assertThat(py).contains("\"bad\": 0");
    try (NpyFile f = NpyFile.open(file)) {
      checkPrefix(f, mapped, "final");
      assertThat(f.rowCount()).isEqualTo(total);
    }
  }
}
