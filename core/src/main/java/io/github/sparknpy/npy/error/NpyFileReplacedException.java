package io.github.sparknpy.npy.error;

/**
 * The file an {@link io.github.sparknpy.npy.NpyAppendArray} appends to was replaced (renamed over)
 * or deleted by another program while it was open: the append was refused rather than written into
 * a file that no path names any more. Open the path again to append to the file there now.
 */
public class NpyFileReplacedException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpyFileReplacedException(String message) {
    super(message);
  }
}
