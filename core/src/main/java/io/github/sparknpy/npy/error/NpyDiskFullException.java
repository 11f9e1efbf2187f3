package io.github.sparknpy.npy.error;

import java.io.IOException;
import java.util.Locale;

/**
 * A write failed because the disk (or the user's quota) is full. An {@link IOException}, as the
 * operating system's error it restates, so that callers' I/O error handling (rollback, cleanup)
 * still applies; its message names the file being written and what to do, and its cause is the
 * original error.
 */
public class NpyDiskFullException extends IOException {
  private static final long serialVersionUID = 1L;

  public NpyDiskFullException(String message, IOException cause) {
    super(message, cause);
  }

  /**
   * True if {@code e} (or a cause) is the operating system's "disk full" or "quota exceeded" error
   * (ENOSPC, EDQUOT, Windows ERROR_DISK_FULL), which Java reports as a plain {@link IOException}.
   */
  public static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof NpyDiskFullException) {
        return true;
      }
      String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (t instanceof IOException
          && (m.contains("no space left on device")
              || m.contains("disk quota exceeded")
              || m.contains("not enough space on the disk"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code e} restated as "{@code action}: the disk is full ({@code e}'s text). {@code advice}" if
   * it is a disk-full error not restated yet; otherwise {@code e} itself.
   */
  public static IOException restate(IOException e, String action, String advice) {
    if (e instanceof NpyDiskFullException || !isDiskFull(e)) {
      return e;
    }
    return new NpyDiskFullException(
        action + ": the disk is full (" + e.getMessage() + "). " + advice, e);
  }
}
