package io.github.sparknpy.npy.fuzz;

import java.util.Locale;

/**
 * The knobs of the fuzz suite, read from system properties (Maven passes {@code -D} options on to
 * the test JVM):
 *
 * <ul>
 *   <li>{@code npy.fuzz.tries}: inputs for the whole suite, shared among the fuzz tests by weight
 *       (default {@value #DEFAULT_TRIES});
 *   <li>{@code npy.fuzz.seed}: a number, or {@code random} for a new seed each run (default {@value
 *       #DEFAULT_SEED}, so that a normal build is deterministic);
 *   <li>{@code npy.fuzz.maxMillisPerInput}: the time box of one input (default 1000).
 * </ul>
 */
final class FuzzSettings {
  static final long DEFAULT_TRIES = 120_000;
  static final long DEFAULT_SEED = 20261126L;

  /** Weights of the fuzz tests in the total; they add up to 100. */
  static final int RANDOM_BYTES = 25;

  static final int MAGIC_PREFIXED = 15;
  static final int MUTATED_HEADERS = 40;
  static final int READER_IN_MEMORY = 15;
  static final int READER_LOCAL_FILE = 5;

  private FuzzSettings() {}

  static long totalTries() {
    return Long.parseLong(System.getProperty("npy.fuzz.tries", Long.toString(DEFAULT_TRIES)));
  }

  /** This test's share of {@link #totalTries()}, at least 1. */
  static long tries(int weight) {
    return Math.max(1, totalTries() * weight / 100);
  }

  static long seed() {
    String s = System.getProperty("npy.fuzz.seed", Long.toString(DEFAULT_SEED));
    if (s.toLowerCase(Locale.ROOT).equals("random")) {
      return RandomHolder.SEED;
    }
    return Long.parseLong(s);
  }

  static long maxMillisPerInput() {
    return Long.parseLong(System.getProperty("npy.fuzz.maxMillisPerInput", "1000"));
  }

  /** One random seed per JVM, so that every test of a {@code random} run reports the same one. */
  private static final class RandomHolder {
    static final long SEED = new java.security.SecureRandom().nextLong();
  }
}
