package io.github.sparknpy.npy;

/**
 * A file's data section is shorter or longer than its header says, typically after a crash while
 * appending. {@link Npy#recover} rewrites the header from the data that is there.
 */
public class NpyNeedsRecoveryException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpyNeedsRecoveryException(String message) {
    super(message);
  }
}
