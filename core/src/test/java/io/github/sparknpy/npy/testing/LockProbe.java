package io.github.sparknpy.npy.testing;

import java.nio.file.Path;

/**
 * Asks another process (python3's {@code fcntl.lockf}, the same POSIX lock the JVM takes) whether
 * it could lock a file exclusively now: what a second writer process would find.
 */
public final class LockProbe {
  private static final String PROBE =
      "import fcntl\n"
          + "f = open(sys.argv[1], 'rb+')\n"
          + "try:\n"
          + "    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
          + "    print('free')\n"
          + "except OSError:\n"
          + "    print('locked')\n";

  private LockProbe() {}

  /** True if another process finds the file locked. */
  public static boolean lockedForOtherProcesses(Path file) {
    return Numpy.run(PROBE, file.toString()).trim().equals("locked");
  }
}
