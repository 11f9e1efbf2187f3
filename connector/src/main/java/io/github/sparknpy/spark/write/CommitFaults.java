package io.github.sparknpy.spark.write;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test only: the {@link Checkpoint} that {@link NpyBatchWrite} hands to each job commit it runs, so
 * a test that writes through Spark end to end ({@code df.write().format("npy")…save(…)}) can fail a
 * commit at one of its steps. Nothing in production installs one: commits get {@link
 * Checkpoint#NONE}. The committer itself never reads this; it takes its checkpoint as a constructor
 * argument.
 *
 * <p>One checkpoint for the whole JVM (Spark runs the job commit on the driver, in a thread the
 * test does not own): tests that install one {@link #clear} it afterwards.
 */
final class CommitFaults {
  private static final AtomicReference<Checkpoint> INSTALLED =
      new AtomicReference<>(Checkpoint.NONE);

  private CommitFaults() {}

  /** Every job commit from now on calls {@code checkpoint} at its steps. */
  static void install(Checkpoint checkpoint) {
    INSTALLED.set(Objects.requireNonNull(checkpoint, "checkpoint"));
  }

  /** Back to {@link Checkpoint#NONE}. */
  static void clear() {
    INSTALLED.set(Checkpoint.NONE);
  }

  /** The checkpoint for a job commit starting now. */
  static Checkpoint current() {
    return INSTALLED.get();
  }
}
