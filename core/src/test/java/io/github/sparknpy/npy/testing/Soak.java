package io.github.sparknpy.npy.testing;

/**
 * Bounds of the race tests: a few rounds in the normal build, as many as asked for in a soak run
 * ({@code -Dnpy.soak.rounds=N}, and {@code -Dnpy.soak.seconds=S} for tests bounded by time).
 */
public final class Soak {
  private Soak() {}

  /** {@code normal} rounds, or {@code npy.soak.rounds} when set. */
  public static int rounds(int normal) {
    return Integer.getInteger("npy.soak.rounds", normal);
  }

  /** {@code normal} milliseconds, or {@code npy.soak.seconds} when set. */
  public static long millis(long normal) {
    Long seconds = Long.getLong("npy.soak.seconds");
    return seconds == null ? normal : seconds * 1000;
  }
}
