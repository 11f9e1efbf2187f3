package io.github.sparknpy.npy.error;

/**
 * An array, or a file, does not fit the file it is to join: its dtype does not convert under the
 * casting rule, or its shape differs from the file's on an axis other than the growth axis. Thrown
 * by {@link io.github.sparknpy.npy.NpyAppendArray} and {@link io.github.sparknpy.npy.Npy#concat}
 * before anything is written, so the target file is unchanged.
 */
public class NpyIncompatibleArrayException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpyIncompatibleArrayException(String message) {
    super(message);
  }

  public NpyIncompatibleArrayException(String message, Throwable cause) {
    super(message, cause);
  }
}
