package io.github.sparknpy.npy.error;

/**
 * An existing file cannot be appended to in place: its header has no spare space for a growing
 * shape (written by an old numpy or another tool) or it is 0-d. {@link
 * io.github.sparknpy.npy.Npy#ensureAppendable} fixes the first case.
 */
public class NpyNotAppendableException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpyNotAppendableException(String message) {
    super(message);
  }
}
