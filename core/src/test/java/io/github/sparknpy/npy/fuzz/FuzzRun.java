package io.github.sparknpy.npy.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.sparknpy.npy.error.NpyException;
import io.github.sparknpy.npy.error.NpyFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.opentest4j.AssertionFailedError;

/**
 * Runs many generated inputs through one target and checks the fuzzing contract: each input either
 * succeeds or fails with {@link NpyFormatException} (or a subclass) whose message names the input,
 * or, only when decoding an element, with an {@link NpyException} saying the value is out of
 * java.time's range; no other exception or error, no input slower than {@link
 * FuzzSettings#maxMillisPerInput()}, no input allocating more than a bound proportional to its
 * size, and no hang (the whole run is time-boxed and reports the input it was stuck on).
 *
 * <p>Input {@code i} is generated from a random seeded by the suite seed, the test name and {@code
 * i}, so a failure reproduces with the same seed whatever the number of tries. A failing input is
 * also saved under {@code target/fuzz-failures/} to be added to the regression corpus.
 */
final class FuzzRun {
  /** Reads (or opens, or decodes) one input, named {@code location}. */
  interface Target {
    void run(byte[] input, String location) throws Exception;
  }

  /** Any input may allocate this much on top of {@link #ALLOCATION_PER_INPUT_BYTE} per byte. */
  private static final long ALLOCATION_BASE = 64L << 20;

  private static final long ALLOCATION_PER_INPUT_BYTE = 64;

  private static final com.sun.management.ThreadMXBean THREADS = threads();

  private final String name;
  private final long seed;
  private final long tries;
  private volatile long current = -1;
  private volatile byte[] currentInput;
  private long succeeded;

  private FuzzRun(String name, long tries) {
    this.name = name;
    this.seed = FuzzSettings.seed();
    this.tries = tries;
  }

  /**
   * Runs {@code tries} inputs made by {@code generator} through {@code target}; returns how many
   * succeeded.
   */
  static long run(
      String name, long tries, Function<SplittableRandom, byte[]> generator, Target target) {
    FuzzRun run = new FuzzRun(name, tries);
    long start = System.nanoTime();
    // A generous bound for the whole run: a hang fails the test instead of stalling the build.
    Duration limit = Duration.ofSeconds(120).plusMillis(tries * 2);
    try {
      assertTimeoutPreemptively(limit, () -> run.loop(generator, target));
    } catch (AssertionFailedError e) {
      if (run.current >= 0 && e.getMessage() != null && e.getMessage().contains("timed out")) {
        throw new AssertionError(run.describe(run.current, run.currentInput, "hung"), e);
      }
      throw e;
    }
    System.out.printf(
        java.util.Locale.ROOT,
        "fuzz %s: %d inputs (%d read successfully) in %d ms, seed %d%n",
        name,
        tries,
        run.succeeded,
        (System.nanoTime() - start) / 1_000_000,
        run.seed);
    return run.succeeded;
  }

  private void loop(Function<SplittableRandom, byte[]> generator, Target target) {
    long maxNanos = FuzzSettings.maxMillisPerInput() * 1_000_000;
    long nameHash = name.hashCode();
    for (long i = 0; i < tries; i++) {
      byte[] input = generator.apply(new SplittableRandom(mix(seed, nameHash, i)));
      current = i;
      currentInput = input;
      String location = name + "-input-" + i;
      long allocatedBefore = allocated();
      long start = System.nanoTime();
      try {
        target.run(input, location);
        succeeded++;
      } catch (NpyFormatException e) {
        if (e.getMessage() == null || !e.getMessage().contains(location)) {
          throw failure(i, input, "threw a message without the file's name", e);
        }
      } catch (NpyException e) {
        // An element whose value java.time cannot hold (numpy's datetime range is wider).
        if (e.getMessage() == null || !e.getMessage().contains("out of range")) {
          throw failure(i, input, "threw " + e, e);
        }
      } catch (Throwable t) {
        throw failure(i, input, "threw " + t.getClass().getName(), t);
      }
      long nanos = System.nanoTime() - start;
      if (nanos > maxNanos) {
        // Once more, warm: the first inputs also pay for class loading and compilation.
        nanos = timeAgain(target, input, location);
      }
      if (nanos > maxNanos) {
        throw failure(i, input, "took " + nanos / 1_000_000 + " ms", null);
      }
      long allocated = allocated() - allocatedBefore;
      if (allocated > ALLOCATION_BASE + ALLOCATION_PER_INPUT_BYTE * input.length) {
        throw failure(i, input, "allocated " + allocated + " bytes", null);
      }
    }
    current = -1;
  }

  private static long timeAgain(Target target, byte[] input, String location) {
    long start = System.nanoTime();
    try {
      target.run(input, location);
    } catch (Exception e) {
      // Checked on the first run.
    }
    return System.nanoTime() - start;
  }

  private AssertionError failure(long i, byte[] input, String what, Throwable cause) {
    return new AssertionError(describe(i, input, what), cause);
  }

  private String describe(long i, byte[] input, String what) {
    Path saved = save(i, input);
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    out.printf(
        java.util.Locale.ROOT,
        "Fuzz input %d of %s %s.%n  saved as %s (copy it to src/test/resources/fuzz-regressions/"
            + " and list it in expected.tsv once fixed)%n  reproduce with -Dnpy.fuzz.seed=%d"
            + " -Dnpy.fuzz.tries=%d (input i depends only on the seed, the test and i)%n"
            + "  first bytes: %s",
        i,
        name,
        what,
        saved,
        seed,
        FuzzSettings.totalTries(),
        preview(input));
    out.flush();
    return text.toString();
  }

  private Path save(long i, byte[] input) {
    try {
      Path dir = Paths.get("target", "fuzz-failures");
      Files.createDirectories(dir);
      Path file = dir.resolve(name + "-seed" + seed + "-input" + i + ".npy");
      Files.write(file, input);
      return file.toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String preview(byte[] input) {
    StringBuilder sb = new StringBuilder();
    int n = Math.min(input.length, 400);
    for (int k = 0; k < n; k++) {
      int c = input[k] & 0xff;
      sb.append(
          c >= 0x20 && c < 0x7f && c != '\\'
              ? Character.toString(c)
              : String.format(java.util.Locale.ROOT, "\\x%02x", c));
    }
    return sb + (input.length > n ? "... (" + input.length + " bytes)" : "");
  }

  static long mix(long seed, long stream, long index) {
    long z = seed ^ (stream * 0x9E3779B97F4A7C15L) ^ (index * 0xBF58476D1CE4E5B9L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static long allocated() {
    return THREADS == null ? 0 : THREADS.getCurrentThreadAllocatedBytes();
  }

  private static com.sun.management.ThreadMXBean threads() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported()) {
      t.setThreadAllocatedMemoryEnabled(true);
      return t;
    }
    return null;
  }

  static void assertSomeSucceeded(long succeeded, long tries) {
    assertThat(succeeded).as("inputs read successfully").isPositive().isLessThanOrEqualTo(tries);
  }
}
